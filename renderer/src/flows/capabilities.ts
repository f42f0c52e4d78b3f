/// <reference types="vite/client" />
/**
 * Capabilities as the flow validator and the inspector see them (CapabilityShape): the
 * built-in library shipped in resources/library, plus whatever a project adds.
 */
import type { Capability } from '../../../shared/core/model/schemas';
import type { CapabilityShape, DataShape, RoleInScope } from '../../../shared/core/flow/scope';
import type { Role } from '../canvas/types';

/** A capability with its display titles, for pickers. */
export interface CapabilityInfo {
  readonly id: string;
  readonly title: string;
  readonly shape: CapabilityShape;
  /** Member titles by kind and name (falls back to the name). */
  readonly titles: Readonly<Record<'property' | 'action' | 'event', Readonly<Record<string, string>>>>;
}

/** Converts a capability file to the shapes the validator reads; `extends` is followed in `all`. */
export const capabilityInfo = (
  capability: Capability,
  all: ReadonlyMap<string, Capability> = new Map(),
): CapabilityInfo => {
  const chain: Capability[] = [];
  const visit = (c: Capability, seen: Set<string>) => {
    if (seen.has(c.id)) return;
    seen.add(c.id);
    for (const parent of c.extends ?? []) {
      const p = all.get(parent);
      if (p) visit(p, seen);
    }
    chain.push(c);
  };
  visit(capability, new Set());
  const properties: Record<string, DataShape & { writable?: boolean }> = {};
  const actions: Record<string, { input?: DataShape; output?: DataShape }> = {};
  const events: Record<string, { data?: DataShape }> = {};
  const titles = {
    property: {} as Record<string, string>,
    action: {} as Record<string, string>,
    event: {} as Record<string, string>,
  };
  for (const c of chain) {
    for (const [name, p] of Object.entries(c.properties ?? {})) {
      properties[name] = { ...(p.data as DataShape), writable: p.write };
      titles.property[name] = p.title ?? name;
    }
    for (const [name, a] of Object.entries(c.actions ?? {})) {
      actions[name] = {
        ...(a.input ? { input: a.input as DataShape } : {}),
        ...(a.output ? { output: a.output as DataShape } : {}),
      };
      titles.action[name] = a.title ?? name;
    }
    for (const [name, e] of Object.entries(c.events ?? {})) {
      events[name] = e.data ? { data: e.data as DataShape } : {};
      titles.event[name] = e.title ?? name;
    }
  }
  return {
    id: capability.id,
    title: capability.title,
    shape: { id: capability.id, properties, actions, events },
    titles,
  };
};

const library = import.meta.glob<Capability>('../../../resources/library/capabilities/*.json', {
  eager: true,
  import: 'default',
});

/** The built-in capability library, by id. */
export const builtinCapabilities = (): ReadonlyMap<string, CapabilityInfo> => {
  const raw = new Map(Object.values(library).map((c) => [c.id, c]));
  return new Map([...raw.values()].map((c) => [c.id, capabilityInfo(c, raw)]));
};

/** The roles of a design with their capabilities, as expressions and the validator see them. */
export const rolesInScope = (
  roles: readonly Role[],
  capabilities: ReadonlyMap<string, CapabilityInfo>,
): RoleInScope[] =>
  roles.flatMap((r) => {
    const c = capabilities.get(r.capability);
    return c ? [{ name: r.id, ...(r.title ? { title: r.title } : {}), capability: c.shape }] : [];
  });
