import { deviceConfidence, mergeEntities, understandingOf } from './entities';
import { heardKeys, heardTopics } from './heard';
import { matchModel } from './match';
import type { Placement } from './placement';
import type {
  DiscoveredDevice,
  DiscoverySource,
  Identity,
  MatchableModel,
  RegistryChange,
  Sighting,
} from './types';

/** Runs `task` after `ms` milliseconds; returns a function that cancels it. Injected so the core stays platform-free. */
export type Schedule = (task: () => void, ms: number) => () => void;

/** What the registry needs from its host. */
export interface RegistryOptions {
  readonly schedule: Schedule;
  /** Library models to match devices against; can be replaced later with `setModels`. */
  readonly models?: readonly MatchableModel[];
  /** How long changes are collected before one batch is emitted (default 150 ms). */
  readonly batchMs?: number;
  readonly onChange?: (change: RegistryChange) => void;
}

/** The live device registry: sources feed sightings in, batched device changes come out. */
export interface DeviceRegistry {
  /** Adds or replaces a sighting (same source and key) and merges it with devices sharing an identity. */
  upsert(sighting: Sighting): void;
  /** Marks a sighting online or offline without other changes; unknown sightings are ignored. */
  setOnline(source: DiscoverySource, key: string, online: boolean, at: number): void;
  /**
   * An MQTT message arrived on `topic`: the device owning the topic (heard.ts) counts as seen
   * at `at`. Refreshes at most once a second per device; topics no device owns, or owned by two
   * devices, are ignored.
   */
  heard(topic: string, at: number): void;
  /** Forgets a sighting; a device with no sightings left is removed. */
  remove(source: DiscoverySource, key: string): void;
  /** Forgets every sighting of one source (the source stopped). */
  removeSource(source: DiscoverySource): void;
  /** Every device, sorted by name then id. */
  list(): DiscoveredDevice[];
  get(id: string): DiscoveredDevice | undefined;
  /** Replaces where the open project's site files put devices (site and room by identity). */
  setPlacements(placements: readonly Placement[]): void;
  /** Replaces the library models and re-matches every device. */
  setModels(models: readonly MatchableModel[]): void;
  /** Emits pending changes now instead of waiting for the batch timer. */
  flush(): void;
  /** Cancels the batch timer; pending changes are dropped. */
  dispose(): void;
}

interface Entry {
  readonly id: string;
  readonly created: number;
  readonly sightings: Map<string, Sighting>;
  keys: string[];
  view: DiscoveredDevice | null;
}

const sourceOrder: Record<DiscoverySource, number> = { mqtt: 0, mdns: 1, usb: 2 };

/** The identity keys of a sighting, most telling first (a MAC beats a host name). */
export const identityKeys = (identity: Identity): string[] => {
  const keys: string[] = [];
  if (identity.mac) keys.push(`mac:${identity.mac.toLowerCase()}`);
  if (identity.serial) keys.push(`serial:${identity.serial}`);
  if (identity.topic) keys.push(`topic:${identity.topic}`);
  if (identity.hostname) keys.push(`host:${identity.hostname.toLowerCase()}`);
  return keys;
};

const sightingId = (source: DiscoverySource, key: string): string => `${source}:${key}`;

const buildView = (
  entry: Entry,
  models: readonly MatchableModel[],
  placements: ReadonlyMap<string, Placement>,
): DiscoveredDevice => {
  const placement = entry.keys.map((k) => placements.get(k)).find((p) => p !== undefined);
  const sightings = [...entry.sightings.values()].sort(
    (a, b) => sourceOrder[a.source] - sourceOrder[b.source] || a.key.localeCompare(b.key),
  );
  const identity: Identity = {};
  for (const s of sightings) {
    for (const field of ['mac', 'serial', 'hostname', 'topic'] as const) {
      const value = s.identity[field];
      if (value && identity[field] === undefined) identity[field] = value;
    }
  }
  const online = sightings.some((s) => s.online === true)
    ? true
    : sightings.some((s) => s.online === false)
      ? false
      : null;
  const name = sightings.find((s) => s.name && s.name.trim() !== '')?.name ?? entry.id;
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
    id: entry.id,
    name,
    kind,
    sources: [...new Set(sightings.map((s) => s.source))],
    identity,
    model: match
      ? {
          ...match,
          confidence: deviceConfidence(match.confidence, understanding),
          ...(understanding.notUnderstood > 0 ? { reason: `${match.reason}; ${understanding.summary}` } : {}),
        }
      : null,
    addresses: [...new Set(sightings.flatMap((s) => s.addresses))],
    online,
    lastSeen: Math.max(0, ...sightings.map((s) => s.seenAt)),
    site: placement?.site ?? sightings.find((s) => s.facts.site)?.facts.site ?? 'Unknown site',
    room: placement?.room ?? sightings.find((s) => s.facts.room)?.facts.room ?? null,
    warnings: [...new Set(sightings.flatMap((s) => s.warnings))],
    sightings,
    entities,
    understanding,
  };
};

const byName = (a: DiscoveredDevice, b: DiscoveredDevice): number =>
  a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/**
 * Creates a registry. Guarantees: a sighting sharing any identity key (MAC, serial, topic,
 * host name) with a device joins that device, and a sighting that bridges two devices merges
 * them into the older one (the younger id is reported removed); every source's raw data is
 * kept on the device; changes are emitted at most once per batch window, newest state only.
 */
export const createDeviceRegistry = (options: RegistryOptions): DeviceRegistry => {
  const batchMs = options.batchMs ?? 150;
  let models: readonly MatchableModel[] = options.models ?? [];
  let placements = new Map<string, Placement>();
  const entries = new Map<string, Entry>();
  const byKey = new Map<string, string>();
  const bySighting = new Map<string, string>();
  const changed = new Set<string>();
  const removed = new Set<string>();
  // Topic (or topic prefix) → the sightings owning it, and each sighting's keys to undo them.
  const owners = new Map<string, Set<string>>();
  const owned = new Map<string, string[]>();
  const own = (sid: string, sighting: Sighting | null): void => {
    for (const key of owned.get(sid) ?? []) {
      const set = owners.get(key);
      set?.delete(sid);
      if (set?.size === 0) owners.delete(key);
    }
    owned.delete(sid);
    if (!sighting) return;
    const { exact, prefixes } = heardTopics(sighting);
    const keys = [...exact, ...prefixes];
    if (keys.length === 0) return;
    owned.set(sid, keys);
    for (const key of keys) {
      const set = owners.get(key) ?? new Set<string>();
      set.add(sid);
      owners.set(key, set);
    }
  };
  let cancelTimer: (() => void) | null = null;
  let created = 0;

  const emit = (): void => {
    cancelTimer = null;
    if (changed.size === 0 && removed.size === 0) return;
    const upserted: DiscoveredDevice[] = [];
    for (const id of changed) {
      const entry = entries.get(id);
      if (entry) upserted.push(view(entry));
    }
    const change = { upserted, removed: [...removed] };
    changed.clear();
    removed.clear();
    options.onChange?.(change);
  };

  const touch = (entry: Entry): void => {
    entry.view = null;
    changed.add(entry.id);
    removed.delete(entry.id);
    if (!cancelTimer && options.onChange) cancelTimer = options.schedule(emit, batchMs);
  };

  const drop = (entry: Entry): void => {
    for (const key of entry.keys) if (byKey.get(key) === entry.id) byKey.delete(key);
    entries.delete(entry.id);
    changed.delete(entry.id);
    removed.add(entry.id);
    if (!cancelTimer && options.onChange) cancelTimer = options.schedule(emit, batchMs);
  };

  const reindex = (entry: Entry): void => {
    for (const key of entry.keys) if (byKey.get(key) === entry.id) byKey.delete(key);
    entry.keys = [...new Set([...entry.sightings.values()].flatMap((s) => identityKeys(s.identity)))];
    for (const key of entry.keys) byKey.set(key, entry.id);
  };

  const view = (entry: Entry): DiscoveredDevice => (entry.view ??= buildView(entry, models, placements));

  const newEntry = (sighting: Sighting): Entry => {
    const base = identityKeys(sighting.identity)[0] ?? sightingId(sighting.source, sighting.key);
    let id = base;
    for (let n = 2; entries.has(id); n++) id = `${base}~${n}`;
    const entry: Entry = { id, created: created++, sightings: new Map(), keys: [], view: null };
    entries.set(id, entry);
    return entry;
  };

  return {
    upsert(sighting) {
      const sid = sightingId(sighting.source, sighting.key);
      const candidates = new Set<string>();
      const current = bySighting.get(sid);
      if (current) candidates.add(current);
      for (const key of identityKeys(sighting.identity)) {
        const id = byKey.get(key);
        if (id) candidates.add(id);
      }
      const found = [...candidates].map((id) => entries.get(id)).filter((e): e is Entry => e !== undefined);
      found.sort((a, b) => a.created - b.created);
      const target = found[0] ?? newEntry(sighting);
      for (const other of found.slice(1)) {
        for (const [key, s] of other.sightings) {
          target.sightings.set(key, s);
          bySighting.set(key, target.id);
        }
        drop(other);
      }
      target.sightings.set(sid, sighting);
      bySighting.set(sid, target.id);
      own(sid, sighting);
      reindex(target);
      touch(target);
    },
    heard(topic, at) {
      for (const key of heardKeys(topic)) {
        const sids = owners.get(key);
        if (!sids) continue;
        const ids = new Set([...sids].map((sid) => bySighting.get(sid)));
        if (ids.size !== 1) continue;
        const sid = [...sids][0] as string;
        const entry = entries.get(bySighting.get(sid) ?? '');
        const sighting = entry?.sightings.get(sid);
        if (!entry || !sighting) continue;
        // Once a second is enough for "last seen", and keeps a chatty device from flooding the batches.
        if (at - sighting.seenAt < 1000) return;
        entry.sightings.set(sid, { ...sighting, seenAt: at });
        touch(entry);
        return;
      }
    },
    setOnline(source, key, online, at) {
      const sid = sightingId(source, key);
      const entry = entries.get(bySighting.get(sid) ?? '');
      const sighting = entry?.sightings.get(sid);
      if (!entry || !sighting) return;
      if (sighting.online === online) return;
      entry.sightings.set(sid, { ...sighting, online, seenAt: Math.max(sighting.seenAt, at) });
      touch(entry);
    },
    remove(source, key) {
      const sid = sightingId(source, key);
      const entry = entries.get(bySighting.get(sid) ?? '');
      bySighting.delete(sid);
      own(sid, null);
      if (!entry || !entry.sightings.delete(sid)) return;
      if (entry.sightings.size === 0) drop(entry);
      else {
        reindex(entry);
        touch(entry);
      }
    },
    removeSource(source) {
      for (const sid of [...bySighting.keys()]) {
        if (sid.startsWith(`${source}:`)) this.remove(source, sid.slice(source.length + 1));
      }
    },
    list: () => [...entries.values()].map(view).sort(byName),
    get: (id) => {
      const entry = entries.get(id);
      return entry ? view(entry) : undefined;
    },
    setPlacements(next) {
      placements = new Map(next.flatMap((p) => p.keys.map((k) => [k, p] as const)));
      for (const entry of entries.values()) touch(entry);
    },
    setModels(next) {
      models = next;
      for (const entry of entries.values()) touch(entry);
    },
    flush() {
      cancelTimer?.();
      emit();
    },
    dispose() {
      cancelTimer?.();
      cancelTimer = null;
      changed.clear();
      removed.clear();
    },
  };
};
