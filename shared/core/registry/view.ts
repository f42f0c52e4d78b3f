/**
 * How the registry turns one device's sightings into the `DiscoveredDevice` it lists, in two
 * parts: what the sightings say (identity, name, entities, model match, site and room), which
 * only changes when a sighting's content does, and liveness (online, last seen), which changes
 * with every "last seen" refresh and availability message. Keeping the first part while only
 * liveness changed is what lets a chatty device refresh its last seen without re-matching it.
 */
import { deviceConfidence, mergeEntities, understandingOf } from './entities';
import { matchModel } from './match';
import type { Placement } from './placement';
import type { DiscoveredDevice, DiscoverySource, Identity, MatchableModel, Sighting } from './types';

/** What a device's sightings say, all but liveness; `order` lists their ids as the view sorts them. */
export interface DeviceContent {
  readonly device: Omit<DiscoveredDevice, 'online' | 'lastSeen' | 'sightings'>;
  readonly order: readonly string[];
}

const sourceOrder: Record<DiscoverySource, number> = { mqtt: 0, mdns: 1, usb: 2 };
const IDENTITY_FIELDS = ['mac', 'serial', 'hostname', 'topic'] as const;

/**
 * The content part of a device's view: sightings sorted by source then key; the first value of
 * each identity field, name, kind, site and room in that order; native entities winning over the
 * Home Assistant copies of the same device; the best library model, its confidence capped by
 * what was understood. Guarantees the same result as long as the sightings' content (not their
 * `online` or `seenAt`), the models and the placements are the same.
 */
export const describeDevice = (
  id: string,
  sightingsById: ReadonlyMap<string, Sighting>,
  keys: readonly string[],
  models: readonly MatchableModel[],
  placements: ReadonlyMap<string, Placement>,
): DeviceContent => {
  let placement: Placement | undefined;
  for (const key of keys) {
    placement = placements.get(key);
    if (placement) break;
  }
  const order = [...sightingsById.keys()];
  if (order.length > 1) {
    order.sort((x, y) => {
      const a = sightingsById.get(x)!;
      const b = sightingsById.get(y)!;
      return sourceOrder[a.source] - sourceOrder[b.source] || a.key.localeCompare(b.key);
    });
  }
  const sightings = order.map((sid) => sightingsById.get(sid)!);
  const identity: Identity = {};
  for (const s of sightings) {
    for (const field of IDENTITY_FIELDS) {
      const value = s.identity[field];
      if (value && identity[field] === undefined) identity[field] = value;
    }
  }
  const name = sightings.find((s) => s.name && s.name.trim() !== '')?.name ?? id;
  const kind = sightings.find((s) => s.kind && s.kind !== 'service')?.kind ?? sightings[0]?.kind ?? 'unknown';
  // What a bridge or firmware tells natively is the fuller account of a device it also announces
  // through Home Assistant discovery (`ha.via`): the native entities win, the HA copies are dropped.
  const native = new Set(sightings.filter((s) => s.entities?.length).map((s) => s.facts['mqtt.protocol']));
  const entities = mergeEntities(
    sightings.filter((s) => !(s.facts['ha.via'] && native.has(s.facts['ha.via']))).map((s) => s.entities),
  );
  const understanding = understandingOf(entities);
  const match = matchModel(sightings, models);
  return {
    order,
    device: {
      id,
      name,
      kind,
      sources: [...new Set(sightings.map((s) => s.source))],
      identity,
      model: match
        ? {
            ...match,
            confidence: deviceConfidence(match.confidence, understanding),
            ...(understanding.notUnderstood > 0
              ? { reason: `${match.reason}; ${understanding.summary}` }
              : {}),
          }
        : null,
      addresses: [...new Set(sightings.flatMap((s) => s.addresses))],
      site: placement?.site ?? sightings.find((s) => s.facts.site)?.facts.site ?? 'Unknown site',
      room: placement?.room ?? sightings.find((s) => s.facts.room)?.facts.room ?? null,
      warnings: [...new Set(sightings.flatMap((s) => s.warnings))],
      entities,
      understanding,
    },
  };
};

/**
 * The listed device: `content` with the sightings as they are now. Online when any sighting says
 * online, offline when none does and some says offline, unknown otherwise; last seen is the
 * latest sighting's.
 */
export const deviceView = (
  content: DeviceContent,
  sightingsById: ReadonlyMap<string, Sighting>,
): DiscoveredDevice => {
  const sightings: Sighting[] = [];
  let online: boolean | null = null;
  let lastSeen = 0;
  for (const sid of content.order) {
    const s = sightingsById.get(sid);
    if (!s) continue;
    sightings.push(s);
    if (s.online === true) online = true;
    else if (s.online === false && online === null) online = false;
    if (s.seenAt > lastSeen) lastSeen = s.seenAt;
  }
  const d = content.device;
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    sources: d.sources,
    identity: d.identity,
    model: d.model,
    addresses: d.addresses,
    online,
    lastSeen,
    site: d.site,
    room: d.room,
    warnings: d.warnings,
    sightings,
    entities: d.entities,
    understanding: d.understanding,
  };
};
