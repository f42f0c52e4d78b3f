/**
 * Validation of device models: schema; every implemented capability exists; every binding names
 * an affordance of that capability (writes only where allowed); every `{variable}` is defined;
 * every mapping reference exists and has no gaps or overlaps.
 */
import { effectiveVariables, implementationApplies } from './binding';
import { flattenCapability, type Catalog, type FlatCapability } from './catalog';
import { checkMapping, resolveMappings } from './mapping';
import { joinPath, problem, schemaProblems, type Problem } from './problems';
import {
  DeviceModel,
  type DataSchema,
  type MappingRef,
  type Subscription,
  type WireOperation,
} from './schemas';
import { placeholdersIn, placeholdersInJson } from './template';
import { badPattern, validateSet, type ValidationContext } from './validate-common';

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

const subscriptionTemplates = (sub: Subscription): [string, unknown][] => [
  ...(sub.kind === 'mqtt'
    ? ([['topic', sub.topic]] as [string, unknown][])
    : ([
        ['url', sub.url],
        ['event', sub.event],
      ] as [string, unknown][])),
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
        const ref = refs?.[i];
        add(
          f.code,
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
): Problem[] =>
  validateSet(entries, (value, file) => validateDeviceModel(value, { file, catalog }), {
    code: 'model.duplicate',
    noun: 'model',
    hint: 'Give each device model its own id.',
  });

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
