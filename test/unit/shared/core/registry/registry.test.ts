import { describe, expect, it } from 'vitest';
import { builtinModels } from '../../../../../shared/core/registry/builtin-models';
import { matchModel } from '../../../../../shared/core/registry/match';
import { createDeviceRegistry, type Schedule } from '../../../../../shared/core/registry/registry';
import { deviceText, normaliseMac } from '../../../../../shared/core/registry/text';
import type { RegistryChange, Sighting } from '../../../../../shared/core/registry/types';

const manualSchedule = () => {
  const tasks: (() => void)[] = [];
  const schedule: Schedule = (task) => {
    tasks.push(task);
    return () => tasks.splice(tasks.indexOf(task), 1);
  };
  return { schedule, run: () => tasks.splice(0).forEach((t) => t()), pending: () => tasks.length };
};

const sighting = (over: Partial<Sighting> & Pick<Sighting, 'source' | 'key'>): Sighting => ({
  identity: {},
  facts: {},
  addresses: [],
  online: null,
  raw: {},
  warnings: [],
  seenAt: 1000,
  ...over,
});

describe('device registry', () => {
  it('merges sightings from different sources that share a MAC, keeping each raw record', () => {
    const registry = createDeviceRegistry({ schedule: manualSchedule().schedule, models: builtinModels });
    registry.upsert(
      sighting({
        source: 'mdns',
        key: 'shellyplus1pm-demo01._shelly._tcp.local',
        identity: { mac: 'a8032ab1c2d3', hostname: 'shellyplus1pm-demo01' },
        name: 'shellyplus1pm-demo01',
        facts: { 'mdns.type': '_shelly._tcp', 'txt.app': 'Plus1PM' },
        addresses: ['10.0.0.5'],
        online: true,
        raw: { txt: { app: 'Plus1PM' } },
      }),
    );
    registry.upsert(
      sighting({
        source: 'mqtt',
        key: 'shelly:shellyplus1pm-demo01',
        identity: { mac: 'A8032AB1C2D3', topic: 'shellyplus1pm-demo01' },
        name: 'Hall light',
        kind: 'relay',
        facts: { 'mqtt.protocol': 'shelly' },
        online: false,
        seenAt: 2000,
        raw: { online: 'false' },
      }),
    );
    const devices = registry.list();
    expect(devices).toHaveLength(1);
    const [device] = devices;
    expect(device.sources.sort()).toEqual(['mdns', 'mqtt']);
    expect(device.name).toBe('Hall light');
    expect(device.kind).toBe('relay');
    expect(device.online).toBe(true);
    expect(device.lastSeen).toBe(2000);
    expect(device.model).toMatchObject({ id: 'shelly-plus-1pm', confidence: 0.95 });
    expect(device.model?.reason).toContain('txt.app');
    expect(device.sightings.map((s) => s.raw)).toEqual([{ online: 'false' }, { txt: { app: 'Plus1PM' } }]);
  });

  it('merges two devices when a later sighting bridges them, reporting the younger one removed', () => {
    const clock = manualSchedule();
    const changes: RegistryChange[] = [];
    const registry = createDeviceRegistry({ schedule: clock.schedule, onChange: (c) => changes.push(c) });
    registry.upsert(sighting({ source: 'mdns', key: 'a', identity: { hostname: 'dev1' } }));
    registry.upsert(sighting({ source: 'mqtt', key: 'b', identity: { topic: 't1' } }));
    clock.run();
    expect(changes[0].upserted.map((d) => d.id).sort()).toEqual(['host:dev1', 'topic:t1']);
    registry.upsert(sighting({ source: 'usb', key: 'c', identity: { hostname: 'dev1', topic: 't1' } }));
    clock.run();
    expect(changes[1].removed).toEqual(['topic:t1']);
    expect(changes[1].upserted.map((d) => d.id)).toEqual(['host:dev1']);
    expect(registry.list()[0].sources.sort()).toEqual(['mdns', 'mqtt', 'usb']);
  });

  it('batches many changes into one event with the newest state', () => {
    const clock = manualSchedule();
    const changes: RegistryChange[] = [];
    const registry = createDeviceRegistry({ schedule: clock.schedule, onChange: (c) => changes.push(c) });
    for (let i = 0; i < 500; i++) {
      registry.upsert(sighting({ source: 'mqtt', key: `k${i}`, identity: { topic: `t${i}` }, online: true }));
    }
    registry.setOnline('mqtt', 'k7', false, 5000);
    expect(clock.pending()).toBe(1);
    clock.run();
    expect(changes).toHaveLength(1);
    expect(changes[0].upserted).toHaveLength(500);
    expect(changes[0].upserted.find((d) => d.id === 'topic:t7')?.online).toBe(false);
  });

  it('drops a device when its last sighting goes, and lists unknown devices without a model', () => {
    const clock = manualSchedule();
    const changes: RegistryChange[] = [];
    const registry = createDeviceRegistry({ schedule: clock.schedule, onChange: (c) => changes.push(c) });
    registry.upsert(sighting({ source: 'mdns', key: 'x', facts: { 'mdns.type': '_ipp._tcp' } }));
    expect(registry.list()[0].model).toBeNull();
    registry.remove('mdns', 'x');
    clock.run();
    expect(registry.list()).toEqual([]);
    expect(changes.at(-1)?.removed).toEqual(['mdns:x']);
  });
});

describe('model matching', () => {
  it('prefers the most confident rule and explains it', () => {
    const match = matchModel(
      [
        sighting({
          source: 'mqtt',
          key: 'a',
          facts: { 'mqtt.protocol': 'tasmota', 'tasmota.fulltopic': '%prefix%/%topic%/' },
        }),
      ],
      builtinModels,
    );
    expect(match).toEqual({
      id: 'tasmota-device',
      name: 'Tasmota device',
      confidence: 0.9,
      reason: 'tasmota.fulltopic = "%prefix%/%topic%/"',
    });
  });

  it('ignores a broken pattern instead of throwing', () => {
    const models = [{ id: 'm', name: 'M', rules: [{ all: [{ fact: 'x', pattern: '(' }], confidence: 1 }] }];
    expect(matchModel([sighting({ source: 'usb', key: 'a', facts: { x: 'y' } })], models)).toBeNull();
  });
});

describe('device text', () => {
  it('replaces control characters and caps the length', () => {
    expect(deviceText('a\u0000b\u0007c')).toBe('a\ufffdb\ufffdc');
    expect(deviceText('x'.repeat(300), 10)).toHaveLength(10);
    expect(deviceText('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });
  it('normalises MACs', () => {
    expect(normaliseMac('A8:03:2A:B1:C2:D3')).toBe('a8032ab1c2d3');
    expect(normaliseMac('nope')).toBeUndefined();
  });
});

describe('library rules', () => {
  it('matches MQTT evidence by topic filter, payload and JSON fields', async () => {
    const { matchableFromLibrary, mergeMatchable } =
      await import('../../../../../shared/core/registry/library-rules');
    const library = matchableFromLibrary([
      {
        id: 'tasmota-relay',
        title: 'Tasmota relay',
        protocols: ['mqtt'],
        implements: {},
        discovery: [
          { kind: 'mqtt', topic: 'tele/+/LWT', payload: '^Online$' },
          { kind: 'mqtt', topic: 'tasmota/discovery/+/config', where: [{ path: 'rl.0', equals: 1 }] },
          { kind: 'usb', vid: '1A86', pid: '7523' },
        ],
      },
    ]);
    const models = mergeMatchable(library, builtinModels);
    const facts = { 'topic:tele/x/LWT': 'Offline', 'topic:tasmota/discovery/AA/config': '{"rl":[1,0]}' };
    const match = matchModel([sighting({ source: 'mqtt', key: 'a', facts })], models);
    expect(match).toMatchObject({ id: 'tasmota-relay', confidence: 0.85 });
    expect(match?.reason).toBe('an MQTT message on tasmota/discovery/+/config with rl.0 = 1');
    const wrong = { 'topic:tasmota/discovery/AA/config': '{"rl":[0]}', 'topic:tele/x/LWT': 'Offline' };
    expect(matchModel([sighting({ source: 'mqtt', key: 'a', facts: wrong })], models)).toBeNull();
    expect(
      matchModel(
        [sighting({ source: 'usb', key: 'p', facts: { 'usb.vid': '1a86', 'usb.pid': '7523' } })],
        models,
      ),
    ).toMatchObject({
      id: 'tasmota-relay',
      confidence: 0.3,
    });
  });
});

describe('placements from a site file', () => {
  it('puts devices in their site and room by MAC or topic, also the last segment of a Homie topic', async () => {
    const { placementsFromSite } = await import('../../../../../shared/core/registry/placement');
    const placements = placementsFromSite({
      name: 'Demo site',
      rooms: [{ id: 'hall', name: 'Hall' }],
      devices: [
        { identity: { mac: 'A4:CF:12:B3:C4:D5' }, room: 'hall' },
        { identity: { topic: 'homie/demo-homie' }, room: 'office' },
        { identity: {} },
        'junk',
      ],
    });
    const registry = createDeviceRegistry({ schedule: manualSchedule().schedule });
    registry.setPlacements(placements);
    registry.upsert(sighting({ source: 'mqtt', key: 'a', identity: { mac: 'a4cf12b3c4d5' } }));
    registry.upsert(sighting({ source: 'mqtt', key: 'b', identity: { topic: 'demo-homie' } }));
    registry.upsert(
      sighting({ source: 'mqtt', key: 'c', identity: { topic: 'stranger' }, facts: { site: 'Broker x' } }),
    );
    const by = (key: string) => registry.list().find((d) => d.sightings[0].key === key);
    expect(by('a')).toMatchObject({ site: 'Demo site', room: 'Hall' });
    expect(by('b')).toMatchObject({ site: 'Demo site', room: 'office' });
    expect(by('c')).toMatchObject({ site: 'Broker x', room: null });
  });
});
