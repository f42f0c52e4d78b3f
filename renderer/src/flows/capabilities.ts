/**
 * Capabilities as the flow validator and the inspector see them (CapabilityShape): the
 * built-in library shipped in resources/library, plus whatever a project adds.
 */
import type { Capability } from '../../../shared/core/model/schemas';
import { capabilityShapeOf } from '../../../shared/core/flow/roles';
import type { CapabilityShape } from '../../../shared/core/flow/scope';
import { flattenCapability, type Catalog, type FlatCapability } from '../../../shared/core/model/catalog';
import { libraryCapabilities } from './library';

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

/** The built-in capability library, by id. */
export const builtinCapabilities = (): ReadonlyMap<string, CapabilityInfo> => {
  const raw = new Map(libraryCapabilities.map((c) => [c.id, c]));
  return new Map([...raw.values()].map((c) => [c.id, capabilityInfo(c, raw)]));
};

/** The capability files behind `infos`, as the catalog core's `rolesInScope` reads. */
export const capabilityCatalog = (
  infos: ReadonlyMap<string, CapabilityInfo>,
): Pick<Catalog, 'capabilities'> => ({
  capabilities: new Map([...infos].map(([id, info]) => [id, info.capability])),
});
