/**
 * The resolver: which device models and which devices can fill a role. A model fits when one of
 * its implementations offers the role's capability, directly or through `extends` (a dimmer can
 * fill a switch role); a device fits when its model fits and the implementation applies to it.
 */
import { effectiveVariables, implementationApplies, unsetConditions } from './binding';
import { flattenCapability, type Catalog } from './catalog';
import { modelForDevice } from './entities';
import type { Device, DeviceModel, Role } from './schemas';

/** One way a model or device can fill a role. */
export interface RoleCandidate {
  readonly model: string;
  /** The device id, for device candidates. */
  readonly device?: string;
  /** The key in the model's `implements` that offers the role's capability. */
  readonly implementation: string;
  /** 1 when the implementation is exactly the role's capability, lower the farther up `extends` it is. */
  readonly score: number;
  /** Why it fits, in words for the binding step ("implements dimmer@1, which extends switch@1"). */
  readonly reason: string;
}

/** A setting (instance variable) a device lacks before one of its model's implementations applies. */
export interface MissingSetting {
  readonly name: string;
  /** From the model's `variables`, when it declares the variable. */
  readonly title?: string;
  readonly description?: string;
  readonly pattern?: string;
  /** The values `when` accepts, when it accepts only some (absent: any value will do). */
  readonly oneOf?: readonly string[];
}

/** What a device still lacks to fill a role: the implementation that would, and its unset settings. */
export interface PendingFit {
  readonly implementation: string;
  readonly settings: readonly MissingSetting[];
}

/** The setting `name` as the model describes it, with the values implementation `key` accepts. */
export const missingSetting = (model: DeviceModel, key: string, name: string): MissingSetting => {
  const spec = model.variables?.[name];
  const options = model.implements[key]?.when?.[name] ?? [];
  return {
    name,
    ...(spec?.title ? { title: spec.title } : {}),
    ...(spec?.description ? { description: spec.description } : {}),
    ...(spec?.pattern ? { pattern: spec.pattern } : {}),
    ...(options.length > 0 && !options.includes('*') ? { oneOf: options } : {}),
  };
};

/** "the setting switch_path (Switch property: <node>/<property> of a settable boolean, e.g. light/power)". */
export const describeSettings = (settings: readonly MissingSetting[]): string => {
  const one = (s: MissingSetting) => {
    const about = [s.title, s.description?.replace(/\.$/, '')].filter(Boolean).join(': ');
    const values = s.oneOf ? `one of ${s.oneOf.join(', ')}` : '';
    const detail = [about, values].filter(Boolean).join('; ');
    return detail ? `${s.name} (${detail})` : s.name;
  };
  return `the setting${settings.length > 1 ? 's' : ''} ${settings.map(one).join(' and ')}`;
};

const implementationsFor = (
  model: DeviceModel,
  capability: string,
  catalog: Pick<Catalog, 'capabilities'>,
): { key: string; depth: number; via: string }[] =>
  Object.entries(model.implements).flatMap(([key, impl]) => {
    const flat = flattenCapability(impl.capability, catalog);
    const lineage = flat.ok ? flat.capability.lineage : [impl.capability];
    const depth = lineage.indexOf(capability);
    return depth < 0 ? [] : [{ key, depth, via: impl.capability }];
  });

const because = (capability: string, via: string): string =>
  via === capability ? `implements ${capability}` : `implements ${via}, which extends ${capability}`;

const alsoMissing = (model: DeviceModel, role: Role, catalog: Catalog, applies: (key: string) => boolean) =>
  (role.alsoRequires ?? []).filter((c) => !implementationsFor(model, c, catalog).some((i) => applies(i.key)));

/** Device models that can fill the role, best first (exact capability before inherited). */
export const modelsForRole = (role: Role, catalog: Catalog): RoleCandidate[] =>
  [...catalog.models.values()]
    .flatMap((model) => {
      if (alsoMissing(model, role, catalog, () => true).length) return [];
      return implementationsFor(model, role.capability, catalog).map((i) => ({
        model: model.id,
        implementation: i.key,
        score: 1 / (1 + i.depth),
        reason: because(role.capability, i.via),
      }));
    })
    .sort((a, b) => b.score - a.score || a.model.localeCompare(b.model));

/**
 * Whether one device can fill a role (optionally through a given implementation), and why not;
 * `needs` names the settings to give when only unset ones stand in the way.
 */
export const canFillRole = (
  device: Device,
  role: Role,
  catalog: Catalog,
  implementation?: string,
): { ok: true; candidate: RoleCandidate } | { ok: false; reason: string; needs?: PendingFit } => {
  const base = catalog.models.get(device.model);
  if (!base) return { ok: false, reason: `its model "${device.model}" is not in the library or the project` };
  const model = modelForDevice(base, device);
  const bound = { model, variables: device.variables ?? {} };
  const applies = (key: string) =>
    implementationApplies(model.implements[key]!, effectiveVariables(bound, key));
  const options = implementationsFor(model, role.capability, catalog).filter(
    (i) => implementation === undefined || i.key === implementation,
  );
  if (!options.length) {
    return {
      ok: false,
      reason:
        implementation === undefined
          ? `${model.title} does not implement ${role.capability}`
          : `the implementation "${implementation}" of ${model.title} does not offer ${role.capability}`,
    };
  }
  const usable = options.filter((i) => applies(i.key));
  if (!usable.length) {
    // An implementation that waits only for unset settings is an unfinished device, not another
    // configuration: say which settings, so they can be given (the nearest capability first).
    const pending = options
      .map((i) => ({
        ...i,
        unset: unsetConditions(model.implements[i.key]!, effectiveVariables(bound, i.key)),
      }))
      .filter((i): i is typeof i & { unset: string[] } => !!i.unset?.length)
      .sort((a, b) => a.depth - b.depth || a.unset.length - b.unset.length)[0];
    if (pending) {
      const settings = pending.unset.map((name) => missingSetting(model, pending.key, name));
      return {
        ok: false,
        reason: `${model.title} needs ${describeSettings(settings)} to offer ${role.capability}; set ${settings.length > 1 ? 'them' : 'it'} on the device`,
        needs: { implementation: pending.key, settings },
      };
    }
    return {
      ok: false,
      reason: `${model.title} offers ${role.capability} only for other configurations (see "when")`,
    };
  }
  const missing = alsoMissing(model, role, catalog, applies);
  if (missing.length) return { ok: false, reason: `it does not also offer ${missing.join(', ')}` };
  const best = usable.sort((a, b) => a.depth - b.depth)[0]!;
  return {
    ok: true,
    candidate: {
      model: model.id,
      device: device.id,
      implementation: best.key,
      score: 1 / (1 + best.depth),
      reason: because(role.capability, best.via),
    },
  };
};

/** Devices that can fill the role, best first. */
export const devicesForRole = (role: Role, devices: readonly Device[], catalog: Catalog): RoleCandidate[] =>
  devices
    .flatMap((d) => {
      const fit = canFillRole(d, role, catalog);
      return fit.ok ? [fit.candidate] : [];
    })
    .sort((a, b) => b.score - a.score || (a.device ?? '').localeCompare(b.device ?? ''));
