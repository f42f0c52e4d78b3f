/**
 * Entity-level understanding: the shared vocabulary of every discovery interpreter (Home
 * Assistant discovery, ESPHome, zigbee2mqtt, Tasmota, Shelly, Homie).
 *
 * A device is what its announcements say it is. Each thing a device announces on its own — a
 * Home Assistant discovery entity, a zigbee2mqtt expose, a Tasmota relay or sensor, a Shelly
 * component (`switch:0`), a Homie property — becomes one `DiscoveredEntity`:
 *
 * - `binding` is a capability binding at the entity's own topics with its own templates: a
 *   model `Implementation` whose topics are concrete (no `{variables}`) and whose mappings are
 *   inline, so the gateway runs it exactly like a model implementation;
 * - `status` says what was understood: `bound` (read and bound to a capability), `unmapped`
 *   (read, but the library has no capability for it: uptime, link quality), `unsupported`
 *   (uses something we do not read — a template outside the common subset, an unknown light
 *   schema — never guessed) or `invalid` (the announcement is broken), with a `reason` for
 *   everything but `bound`;
 * - entities are grouped into one device by the identifiers the ecosystem uses (HA `dev.ids` /
 *   connections, a z2m IEEE address, a Tasmota MAC, a Shelly id, a Homie device id): an
 *   interpreter reports one `Sighting` per device carrying all of its entities, and the registry
 *   merges sightings of one device (the same entity told twice — z2m natively and through HA
 *   discovery — is kept once).
 *
 * Confidence (see `deviceConfidence`): a library model's rule says how sure we are of what the
 * device is (identification); a device's confidence is that, but only while every entity it
 * announced was understood. A device with any `unsupported` or `invalid` entity is capped
 * below 0.8 and its `understanding.summary` says so ("3 of 4 entities understood; the 4th uses
 * an unsupported template"). A device no model matched is still listed with its raw entities,
 * and its bound entities can be bound to roles one by one.
 *
 * On a site, a `Device` carries the entities it was bound with (`Device.entities`, keyed by
 * entity id); `modelForDevice` (shared/core/model/entities.ts) joins them with the library
 * model's implementations so the resolver, readiness and the gateway see one model. A library
 * model still applies where it adds something (availability, wiring, commissioning) but only
 * for capabilities no entity provides: the entities decide what the device can do.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Implementation } from '../model/schema-device-model';
import { NAME_PATTERN } from '../model/schema-common';

/** The ecosystems whose announcements are read entity by entity. */
export const Ecosystem = Type.Union([
  Type.Literal('homeassistant'),
  Type.Literal('esphome'),
  Type.Literal('zigbee2mqtt'),
  Type.Literal('tasmota'),
  Type.Literal('shelly'),
  Type.Literal('homie'),
]);
export type Ecosystem = Static<typeof Ecosystem>;

/**
 * What became of one announced entity: `bound` to a capability; `unmapped` (understood, but no
 * library capability fits); `unsupported` (uses something not read, named in `reason`);
 * `invalid` (the announcement itself is broken).
 */
export const EntityStatus = Type.Union([
  Type.Literal('bound'),
  Type.Literal('unmapped'),
  Type.Literal('unsupported'),
  Type.Literal('invalid'),
]);
export type EntityStatus = Static<typeof EntityStatus>;

/** One entity a device announced, and what it became. */
export const DiscoveredEntity = Type.Object({
  /** Unique within the device, stable across re-announcements; usable as an implementation key. */
  id: Type.String({ pattern: NAME_PATTERN, maxLength: 64 }),
  ecosystem: Ecosystem,
  /** The ecosystem's own kind: HA `binary_sensor`, z2m `numeric`, Tasmota `relay`, Shelly `switch`, Homie `boolean`. */
  component: Type.String({ maxLength: 100 }),
  /** The entity's name as announced (cleaned for display). */
  name: Type.String({ maxLength: 200 }),
  /** Which channel of the device it is: `1`, `l2`, `switch:0`, `temperature`, the HA object id… */
  channel: Type.String({ maxLength: 200 }),
  /** The capability it is bound to, when `status` is `bound`. */
  capability: Type.Union([Type.String(), Type.Null()]),
  /** The binding at the entity's own topics (concrete topics, inline mappings); present when `bound`. */
  binding: Type.Union([Implementation, Type.Null()]),
  /** Where its state arrives, for lists and `discover --json`. */
  state_topic: Type.Optional(Type.String({ maxLength: 500 })),
  /** Where commands go, when it takes any. */
  command_topic: Type.Optional(Type.String({ maxLength: 500 })),
  status: EntityStatus,
  /** Why it is not bound (required for every status but `bound`), or a note on what was left out. */
  reason: Type.Optional(Type.String({ maxLength: 500 })),
  /** The entity's announcement as received (a config, an expose, a component status), for the details view. */
  raw: Type.Unknown(),
});
export type DiscoveredEntity = Static<typeof DiscoveredEntity>;

/** How much of a device's announcements were understood, in counts and in words. */
export const Understanding = Type.Object({
  /** Every entity announced. */
  entities: Type.Integer({ minimum: 0 }),
  bound: Type.Integer({ minimum: 0 }),
  unmapped: Type.Integer({ minimum: 0 }),
  /** `unsupported` plus `invalid`: what we could not read. */
  notUnderstood: Type.Integer({ minimum: 0 }),
  /** "3 of 4 entities understood; the 4th uses an unsupported template" or "all 5 entities understood". */
  summary: Type.String(),
});
export type Understanding = Static<typeof Understanding>;

/** The highest confidence a device may have while some entity was not understood. */
export const PARTIAL_CONFIDENCE_CAP = 0.75;

const ordinal = (n: number): string => {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
};

/**
 * Counts and words for a device's entities. Entities the library has no capability for
 * (`unmapped`) count as understood; the summary names the first few not understood, by their
 * position in the announcement, with their reason.
 */
export const understandingOf = (entities: readonly DiscoveredEntity[]): Understanding => {
  const bound = entities.filter((e) => e.status === 'bound').length;
  const unmapped = entities.filter((e) => e.status === 'unmapped').length;
  const missed = entities
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.status === 'unsupported' || e.status === 'invalid');
  const total = entities.length;
  const understood = bound + unmapped;
  let summary: string;
  if (total === 0) summary = 'no entities announced';
  else if (missed.length === 0)
    summary = total === 1 ? 'its one entity understood' : `all ${total} entities understood`;
  else {
    const named = missed
      .slice(0, 3)
      .map(({ e, i }) => `the ${ordinal(i + 1)} (${e.name}) ${e.reason ?? 'was not understood'}`);
    const more = missed.length > 3 ? `; ${missed.length - 3} more not understood` : '';
    summary = `${understood} of ${total} entities understood; ${named.join('; ')}${more}`;
  }
  return { entities: total, bound, unmapped, notUnderstood: missed.length, summary };
};

/**
 * A device's confidence from how sure the identification is and how much of it was understood:
 * the identification's confidence when every entity was understood (or the device announced
 * none), else at most PARTIAL_CONFIDENCE_CAP, lowered further in proportion to what was missed.
 */
export const deviceConfidence = (identification: number, understanding: Understanding): number => {
  const sure = Math.max(0, Math.min(1, identification));
  if (understanding.notUnderstood === 0 || understanding.entities === 0) return sure;
  const share = 1 - understanding.notUnderstood / understanding.entities;
  return Math.round(Math.min(sure, PARTIAL_CONFIDENCE_CAP) * share * 100) / 100;
};

/**
 * An entity id from any text (`switch.relay 1` → `switch_relay_1`), unique among `taken`
 * (a suffix `_2`, `_3`… is added); the id is added to `taken`.
 */
export const entityId = (text: string, taken: Set<string>): string => {
  let base = text
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 56);
  if (!/^[A-Za-z_]/.test(base)) base = `e_${base}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  taken.add(id);
  return id;
};

/** What makes two entities the same one told twice: same capability, same state topic and value read. */
const sameness = (entity: DiscoveredEntity): string | null => {
  if (entity.status !== 'bound' || !entity.binding) return null;
  const observe = Object.values(entity.binding.properties ?? {})
    .flatMap((p) => p.observe ?? [])
    .map((s) => `${s.kind === 'mqtt' ? s.topic : s.url}|${s.valuePath ?? ''}`)
    .sort();
  const maps = JSON.stringify(
    Object.values(entity.binding.properties ?? {})
      .flatMap((p) => p.map ?? [])
      .filter((m) => typeof m !== 'string' && m.kind === 'template'),
  );
  return `${entity.capability}|${observe.join(',')}|${maps}`;
};

/**
 * The entities of a device told by several sightings, in sighting order: ids are made unique
 * across sightings, and a bound entity that repeats an earlier one (same capability, topics and
 * value) is dropped, so a zigbee2mqtt device seen natively and through HA discovery lists each
 * channel once.
 */
export const mergeEntities = (
  lists: readonly (readonly DiscoveredEntity[] | undefined)[],
): DiscoveredEntity[] => {
  const present = lists.filter((l): l is readonly DiscoveredEntity[] => !!l && l.length > 0);
  if (present.length === 0) return [];
  if (present.length === 1) return [...present[0]!];
  const out: DiscoveredEntity[] = [];
  const seen = new Set<string>();
  const ids = new Set<string>();
  for (const list of present) {
    for (const entity of list) {
      const same = sameness(entity);
      if (same !== null) {
        if (seen.has(same)) continue;
        seen.add(same);
      }
      const id = ids.has(entity.id) ? entityId(entity.id, ids) : (ids.add(entity.id), entity.id);
      out.push(id === entity.id ? entity : { ...entity, id });
    }
  }
  return out;
};
