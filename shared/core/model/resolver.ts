/**
 * The resolver: which device models and which devices can fill a role. A model fits when one of
 * its implementations offers the role's capability, directly or through `extends` (a dimmer can
 * fill a switch role); a device fits when its model fits and the implementation applies to it.
 */
import { effectiveVariables, implementationApplies } from './binding';
import { flattenCapability, type Catalog } from './catalog';
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

/** Whether one device can fill a role (optionally through a given implementation), and why not. */
export const canFillRole = (
  device: Device,
  role: Role,
  catalog: Catalog,
  implementation?: string,
): { ok: true; candidate: RoleCandidate } | { ok: false; reason: string } => {
  const model = catalog.models.get(device.model);
  if (!model)
    return { ok: false, reason: `its model "${device.model}" is not in the library or the project` };
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
