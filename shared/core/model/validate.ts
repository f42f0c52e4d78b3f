/**
 * Validators for every model file: the schema first, then the meaning (unknown capability ids,
 * cycles, bindings to affordances that do not exist, templates using undefined variables,
 * mappings with gaps). Each returns located problems; none throws on bad input.
 */
import { flattenCapability, type Catalog } from './catalog';
import { joinPath, problem, schemaProblems, type Problem, type ProblemCode } from './problems';
import { canFillRole } from './resolver';
import { Capability, ProjectFile, Role, Site } from './schemas';
import { badPattern, validateSet, type ValidationContext } from './validate-common';
import { neededVariables, validateDeviceModel } from './validate-model';

export type { ValidationContext } from './validate-common';
export { neededVariables, validateDeviceModel, validateDeviceModelSet } from './validate-model';

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
): Problem[] =>
  validateSet(entries, (value, file) => validateCapability(value, { file, catalog }), {
    code: 'capability.duplicate',
    noun: 'capability',
    hint: 'Give each capability its own id, or raise the version (@2).',
  });

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
    if (device.entities && Object.keys(device.entities).length > 0) {
      // Entities are checked like a model's implementations; each binds only what its device
      // announced, so a capability affordance it leaves out is not a problem.
      const own = validateDeviceModel(
        { id: model.id, title: model.title, protocols: ['mqtt'], implements: device.entities },
        { catalog },
      );
      for (const p of own) {
        if (p.code === 'model.missing_binding' || p.severity !== 'error') continue;
        add(
          p.code as ProblemCode,
          'error',
          joinPath(path, p.path.replace(/^implements/, 'entities')),
          p.message,
          p.hint,
          file,
        );
      }
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
