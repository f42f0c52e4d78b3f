/**
 * Validators for every model file: the schema first, then the meaning (unknown capability ids,
 * cycles, bindings to affordances that do not exist, templates using undefined variables,
 * mappings with gaps). Each returns located problems; none throws on bad input.
 */
import { flattenCapability, type Catalog, type FlatCapability } from './catalog';
import { checkMapping, resolveMappings } from './mapping';
import { joinPath, problem, schemaProblems, type Problem } from './problems';
import { effectiveVariables, implementationApplies } from './binding';
import { canFillRole } from './resolver';
import {
  Capability,
  DeviceModel,
  ProjectFile,
  Role,
  Site,
  type DataSchema,
  type MappingRef,
  type MqttSubscription,
  type WireOperation,
} from './schemas';
import { placeholdersIn, placeholdersInJson } from './template';

/** Where the file sits (for messages) and what it may refer to. */
export interface ValidationContext {
  readonly file?: string;
  /** The library plus the project's own capabilities and models; references are checked against it when given. */
  readonly catalog?: Catalog;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const badPattern = (pattern: string): string | undefined => {
  try {
    new RegExp(pattern, 'i');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

/** Checks one capability file: schema, and that the capabilities it extends exist and form no cycle. */
export const validateCapability = (value: unknown, ctx: ValidationContext = {}): Problem[] => {
  const { file, catalog } = ctx;
  const problems = schemaProblems(Capability, value, file);
  if (problems.length || !catalog) return problems;
  const cap = value as Capability;
  (cap.extends ?? []).forEach((parent, i) => {
    if (!catalog.capabilities.has(parent)) {
      problems.push(
        problem(
          'capability.unknown',
          'error',
          `extends.${i}`,
          `extends "${parent}", which is not in the library or the project`,
          'Fix the id (name@version) or add that capability to the project.',
          file,
        ),
      );
    }
  });
  if (problems.length) return problems;
  const withSelf: Pick<Catalog, 'capabilities'> = {
    capabilities: new Map([...catalog.capabilities, [cap.id, cap]]),
  };
  const flat = flattenCapability(cap.id, withSelf);
  if (!flat.ok && flat.failure.kind === 'cycle') {
    problems.push(
      problem(
        'capability.cycle',
        'error',
        'extends',
        `capabilities extend each other in a circle: ${flat.failure.cycle.join(' → ')}`,
        'Remove one of these "extends" entries.',
        file,
      ),
    );
  }
  return problems;
};

/** Checks a whole set of capabilities: each one, plus duplicate ids across files. */
export const validateCapabilitySet = (
  entries: readonly { file?: string; value: unknown }[],
  catalog: Catalog,
): Problem[] => {
  const problems: Problem[] = [];
  const firstFile = new Map<string, string | undefined>();
  for (const { file, value } of entries) {
    problems.push(...validateCapability(value, { file, catalog }));
    const id = isObject(value) && typeof value.id === 'string' ? value.id : undefined;
    if (id === undefined) continue;
    if (firstFile.has(id)) {
      problems.push(
        problem(
          'capability.duplicate',
          'error',
          'id',
          `the id "${id}" is also used by ${firstFile.get(id) ?? 'another capability'}`,
          'Give each capability its own id, or raise the version (@2).',
          file,
        ),
      );
    } else firstFile.set(id, file);
  }
  return problems;
};

const operationTemplates = (op: WireOperation): [string, unknown][] => {
  switch (op.kind) {
    case 'mqtt':
      return [
        ['topic', op.topic],
        ['payload', op.payload],
      ];
    case 'http':
      return [
        ['url', op.url],
        ['body', op.body],
        ['valuePath', op.valuePath],
      ];
    case 'rpc':
      return [
        ['params', op.params],
        ['resultPath', op.resultPath],
      ];
  }
};

const subscriptionTemplates = (sub: MqttSubscription): [string, unknown][] => [
  ['topic', sub.topic],
  ['valuePath', sub.valuePath],
  ...(sub.where ?? []).flatMap((c, i): [string, unknown][] => [
    [`where.${i}.path`, c.path],
    [`where.${i}.equals`, c.equals],
  ]),
];

/**
 * Checks one device model: schema; every implemented capability exists; every binding names an
 * affordance of that capability (writes only where the capability allows them); every
 * `{variable}` is defined; every mapping reference exists and has no gaps or overlaps.
 */
export const validateDeviceModel = (value: unknown, ctx: ValidationContext = {}): Problem[] => {
  const { file, catalog } = ctx;
  const problems = schemaProblems(DeviceModel, value, file);
  if (problems.length) return problems;
  const model = value as DeviceModel;
  const add = (...args: Parameters<typeof problem>) => problems.push(problem(...args));
  const modelVars = new Set(Object.keys(model.variables ?? {}));

  Object.entries(model.variables ?? {}).forEach(([name, spec]) => {
    const bad = spec.pattern === undefined ? undefined : badPattern(spec.pattern);
    if (bad)
      add(
        'model.bad_pattern',
        'error',
        `variables.${name}.pattern`,
        `the pattern does not compile: ${bad}`,
        'Fix the regular expression.',
        file,
      );
  });

  const checkTemplate = (path: string, template: unknown, vars: ReadonlySet<string>) => {
    for (const name of new Set(placeholdersInJson(template))) {
      if (!vars.has(name)) {
        add(
          'model.unknown_variable',
          'error',
          path,
          `uses {${name}} but the model defines no ${name}`,
          `Add "${name}" to "variables", or fix the placeholder.`,
          file,
        );
      }
    }
  };
  const checkMaps = (
    path: string,
    refs: readonly MappingRef[] | undefined,
    data: DataSchema | undefined,
    vars: ReadonlySet<string>,
  ) => {
    const resolved = resolveMappings(refs, model.mappings);
    if (!resolved.ok) {
      add(
        'model.unknown_mapping',
        'error',
        path,
        resolved.reason,
        `Define it under "mappings" or use one of: ${Object.keys(model.mappings ?? {}).join(', ') || '(none defined)'}.`,
        file,
      );
      return;
    }
    resolved.mappings.forEach((m, i) => {
      if (m.kind === 'enum')
        m.pairs.forEach((p, j) => checkTemplate(joinPath(path, i, 'pairs', j, 'device'), p.device, vars));
      // Only the last mapping of a chain produces the capability's value; only it is checked against the type.
      const last = i === resolved.mappings.length - 1;
      const templated = m.kind === 'enum' && m.pairs.some((p) => placeholdersInJson(p.device).length > 0);
      for (const f of checkMapping(m, last ? data : undefined)) {
        if (templated && f.path.endsWith('.device')) continue;
        const code = /gap/.test(f.message)
          ? 'mapping.gap'
          : /overlap|twice/.test(f.message)
            ? 'mapping.overlap'
            : 'mapping.invalid';
        const ref = refs?.[i];
        add(
          code,
          f.severity,
          typeof ref === 'string' ? joinPath('mappings', ref, f.path) : joinPath(path, i, f.path),
          f.message,
          f.hint,
          file,
        );
      }
    });
  };

  for (const [key, impl] of Object.entries(model.implements)) {
    const base = `implements.${key}`;
    const vars = new Set([...modelVars, ...Object.keys(impl.variables ?? {})]);
    Object.keys(impl.when ?? {}).forEach((name) => {
      if (!vars.has(name))
        add(
          'model.unknown_variable',
          'error',
          `${base}.when.${name}`,
          `"when" tests ${name} but the model defines no ${name}`,
          `Add "${name}" to "variables".`,
          file,
        );
    });
    let flat: FlatCapability | undefined;
    if (catalog) {
      const r = flattenCapability(impl.capability, catalog);
      if (r.ok) flat = r.capability;
      else if (r.failure.kind === 'unknown') {
        add(
          'capability.unknown',
          'error',
          `${base}.capability`,
          `"${impl.capability}" is not a capability in the library or the project`,
          "Fix the id (name@version), or add the capability to the project's models folder.",
          file,
        );
      } else {
        add(
          'capability.cycle',
          'error',
          `${base}.capability`,
          `"${impl.capability}" extends itself: ${r.failure.cycle.join(' → ')}`,
          'Fix the capability\'s "extends".',
          file,
        );
      }
    }
    for (const [name, b] of Object.entries(impl.properties ?? {})) {
      const path = `${base}.properties.${name}`;
      const affordance = flat?.properties[name];
      if (flat && !affordance) {
        add(
          'model.unknown_affordance',
          'error',
          path,
          `${impl.capability} has no property "${name}"`,
          `Use one of: ${Object.keys(flat.properties).join(', ') || '(none)'}.`,
          file,
        );
      }
      if (affordance && b.write && !affordance.write) {
        add(
          'model.not_writable',
          'error',
          `${path}.write`,
          `${impl.capability} does not allow writing "${name}"`,
          'Remove the write binding.',
          file,
        );
      }
      for (const [op, opValue] of [
        ['read', b.read],
        ['write', b.write],
      ] as const) {
        if (!opValue) continue;
        for (const [field, t] of operationTemplates(opValue))
          checkTemplate(`${path}.${op}.${field}`, t, vars);
        if (opValue.kind === 'rpc') {
          const need = opValue.via === 'http' ? ['host'] : opValue.via === 'mqtt' ? ['prefix'] : [];
          for (const v of need)
            if (!vars.has(v))
              add(
                'model.unknown_variable',
                'error',
                `${path}.${op}`,
                `RPC over ${opValue.via} needs {${v}} but the model defines no ${v}`,
                `Add "${v}" to "variables".`,
                file,
              );
          if (!opValue.via && !vars.has('host') && !vars.has('prefix'))
            add(
              'model.unknown_variable',
              'error',
              `${path}.${op}`,
              'RPC needs {host} (HTTP) or {prefix} (MQTT) but the model defines neither',
              'Add "host" or "prefix" to "variables".',
              file,
            );
        }
      }
      (b.observe ?? []).forEach((s, i) => {
        for (const [field, t] of subscriptionTemplates(s))
          checkTemplate(`${path}.observe.${i}.${field}`, t, vars);
      });
      checkMaps(`${path}.map`, b.map, affordance?.data, vars);
    }
    for (const [name, b] of Object.entries(impl.actions ?? {})) {
      const path = `${base}.actions.${name}`;
      const affordance = flat?.actions[name];
      if (flat && !affordance) {
        add(
          'model.unknown_affordance',
          'error',
          path,
          `${impl.capability} has no action "${name}"`,
          `Use one of: ${Object.keys(flat.actions).join(', ') || '(none)'}.`,
          file,
        );
      }
      for (const [field, t] of operationTemplates(b.invoke))
        checkTemplate(`${path}.invoke.${field}`, t, vars);
      checkMaps(`${path}.map`, b.map, affordance?.input, vars);
    }
    for (const [name, b] of Object.entries(impl.events ?? {})) {
      const path = `${base}.events.${name}`;
      const affordance = flat?.events[name];
      if (flat && !affordance) {
        add(
          'model.unknown_affordance',
          'error',
          path,
          `${impl.capability} has no event "${name}"`,
          `Use one of: ${Object.keys(flat.events).join(', ') || '(none)'}.`,
          file,
        );
      }
      b.subscribe.forEach((s, i) => {
        for (const [field, t] of subscriptionTemplates(s))
          checkTemplate(`${path}.subscribe.${i}.${field}`, t, vars);
      });
      checkMaps(`${path}.map`, b.map, affordance?.data, vars);
    }
    if (flat) {
      const missing = [
        ...Object.keys(flat.properties)
          .filter((n) => !impl.properties?.[n])
          .map((n) => `property "${n}"`),
        ...Object.keys(flat.actions)
          .filter((n) => !impl.actions?.[n])
          .map((n) => `action "${n}"`),
        ...Object.keys(flat.events)
          .filter((n) => !impl.events?.[n])
          .map((n) => `event "${n}"`),
      ];
      if (missing.length) {
        add(
          'model.missing_binding',
          'warning',
          base,
          `${impl.capability}'s ${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no binding on this model`,
          'Flows using it will be told the device cannot do it; add a binding if the device can.',
          file,
        );
      }
    }
  }

  (model.discovery ?? []).forEach((rule, i) => {
    const path = `discovery.${i}`;
    const patterns: [string, string | undefined][] =
      rule.kind === 'mdns'
        ? [
            ['instance', rule.instance],
            ...Object.entries(rule.txt ?? {}).map(([k, v]): [string, string] => [`txt.${k}`, v]),
          ]
        : rule.kind === 'mqtt'
          ? [['payload', rule.payload]]
          : [];
    for (const [field, pattern] of patterns) {
      const bad = pattern === undefined ? undefined : badPattern(pattern);
      if (bad)
        add(
          'model.bad_pattern',
          'error',
          `${path}.${field}`,
          `the pattern does not compile: ${bad}`,
          'Fix the regular expression.',
          file,
        );
    }
    if (rule.kind !== 'usb') {
      for (const name of Object.keys(rule.capture ?? {})) {
        if (!modelVars.has(name))
          add(
            'model.unknown_variable',
            'error',
            `${path}.capture.${name}`,
            `captures ${name} but the model defines no ${name}`,
            `Add "${name}" to "variables".`,
            file,
          );
      }
    }
  });
  if (model.availability) {
    for (const name of placeholdersIn(model.availability.topic)) {
      if (!modelVars.has(name))
        add(
          'model.unknown_variable',
          'error',
          'availability.topic',
          `uses {${name}} but the model defines no ${name}`,
          `Add "${name}" to "variables".`,
          file,
        );
    }
  }
  return problems;
};

/** Checks a set of device models: each one, plus duplicate ids across files. */
export const validateDeviceModelSet = (
  entries: readonly { file?: string; value: unknown }[],
  catalog: Catalog,
): Problem[] => {
  const problems: Problem[] = [];
  const firstFile = new Map<string, string | undefined>();
  for (const { file, value } of entries) {
    problems.push(...validateDeviceModel(value, { file, catalog }));
    const id = isObject(value) && typeof value.id === 'string' ? value.id : undefined;
    if (id === undefined) continue;
    if (firstFile.has(id)) {
      problems.push(
        problem(
          'model.duplicate',
          'error',
          'id',
          `the id "${id}" is also used by ${firstFile.get(id) ?? 'another model'}`,
          'Give each device model its own id.',
          file,
        ),
      );
    } else firstFile.set(id, file);
  }
  return problems;
};

/** Checks one role: schema, and that its capabilities exist. */
export const validateRole = (value: unknown, ctx: ValidationContext = {}, base = ''): Problem[] => {
  const problems = schemaProblems(Role, value, ctx.file, base);
  if (problems.length || !ctx.catalog) return problems;
  const role = value as Role;
  [role.capability, ...(role.alsoRequires ?? [])].forEach((id, i) => {
    if (!ctx.catalog!.capabilities.has(id)) {
      problems.push(
        problem(
          'project.unknown_capability',
          'error',
          joinPath(base, i === 0 ? 'capability' : `alsoRequires.${i - 1}`),
          `"${id}" is not a capability in the library or the project`,
          'Fix the id (name@version) or add the capability to the project.',
          ctx.file,
        ),
      );
    }
  });
  return problems;
};

/** Checks `fieldgraph.json`: schema, role capabilities, duplicate role ids. */
export const validateProjectFile = (value: unknown, ctx: ValidationContext = {}): Problem[] => {
  const problems = schemaProblems(ProjectFile, value, ctx.file);
  if (problems.length) return problems;
  const project = value as ProjectFile;
  const seen = new Set<string>();
  project.roles.forEach((role, i) => {
    problems.push(...validateRole(role, ctx, `roles.${i}`));
    if (seen.has(role.id)) {
      problems.push(
        problem(
          'project.duplicate_role',
          'error',
          `roles.${i}.id`,
          `the role id "${role.id}" is used twice`,
          'Give each role its own id.',
          ctx.file,
        ),
      );
    }
    seen.add(role.id);
  });
  return problems;
};

/**
 * The variables a device must have for its model's writes, invokes and subscriptions to work
 * (on-demand reads are optional and not counted), for the implementations that apply to it.
 */
export const neededVariables = (
  model: DeviceModel,
  variables: Readonly<Record<string, string | number>>,
): Set<string> => {
  const needed = new Set<string>();
  const device = { model, variables };
  for (const [key, impl] of Object.entries(model.implements)) {
    if (!implementationApplies(impl, effectiveVariables(device, key))) continue;
    const fixed = new Set(Object.keys(impl.variables ?? {}));
    const templates: unknown[] = [
      ...Object.values(impl.properties ?? {}).flatMap((b) => [
        ...(b.write ? operationTemplates(b.write).map(([, t]) => t) : []),
        ...(b.observe ?? []).flatMap((o) => subscriptionTemplates(o).map(([, t]) => t)),
      ]),
      ...Object.values(impl.actions ?? {}).flatMap((b) => operationTemplates(b.invoke).map(([, t]) => t)),
      ...Object.values(impl.events ?? {}).flatMap((b) =>
        b.subscribe.flatMap((o) => subscriptionTemplates(o).map(([, t]) => t)),
      ),
    ];
    for (const name of placeholdersInJson(templates)) if (!fixed.has(name)) needed.add(name);
  }
  return needed;
};

/** What a site may refer to beyond the catalog: the project's roles. */
export interface SiteContext extends ValidationContext {
  readonly roles?: readonly Role[];
}

/**
 * Checks a site: schema; unique ids; devices name known models and rooms and carry the
 * variables their model needs; bindings name known roles and devices, and the device can fill the role.
 */
export const validateSite = (value: unknown, ctx: SiteContext = {}): Problem[] => {
  const { file, catalog, roles } = ctx;
  const problems = schemaProblems(Site, value, file);
  if (problems.length) return problems;
  const site = value as Site;
  const add = (...args: Parameters<typeof problem>) => problems.push(problem(...args));
  const unique = (list: readonly { id: string }[], what: string) => {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.id))
        add(
          'site.duplicate_id',
          'error',
          `${what}.${i}.id`,
          `the id "${item.id}" is used twice in ${what}`,
          'Give each entry its own id.',
          file,
        );
      seen.add(item.id);
    });
  };
  unique(site.rooms, 'rooms');
  unique(site.devices, 'devices');
  unique(site.gateways, 'gateways');
  const rooms = new Set(site.rooms.map((r) => r.id));
  site.devices.forEach((device, i) => {
    const path = `devices.${i}`;
    if (device.room !== undefined && !rooms.has(device.room)) {
      add(
        'site.unknown_room',
        'error',
        `${path}.room`,
        `room "${device.room}" is not one of the site's rooms`,
        `Add it to "rooms" or use one of: ${[...rooms].join(', ') || '(none yet)'}.`,
        file,
      );
    }
    if (!catalog) return;
    const model = catalog.models.get(device.model);
    if (!model) {
      add(
        'site.unknown_model',
        'error',
        `${path}.model`,
        `"${device.model}" is not a device model in the library or the project`,
        'Pick a model from the library (fieldgraph library list) or add one to the project.',
        file,
      );
      return;
    }
    const needed = neededVariables(model, device.variables ?? {});
    for (const [name, spec] of Object.entries(model.variables ?? {})) {
      const given = device.variables?.[name];
      if (given === undefined && spec.default === undefined && needed.has(name)) {
        add(
          'site.missing_variable',
          'warning',
          `${path}.variables`,
          `${model.title} needs "${name}" (${spec.title ?? name}) and the device has none`,
          `Set variables.${name} on the device; discovery usually fills it.`,
          file,
        );
      } else if (
        given !== undefined &&
        spec.pattern &&
        !badPattern(spec.pattern) &&
        !new RegExp(spec.pattern).test(String(given))
      ) {
        add(
          'schema.invalid',
          'error',
          `${path}.variables.${name}`,
          `${JSON.stringify(given)} does not match ${spec.pattern}`,
          `Give ${name} a value of the form the model expects.`,
          file,
        );
      }
    }
  });
  const devices = new Map(site.devices.map((d) => [d.id, d]));
  const roleMap = roles ? new Map(roles.map((r) => [r.id, r])) : undefined;
  site.bindings.forEach((b, i) => {
    const path = `bindings.${i}`;
    const device = devices.get(b.device);
    if (!device)
      add(
        'site.unknown_device',
        'error',
        `${path}.device`,
        `device "${b.device}" is not on this site`,
        `Use one of: ${[...devices.keys()].join(', ') || '(no devices yet)'}.`,
        file,
      );
    const role = roleMap?.get(b.role);
    if (roleMap && !role)
      add(
        'site.unknown_role',
        'error',
        `${path}.role`,
        `role "${b.role}" is not defined in the project`,
        `Use one of: ${[...roleMap.keys()].join(', ') || '(no roles yet)'}.`,
        file,
      );
    if (device && role && catalog) {
      const fit = canFillRole(device, role, catalog, b.implementation);
      if (!fit.ok)
        add(
          'site.role_mismatch',
          'error',
          path,
          `${device.name} cannot fill the role "${role.id}": ${fit.reason}`,
          "Bind a device whose model implements the role's capability.",
          file,
        );
    }
  });
  return problems;
};
