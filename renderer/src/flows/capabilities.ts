/**
 * Capabilities as the flow validator and the inspector see them (CapabilityShape), built from
 * the library documents the window reads through the API (project-models.svelte.ts): the
 * built-in library and the open project's own capabilities.
 */
import type { Capability } from '../../../shared/core/model/schemas';
import { capabilityShapeOf } from '../../../shared/core/flow/roles';
import type { CapabilityShape } from '../../../shared/core/flow/scope';
import { flattenCapability, type Catalog, type FlatCapability } from '../../../shared/core/model/catalog';

/** A capability with its display titles, for pickers. */
export interface CapabilityInfo {
  readonly id: string;
  readonly title: string;
  readonly shape: CapabilityShape;
  /** The capability file itself. */
  readonly capability: Capability;
  /** Member titles by kind and name (falls back to the name). */
  readonly titles: Readonly<Record<'property' | 'action' | 'event', Readonly<Record<string, string>>>>;
}

/**
 * Converts a capability file to the shapes the validator reads, flattened by core's one rule
 * (`extends` followed in `all`, nearer definitions win). A capability whose ancestry cannot be
 * followed (a missing parent, a cycle) keeps its own members, so the pickers still offer them.
 */
export const capabilityInfo = (
  capability: Capability,
  all: ReadonlyMap<string, Capability> = new Map(),
): CapabilityInfo => {
  const capabilities = new Map(all).set(capability.id, capability);
  const flattened = flattenCapability(capability.id, { capabilities });
  const flat: FlatCapability = flattened.ok
    ? flattened.capability
    : {
        id: capability.id,
        lineage: [capability.id],
        properties: capability.properties ?? {},
        actions: capability.actions ?? {},
        events: capability.events ?? {},
      };
  const titlesOf = (members: Readonly<Record<string, { readonly title?: string }>>) =>
    Object.fromEntries(Object.entries(members).map(([name, m]) => [name, m.title ?? name]));
  return {
    id: capability.id,
    title: capability.title,
    shape: capabilityShapeOf(flat),
    capability,
    titles: {
      property: titlesOf(flat.properties),
      action: titlesOf(flat.actions),
      event: titlesOf(flat.events),
    },
  };
};

/** Every capability of a library (capability files by id), each flattened against the rest. */
export const capabilityInfos = (
  capabilities: ReadonlyMap<string, Capability>,
): ReadonlyMap<string, CapabilityInfo> =>
  new Map([...capabilities.values()].map((c) => [c.id, capabilityInfo(c, capabilities)]));

/** The capability files behind `infos`, as the catalog core's `rolesInScope` reads. */
export const capabilityCatalog = (
  infos: ReadonlyMap<string, CapabilityInfo>,
): Pick<Catalog, 'capabilities'> => ({
  capabilities: new Map([...infos].map(([id, info]) => [id, info.capability])),
});
