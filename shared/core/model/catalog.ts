/**
 * A catalog of capabilities and device models (the built-in library plus a project's own), with
 * the questions everything else asks of it: what a capability offers once its `extends` are
 * followed and which capabilities a model satisfies (the flow-facing shape of a capability is
 * shared/core/flow/roles.ts).
 */
import type {
  ActionAffordance,
  Capability,
  DeviceModel,
  EventAffordance,
  PropertyAffordance,
} from './schemas';

/** Capabilities and device models by id; later entries (a project's) override earlier ones (the library's). */
export interface Catalog {
  readonly capabilities: ReadonlyMap<string, Capability>;
  readonly models: ReadonlyMap<string, DeviceModel>;
}

/** Builds a catalog from lists; when two entries share an id the later one wins, so projects can override the library. */
export const createCatalog = (
  capabilities: readonly Capability[],
  models: readonly DeviceModel[],
): Catalog => ({
  capabilities: new Map(capabilities.map((c) => [c.id, c])),
  models: new Map(models.map((m) => [m.id, m])),
});

/** A capability with everything it inherits: own affordances override inherited ones of the same name. */
export interface FlatCapability {
  readonly id: string;
  /** This capability and every capability it extends, directly or not, nearest first. */
  readonly lineage: readonly string[];
  readonly properties: Readonly<Record<string, PropertyAffordance>>;
  readonly actions: Readonly<Record<string, ActionAffordance>>;
  readonly events: Readonly<Record<string, EventAffordance>>;
}

/** Why flattening failed: an unknown id, or a cycle of `extends`. */
export type FlattenFailure =
  | { readonly kind: 'unknown'; readonly id: string; readonly via: readonly string[] }
  | { readonly kind: 'cycle'; readonly cycle: readonly string[] };

/** Follows `extends` depth-first; reports unknown parents and cycles instead of looping. */
export const flattenCapability = (
  id: string,
  catalog: Pick<Catalog, 'capabilities'>,
): { ok: true; capability: FlatCapability } | { ok: false; failure: FlattenFailure } => {
  const lineage: string[] = [];
  const visit = (at: string, path: readonly string[]): FlattenFailure | undefined => {
    if (path.includes(at)) return { kind: 'cycle', cycle: [...path.slice(path.indexOf(at)), at] };
    const cap = catalog.capabilities.get(at);
    if (!cap) return { kind: 'unknown', id: at, via: path };
    if (!lineage.includes(at)) lineage.push(at);
    for (const parent of cap.extends ?? []) {
      const failure = visit(parent, [...path, at]);
      if (failure) return failure;
    }
    return undefined;
  };
  const failure = visit(id, []);
  if (failure) return { ok: false, failure };
  const merged = { properties: {}, actions: {}, events: {} } as {
    properties: Record<string, PropertyAffordance>;
    actions: Record<string, ActionAffordance>;
    events: Record<string, EventAffordance>;
  };
  // Farthest ancestor first, so nearer definitions override.
  for (const capId of [...lineage].reverse()) {
    const cap = catalog.capabilities.get(capId)!;
    Object.assign(merged.properties, cap.properties ?? {});
    Object.assign(merged.actions, cap.actions ?? {});
    Object.assign(merged.events, cap.events ?? {});
  }
  return { ok: true, capability: { id, lineage, ...merged } };
};

/** Every capability id a model satisfies, including the ones its capabilities extend. */
export const capabilitiesOfModel = (
  model: DeviceModel,
  catalog: Pick<Catalog, 'capabilities'>,
): Set<string> => {
  const out = new Set<string>();
  for (const impl of Object.values(model.implements)) {
    const flat = flattenCapability(impl.capability, catalog);
    if (flat.ok) flat.capability.lineage.forEach((c) => out.add(c));
    else out.add(impl.capability);
  }
  return out;
};
