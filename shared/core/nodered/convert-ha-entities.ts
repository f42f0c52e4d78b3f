/**
 * The entities a Home Assistant node names (across the node versions' field names) and the role
 * each becomes: an entity whose domain a Fieldgraph capability describes is a role named after
 * it; any other entity, a pattern or a name filled in from the message is a reason instead.
 */
import { text, type RedNode, type RoleNeed } from './types';

/** The property holding an entity's state and the CEL giving Home Assistant's state text from `v`. */
export interface StateOf {
  readonly property: string;
  readonly text: (v: string) => string;
}

/** What Fieldgraph offers for an entity domain: the capability of its role and its state. */
export interface Domain {
  readonly capability: string;
  readonly state?: StateOf;
}

const onOff: Domain = {
  capability: 'switch@1',
  state: { property: 'on', text: (v) => `${v} ? "on" : "off"` },
};

/** Domains a capability describes; the services each takes are in convert-ha-services.ts. */
export const DOMAINS: Readonly<Record<string, Domain>> = {
  switch: onOff,
  light: onOff,
  input_boolean: onOff,
  fan: onOff,
  cover: { capability: 'cover@1', state: { property: 'state', text: (v) => v } },
  lock: { capability: 'lock@1' },
  valve: { capability: 'valve@1' },
  // Home Assistant's climate state is its HVAC mode ("heat", "off"), the thermostat's mode.
  climate: { capability: 'thermostat@1', state: { property: 'mode', text: (v) => v } },
};

const ENTITY = /^([a-z0-9_]+)\.([a-z0-9_]+)$/;

/** Names from a list, a comma-separated text or one name; blanks dropped. */
export const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim())
    : typeof v === 'string' && v.trim() !== ''
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : [];

/** Whether a text is filled in from the message or context (Mustache, EJS, JSONata). */
export const filledIn = (v: string): boolean => /\{\{|<%|\$/.test(v);

/** Every entity a node names (possibly several), or why it names none it can be held to. */
export const entitiesOf = (
  n: RedNode,
  extra: readonly string[] = [],
): { entities: string[] } | { reason: string } => {
  let ids: string[];
  const entities = n.entities as Record<string, unknown> | undefined;
  if (entities && typeof entities === 'object' && !Array.isArray(entities)) {
    if (list(entities.substring).length || list(entities.regex).length)
      return { reason: 'It follows every entity matching a pattern; a role is one device.' };
    ids = list(entities.entity);
  } else {
    const type = text(n.entityIdType ?? n.entityidfiltertype) || 'exact';
    if (type !== 'exact' && type !== 'list')
      return { reason: `It follows every entity matching a ${type}; a role is one device.` };
    ids = list(n.entityId ?? n.entityid ?? n.entity_id ?? n.entityidfilter);
    const target = n.target as { entityId?: unknown } | undefined;
    if (target && typeof target === 'object') ids.push(...list(target.entityId));
  }
  ids = [...new Set([...ids, ...extra])];
  if (ids.length === 0) return { reason: 'It takes its entity from the message or names none.' };
  const dynamic = ids.find(filledIn);
  if (dynamic) return { reason: `Its entity “${dynamic}” is filled in from the message.` };
  return { entities: ids };
};

/** The one entity a node follows, or why there is not exactly one. */
export const entityOf = (n: RedNode): { entity: string } | { reason: string } => {
  const found = entitiesOf(n);
  if ('reason' in found) return found;
  if (found.entities.length > 1)
    return { reason: `It follows ${found.entities.length} entities; a role is one device.` };
  return { entity: found.entities[0]! };
};

/** The role for an entity, when its domain maps to a capability. */
export const roleOf = (
  entity: string,
): { role: RoleNeed; domain: Domain; domainName: string } | { reason: string } => {
  const m = ENTITY.exec(entity);
  const domain = m ? DOMAINS[m[1]!] : undefined;
  if (!m || !domain)
    return {
      reason: `Its entity “${entity}” is of a kind no Fieldgraph capability describes (switches, lights, fans, covers, locks, valves and thermostats are).`,
    };
  const id = `${m[1]}_${m[2]}`.slice(0, 120);
  return { role: { id, title: entity, capability: domain.capability }, domain, domainName: m[1]! };
};

/**
 * Capabilities that extend others in the library (resources/library/capabilities): a role one
 * node uses as a switch and another as a dimmer is a dimmer, which still has the switch's `on`.
 */
const EXTENDS: Readonly<Record<string, readonly string[]>> = {
  'dimmer@1': ['switch@1'],
  'color-light@1': ['dimmer@1', 'switch@1'],
  'fan@1': ['switch@1'],
};

/** Whether a role of capability `a` offers everything a role of capability `b` does. */
export const covers = (a: string, b: string): boolean => a === b || (EXTENDS[a] ?? []).includes(b);

/**
 * The roles of an import, one per id: where nodes need the same entity as different
 * capabilities, the one extending the others; capabilities that do not extend each other keep
 * the first (the project reports the other nodes' members as unknown).
 */
export const mergeRoles = (needs: readonly RoleNeed[]): RoleNeed[] => {
  const byId = new Map<string, RoleNeed>();
  for (const need of needs) {
    const have = byId.get(need.id);
    if (!have || (covers(need.capability, have.capability) && !covers(have.capability, need.capability)))
      byId.set(need.id, need);
  }
  return [...byId.values()];
};
