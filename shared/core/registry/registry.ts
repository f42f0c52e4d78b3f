import { heardKeys, heardTopics } from './heard';
import type { Placement } from './placement';
import type {
  DiscoveredDevice,
  DiscoverySource,
  Identity,
  MatchableModel,
  RegistryChange,
  Sighting,
} from './types';
import { describeDevice, deviceView, type DeviceContent } from './view';

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
  /** What the sightings say (view.ts); kept while only liveness (online, last seen) changes. */
  content: DeviceContent | null;
  view: DiscoveredDevice | null;
}

/** The sighting owning a topic, resolved once per topic until ownership changes (see `heard`). */
interface TopicOwner {
  readonly sid: string;
  readonly entry: Entry;
  /** The sighting's seenAt when last looked at: never later than the real one, so skipping on it is safe. */
  seenAt: number;
}

/** Topics remembered with their owner (or with nobody) before the memo starts over. */
const MAX_HEARD_MEMO = 20_000;

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

const sameList = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

// The collator `localeCompare` would make on every call, made once: the same order, far cheaper.
const collator = new Intl.Collator();

/**
 * Creates a registry. Guarantees: a sighting sharing any identity key (MAC, serial, topic,
 * host name) with a device joins that device, and a sighting that bridges two devices merges
 * them into the older one (the younger id is reported removed); every source's raw data is
 * kept on the device; changes are emitted at most once per batch window, newest state only.
 * Cost: a device's model match and entities are worked out again only when one of its
 * sightings changes in content; "last seen" and online changes only refresh its liveness.
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
  // Every entry in list order; null when a device came, went or was renamed since it was sorted.
  let sorted: Entry[] | null = null;
  // Topic (or topic prefix) → the sightings owning it, and each sighting's keys to undo them.
  const owners = new Map<string, Set<string>>();
  const owned = new Map<string, string[]>();
  // Message topic → its owner (null: nobody, or two devices), so that a message costs one lookup.
  // Emptied whenever ownership or the sighting → device mapping changes.
  const heardMemo = new Map<string, TopicOwner | null>();
  const ownerOf = new Map<string, TopicOwner>();
  const forgetHeard = (): void => {
    heardMemo.clear();
    ownerOf.clear();
  };
  const own = (sid: string, sighting: Sighting | null): void => {
    const next = sighting ? heardTopics(sighting) : null;
    const keys = next ? [...next.exact, ...next.prefixes] : [];
    const before = owned.get(sid);
    if (sameList(before, keys) || (before === undefined && keys.length === 0)) return;
    forgetHeard();
    for (const key of before ?? []) {
      const set = owners.get(key);
      set?.delete(sid);
      if (set?.size === 0) owners.delete(key);
    }
    owned.delete(sid);
    if (keys.length === 0) return;
    owned.set(sid, keys);
    for (const key of keys) {
      const set = owners.get(key) ?? new Set<string>();
      set.add(sid);
      owners.set(key, set);
    }
  };
  // Who owns `topic`: the first of its keys (heardKeys) owned by sightings of one device only.
  const resolveOwner = (topic: string): TopicOwner | null => {
    for (const key of heardKeys(topic)) {
      const sids = owners.get(key);
      if (!sids) continue;
      let first: string | undefined;
      let device: string | undefined;
      let shared = false;
      for (const sid of sids) {
        const id = bySighting.get(sid);
        if (first === undefined) {
          first = sid;
          device = id;
        } else if (id !== device) {
          shared = true;
          break;
        }
      }
      if (shared || first === undefined) continue;
      const entry = entries.get(device ?? '');
      const sighting = entry?.sightings.get(first);
      if (!entry || !sighting) continue;
      let owner = ownerOf.get(first);
      if (!owner) {
        owner = { sid: first, entry, seenAt: sighting.seenAt };
        ownerOf.set(first, owner);
      }
      return owner;
    }
    return null;
  };
  let cancelTimer: (() => void) | null = null;
  let created = 0;

  const view = (entry: Entry): DiscoveredDevice => {
    if (entry.view) return entry.view;
    entry.content ??= describeDevice(entry.id, entry.sightings, entry.keys, models, placements);
    entry.view = deviceView(entry.content, entry.sightings);
    return entry.view;
  };

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

  const schedule = (): void => {
    if (!cancelTimer && options.onChange) cancelTimer = options.schedule(emit, batchMs);
  };

  /** Marks a device changed: in content (`content`), or only in liveness (online, last seen). */
  const touch = (entry: Entry, content = true): void => {
    if (content) {
      entry.content = null;
      sorted = null;
    }
    entry.view = null;
    changed.add(entry.id);
    removed.delete(entry.id);
    schedule();
  };

  const drop = (entry: Entry): void => {
    for (const key of entry.keys) if (byKey.get(key) === entry.id) byKey.delete(key);
    entries.delete(entry.id);
    changed.delete(entry.id);
    removed.add(entry.id);
    sorted = null;
    forgetHeard();
    schedule();
  };

  const reindex = (entry: Entry): void => {
    for (const key of entry.keys) if (byKey.get(key) === entry.id) byKey.delete(key);
    entry.keys = [...new Set([...entry.sightings.values()].flatMap((s) => identityKeys(s.identity)))];
    for (const key of entry.keys) byKey.set(key, entry.id);
  };

  const newEntry = (sighting: Sighting): Entry => {
    const base = identityKeys(sighting.identity)[0] ?? sightingId(sighting.source, sighting.key);
    let id = base;
    for (let n = 2; entries.has(id); n++) id = `${base}~${n}`;
    const entry: Entry = {
      id,
      created: created++,
      sightings: new Map(),
      keys: [],
      content: null,
      view: null,
    };
    entries.set(id, entry);
    sorted = null;
    return entry;
  };

  return {
    upsert(sighting) {
      const sid = sightingId(sighting.source, sighting.key);
      const keys = identityKeys(sighting.identity);
      // The devices this sighting belongs to: its own, and every device sharing an identity key.
      const found: Entry[] = [];
      const consider = (id: string | undefined): void => {
        const entry = id === undefined ? undefined : entries.get(id);
        if (entry && !found.includes(entry)) found.push(entry);
      };
      const currentId = bySighting.get(sid);
      consider(currentId);
      for (const key of keys) consider(byKey.get(key));
      if (found.length > 1) found.sort((a, b) => a.created - b.created);
      const target = found[0] ?? newEntry(sighting);
      for (let i = 1; i < found.length; i++) {
        const other = found[i]!;
        for (const [key, s] of other.sightings) {
          target.sightings.set(key, s);
          bySighting.set(key, target.id);
        }
        drop(other);
      }
      const previous = target.sightings.get(sid);
      target.sightings.set(sid, sighting);
      if (currentId !== target.id) {
        bySighting.set(sid, target.id);
        forgetHeard();
      }
      own(sid, sighting);
      // The same sighting told again with the same identity changes no index.
      if (found.length !== 1 || !previous || !sameList(identityKeys(previous.identity), keys))
        reindex(target);
      touch(target);
    },
    heard(topic, at) {
      let owner = heardMemo.get(topic);
      if (owner === undefined) {
        if (heardMemo.size >= MAX_HEARD_MEMO) forgetHeard();
        owner = resolveOwner(topic);
        heardMemo.set(topic, owner);
      }
      // Once a second is enough for "last seen", and keeps a chatty device from flooding the batches.
      if (!owner || at - owner.seenAt < 1000) return;
      const sighting = owner.entry.sightings.get(owner.sid);
      if (!sighting) return;
      owner.seenAt = sighting.seenAt;
      if (at - sighting.seenAt < 1000) return;
      owner.seenAt = at;
      owner.entry.sightings.set(owner.sid, { ...sighting, seenAt: at });
      touch(owner.entry, false);
    },
    setOnline(source, key, online, at) {
      const sid = sightingId(source, key);
      const entry = entries.get(bySighting.get(sid) ?? '');
      const sighting = entry?.sightings.get(sid);
      if (!entry || !sighting) return;
      if (sighting.online === online) return;
      entry.sightings.set(sid, { ...sighting, online, seenAt: Math.max(sighting.seenAt, at) });
      touch(entry, false);
    },
    remove(source, key) {
      const sid = sightingId(source, key);
      const entry = entries.get(bySighting.get(sid) ?? '');
      bySighting.delete(sid);
      own(sid, null);
      forgetHeard();
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
    list() {
      if (!sorted) {
        for (const entry of entries.values()) view(entry);
        sorted = [...entries.values()].sort((a, b) => {
          const x = a.view!;
          const y = b.view!;
          return collator.compare(x.name, y.name) || collator.compare(x.id, y.id);
        });
      }
      return sorted.map(view);
    },
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
