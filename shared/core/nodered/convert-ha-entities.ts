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
  /**
   * The CEL of the state sent as another of the nodes' state types, from `v`: `habool` (Home
   * Assistant's "on" as true), `num` (the state as a number). A type not listed is refused.
   */
  readonly as?: Readonly<Partial<Record<'habool' | 'num', (v: string) => string>>>;
  /** What of Home Assistant's states the text does not rebuild, when it does not rebuild all. */
  readonly misses?: string;
}

/** What Fieldgraph offers for an entity domain: the capability of its role and its state. */
export interface Domain {
  readonly capability: string;
  readonly state?: StateOf;
  /**
   * For a generic capability (an on/off state, a reading): what the flow leaves unknown about
   * the entity and how the person makes the role specific, as a note.
   */
  readonly unknown?: (entity: string, role: string) => string;
}

const onOff: Domain = {
  capability: 'switch@1',
  state: { property: 'on', text: (v) => `${v} ? "on" : "off"`, as: { habool: (v) => v } },
};

const unknownClass =
  (what: string, specific: string) =>
  (entity: string, role: string): string =>
    `The flow does not say ${entity}'s device class (what it ${what}), and guessing it from the name could be wrong: its role “${role}” claims no meaning. If you know it, swap the role's capability to the specific one (${specific}) and point its nodes at that capability's property.`;

/** Domains a capability describes; the services each takes are in convert-ha-services.ts. */
export const DOMAINS: Readonly<Record<string, Domain>> = {
  switch: onOff,
  light: onOff,
  input_boolean: onOff,
  fan: onOff,
  siren: { ...onOff, capability: 'siren@1' },
  cover: { capability: 'cover@1', state: { property: 'state', text: (v) => v } },
  lock: {
    capability: 'lock@1',
    state: {
      property: 'locked',
      text: (v) => `${v} ? "locked" : "unlocked"`,
      misses:
        'a lock role is locked or not, so Home Assistant’s locking, unlocking, open and jammed states do not occur',
    },
  },
  valve: {
    capability: 'valve@1',
    state: {
      property: 'open',
      text: (v) => `${v} ? "open" : "closed"`,
      misses: 'a valve role is open or not, so Home Assistant’s opening and closing states do not occur',
    },
  },
  // Home Assistant's climate state is its HVAC mode ("heat", "off"), the thermostat's mode.
  climate: { capability: 'thermostat@1', state: { property: 'mode', text: (v) => v } },
  // Its state is Home Assistant's ("playing", "paused", "off"…), which the capability's names.
  media_player: { capability: 'media-player@1', state: { property: 'state', text: (v) => v } },
  // A binary sensor's state is "on" or "off" whatever it detects; its device class says what.
  binary_sensor: {
    capability: 'binary-state@1',
    state: { property: 'active', text: (v) => `${v} ? "on" : "off"`, as: { habool: (v) => v } },
    unknown: unknownClass('detects', 'motion@1, contact@1, water-leak@1, smoke@1, occupancy@1…'),
  },
  sensor: {
    capability: 'reading@1',
    state: {
      property: 'value',
      text: (v) => `string(${v})`,
      as: { num: (v) => `double(${v})` },
      misses:
        'a number is sent as its shortest text (21.5), where Home Assistant sent the text the device reported (“21.50”)',
    },
    unknown: unknownClass('measures', 'temperature@1, humidity@1, battery@1, power-meter@1…'),
  },
  // "home", "not_home" or a zone's name, for a phone's tracker and for a person alike.
  device_tracker: { capability: 'presence@1', state: { property: 'state', text: (v) => v } },
  person: { capability: 'presence@1', state: { property: 'state', text: (v) => v } },
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

/** What an entity of a domain no capability describes is, as far as the flow says. */
const understood = (domain: string): string | undefined => {
  switch (domain) {
    case 'sun':
      // A state trigger on it converts (convert-ha-sun.ts); a test of its current state does not.
      return "the sun at Home Assistant's location, whose current state no role holds: test it with a Time window, or start the flow with a Sunrise / sunset trigger at the site's coordinates";
    case 'zone':
      return 'a zone Home Assistant draws on its map, which no device of a site reports';
    case 'input_number':
    case 'input_select':
    case 'input_text':
    case 'input_datetime':
    case 'input_button':
    case 'counter':
    case 'timer':
    case 'scene':
    case 'script':
    case 'automation':
    case 'group':
      return `a Home Assistant ${domain.replace('_', ' ')}, kept inside Home Assistant rather than a device a role stands for`;
    default:
      return undefined;
  }
};

/** Why an entity of a domain no capability describes is not a role, saying what was understood. */
const unmapped = (entity: string, domain: string): string => {
  const what = understood(domain);
  return `Its entity “${entity}” is of a kind no Fieldgraph capability describes${what ? `: ${what}.` : ' (switches, lights, fans, sirens, covers, locks, valves, thermostats, media players, binary sensors, sensors, trackers and persons are).'}`;
};

/** The role for an entity, when its domain maps to a capability. */
export const roleOf = (
  entity: string,
): { role: RoleNeed; domain: Domain; domainName: string } | { reason: string } => {
  const m = ENTITY.exec(entity);
  const domain = m ? DOMAINS[m[1]!] : undefined;
  if (!m || !domain) return { reason: unmapped(entity, m?.[1] ?? '') };
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
  'media-player@1': ['switch@1'],
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

/** Capabilities the importer uses that no built-in device model implements. */
const NO_BUILT_IN_MODEL = new Set([
  'media-player@1',
  'notifier@1',
  'presence@1',
  'binary-state@1',
  'reading@1',
]);

/**
 * What binding the role needs, as a note, where the entity is not plainly a device a built-in
 * model drives (a media player, a notifier, a tracker, a generic sensor, a flag Home Assistant
 * keeps); else nothing.
 */
export const bindingNote = (capability: string, entity: string): string | undefined =>
  entity.startsWith('input_boolean.')
    ? `${entity} is a flag Home Assistant keeps, not a device: its role needs a device that holds it.`
    : NO_BUILT_IN_MODEL.has(capability)
      ? `No built-in device model implements ${capability}: bind the role to a device whose model does (a project model over MQTT or HTTP); until then the flow does not deploy.`
      : undefined;
