import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../../../shared/core/registry/types';
import {
  ago,
  createDeviceList,
  groupOf,
  matchesFilter,
  type DeviceFilter,
} from '../../../../renderer/src/devices/store.svelte';

const device = (id: string, extra: Partial<DiscoveredDevice> = {}): DiscoveredDevice => ({
  id,
  name: id,
  kind: 'relay',
  sources: ['mqtt'],
  identity: {},
  model: null,
  addresses: [],
  online: true,
  lastSeen: 0,
  site: 'Broker 127.0.0.1',
  room: null,
  warnings: [],
  sightings: [],
  ...extra,
});

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** Counts how often a view reading `read` would re-render. */
const renders = (read: () => unknown): { count: number } => {
  const seen = { count: 0 };
  stops.push(
    $effect.root(() => {
      $effect(() => {
        read();
        seen.count++;
      });
    }),
  );
  flushSync();
  return seen;
};

describe('createDeviceList', () => {
  it('lists devices by name in natural order, then by id', () => {
    const list = createDeviceList();
    list.reset([
      device('c', { name: 'Node 10' }),
      device('b', { name: 'node 2' }),
      device('z', { name: 'Attic' }),
      device('a', { name: 'Node 2' }),
    ]);
    expect(list.devices.map((d) => d.id)).toEqual(['z', 'a', 'b', 'c']);
  });

  it('applies a batch as one change: a view re-renders once for a hundred devices', () => {
    const list = createDeviceList();
    list.reset([device('keep'), device('gone')]);
    const view = renders(() => list.devices);
    expect(view.count).toBe(1);

    list.apply({
      upserted: Array.from({ length: 100 }, (_, i) => device(`new-${i}`)),
      removed: ['gone'],
    });
    flushSync();

    expect(view.count).toBe(2);
    expect(list.devices).toHaveLength(101);
    expect(list.get('gone')).toBeUndefined();
    expect(list.get('new-42')?.id).toBe('new-42');
  });

  it('keeps the rows a batch did not touch as the same objects, and replaces changed ones', () => {
    const list = createDeviceList();
    const keep = device('keep');
    list.reset([keep, device('relay', { online: true })]);
    list.apply({ upserted: [device('relay', { online: false })], removed: [] });
    expect(list.devices.find((d) => d.id === 'keep')).toBe(keep);
    expect(list.get('relay')?.online).toBe(false);
    expect(list.devices).toHaveLength(2);
  });

  it('keeps a device removed and announced again in one batch (removals go first)', () => {
    const list = createDeviceList();
    list.reset([device('relay', { name: 'Old name' })]);
    list.apply({ upserted: [device('relay', { name: 'New name' })], removed: ['relay'] });
    expect(list.devices.map((d) => d.name)).toEqual(['New name']);
  });

  it('reset replaces everything (a reconnect forgets devices no longer listed)', () => {
    const list = createDeviceList();
    list.reset([device('a'), device('b')]);
    list.reset([device('c')]);
    expect(list.devices.map((d) => d.id)).toEqual(['c']);
    expect(list.get('a')).toBeUndefined();
  });

  it('ignores the removal of a device it never had', () => {
    const list = createDeviceList();
    list.reset([device('a')]);
    list.apply({ upserted: [], removed: ['unknown'] });
    expect(list.devices.map((d) => d.id)).toEqual(['a']);
  });
});

describe('groupOf', () => {
  const matched = device('m', {
    site: 'Workshop broker',
    room: 'Kitchen',
    kind: 'sensor',
    model: { id: 'shelly-ht', name: 'Shelly H&T', confidence: 0.9, reason: 'topic' },
  });
  const bare = device('b', { room: null, model: null });

  it('groups by site, room, kind or model', () => {
    expect(groupOf(matched, 'site')).toBe('Workshop broker');
    expect(groupOf(matched, 'room')).toBe('Kitchen');
    expect(groupOf(matched, 'kind')).toBe('sensor');
    expect(groupOf(matched, 'model')).toBe('Shelly H&T');
  });

  it('puts devices without a room or a model in a group that says so', () => {
    expect(groupOf(bare, 'room')).toBe('No room');
    expect(groupOf(bare, 'model')).toBe('Unknown model');
  });
});

describe('matchesFilter', () => {
  const all: DeviceFilter = { text: '', status: 'all', source: 'all', unknownOnly: false };
  const online = device('online', { online: true });
  const offline = device('offline', { online: false });
  const unknown = device('unknown', { online: null });

  it('passes everything with no filter set', () => {
    for (const d of [online, offline, unknown]) expect(matchesFilter(d, all)).toBe(true);
  });

  it('counts a device whose state is unknown as not online', () => {
    const on = { ...all, status: 'online' } as const;
    const off = { ...all, status: 'offline' } as const;
    expect([online, offline, unknown].filter((d) => matchesFilter(d, on)).map((d) => d.id)).toEqual([
      'online',
    ]);
    expect([online, offline, unknown].filter((d) => matchesFilter(d, off)).map((d) => d.id)).toEqual([
      'offline',
      'unknown',
    ]);
  });

  it('keeps devices heard through the chosen source, whichever others they have', () => {
    const both = device('both', { sources: ['mdns', 'mqtt'] });
    const usb = device('usb', { sources: ['usb'] });
    expect(matchesFilter(both, { ...all, source: 'mdns' })).toBe(true);
    expect(matchesFilter(usb, { ...all, source: 'mdns' })).toBe(false);
    expect(matchesFilter(usb, { ...all, source: 'usb' })).toBe(true);
  });

  it('shows only devices no model matched when asked', () => {
    const matched = device('m', {
      model: { id: 'tasmota', name: 'Tasmota', confidence: 0.9, reason: 'LWT' },
    });
    expect(matchesFilter(matched, { ...all, unknownOnly: true })).toBe(false);
    expect(matchesFilter(unknown, { ...all, unknownOnly: true })).toBe(true);
  });

  it('searches name, id, kind, model, addresses and identity, ignoring case and spaces around', () => {
    const d = device('shelly-1', {
      name: 'Garage light',
      kind: 'switch',
      model: { id: 'shelly-plus-1', name: 'Shelly Plus 1', confidence: 1, reason: 'mDNS' },
      addresses: ['192.168.1.40'],
      identity: { mac: 'a8032abcdef0', hostname: 'shellyplus1-a8032abcdef0' },
    });
    for (const text of ['garage', 'SHELLY-1', 'switch', 'plus 1', '192.168.1.40', 'a8032abc', '  Garage  '])
      expect(matchesFilter(d, { ...all, text }), text).toBe(true);
    expect(matchesFilter(d, { ...all, text: 'kitchen' })).toBe(false);
  });

  it('requires every filter at once', () => {
    const d = device('x', { name: 'Hall sensor', online: false, sources: ['mdns'] });
    expect(matchesFilter(d, { text: 'hall', status: 'offline', source: 'mdns', unknownOnly: true })).toBe(
      true,
    );
    expect(matchesFilter(d, { text: 'hall', status: 'online', source: 'mdns', unknownOnly: true })).toBe(
      false,
    );
    expect(matchesFilter(d, { text: 'hall', status: 'offline', source: 'mqtt', unknownOnly: true })).toBe(
      false,
    );
  });
});

describe('ago (last seen)', () => {
  const now = 1_700_000_000_000;
  it.each([
    [0, '0 s ago'],
    [59_400, '59 s ago'],
    [60_000, '1 min ago'],
    [3_599_000, '59 min ago'],
    [3_600_000, '1 h ago'],
    [86_399_000, '23 h ago'],
    [86_400_000, '1 d ago'],
    [10 * 86_400_000, '10 d ago'],
  ])('%i ms before now is "%s"', (before, text) => {
    expect(ago(now - before, now)).toBe(text);
  });

  it('says 0 s for a time a little ahead of this clock (another machine’s)', () => {
    expect(ago(now + 5_000, now)).toBe('0 s ago');
  });
});
