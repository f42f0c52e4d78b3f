import { describe, expect, it } from 'vitest';
import { heardKeys, heardTopics } from '../../../../../shared/core/registry/heard';
import { createDeviceRegistry } from '../../../../../shared/core/registry/registry';
import type { Sighting } from '../../../../../shared/core/registry/types';

const sighting = (over: Partial<Sighting> & Pick<Sighting, 'key'>): Sighting => ({
  source: 'mqtt',
  identity: {},
  facts: {},
  addresses: [],
  online: null,
  raw: {},
  warnings: [],
  seenAt: 1000,
  ...over,
});

const registry = () => createDeviceRegistry({ schedule: () => () => {} });

describe('last seen follows every message a device sends', () => {
  it('a Tasmota topic owns tele/, stat/ and its own prefix; Home Assistant state topics count exactly, ~ expanded', () => {
    expect(
      heardTopics(sighting({ key: 'tasmota:kitchen', identity: { topic: 'kitchen' } })).prefixes,
    ).toEqual(expect.arrayContaining(['kitchen/', 'tele/kitchen/', 'stat/kitchen/']));
    const ha = heardTopics(
      sighting({
        key: 'ha:node',
        facts: { 'topic:homeassistant/sensor/node/t/config': '{}' },
        raw: {
          entities: { x: { '~': 'node/sensor/t', stat_t: '~/state', avty_t: 'node/status', name: 'T / C' } },
        },
      }),
    );
    expect([...ha.exact].sort()).toEqual([
      'homeassistant/sensor/node/t/config',
      'node/sensor/t/state',
      'node/status',
    ]);
    // Entities keep their own configs; a command topic carries messages to the device, never from it.
    const entity = heardTopics(
      sighting({
        key: 'ha:plug',
        entities: [
          {
            id: 'relay',
            ecosystem: 'homeassistant',
            component: 'switch',
            name: 'Relay',
            channel: 'relay',
            capability: null,
            binding: null,
            state_topic: 'plug/relay/state',
            command_topic: 'plug/relay/set',
            status: 'unmapped',
            reason: 'test',
            raw: { '~': 'plug', avty_t: '~/status', cmd_t: '~/relay/set' },
          },
        ],
      }),
    );
    expect([...entity.exact].sort()).toEqual(['plug/relay/state', 'plug/status']);
    expect(heardKeys('tele/kitchen/SENSOR')).toEqual(['tele/kitchen/SENSOR', 'tele/', 'tele/kitchen/']);
  });

  it('a message on an owned topic refreshes lastSeen at most once a second; unknown and shared topics change nothing', () => {
    const r = registry();
    r.upsert(sighting({ key: 'tasmota:kitchen', identity: { topic: 'kitchen' } }));
    r.upsert(
      sighting({
        key: 'ha:a',
        identity: { mac: 'aaaaaaaaaaaa' },
        raw: { entities: { x: { stat_t: 'bridge/a' }, y: { stat_t: 'bridge/shared' } } },
      }),
    );
    r.upsert(
      sighting({
        key: 'ha:b',
        identity: { mac: 'bbbbbbbbbbbb' },
        raw: { entities: { x: { stat_t: 'bridge/shared' } } },
      }),
    );
    const lastSeen = () => Object.fromEntries(r.list().map((d) => [d.id, d.lastSeen]));
    r.heard('tele/kitchen/SENSOR', 5000);
    r.heard('bridge/a', 6000);
    expect(lastSeen()).toEqual({ 'topic:kitchen': 5000, 'mac:aaaaaaaaaaaa': 6000, 'mac:bbbbbbbbbbbb': 1000 });
    r.heard('tele/kitchen/STATE', 5500);
    r.heard('bridge/shared', 9000);
    r.heard('somewhere/else', 9000);
    r.heard('tele/kitchen2/STATE', 9000);
    expect(lastSeen()).toEqual({ 'topic:kitchen': 5000, 'mac:aaaaaaaaaaaa': 6000, 'mac:bbbbbbbbbbbb': 1000 });
    r.heard('stat/kitchen/POWER', 6100);
    expect(lastSeen()['topic:kitchen']).toBe(6100);
    // A device that is gone no longer owns its topics.
    r.remove('mqtt', 'tasmota:kitchen');
    r.heard('stat/kitchen/POWER', 9000);
    expect(lastSeen()['topic:kitchen']).toBeUndefined();
  });

  it('a topic remembered for one owner follows ownership: a newcomer sharing it, a merge, a re-announcement', () => {
    const r = registry();
    const lastSeen = () => Object.fromEntries(r.list().map((d) => [d.id, d.lastSeen]));
    r.upsert(sighting({ key: 'ha:a', identity: { mac: 'aaaaaaaaaaaa' }, raw: { x: { stat_t: 'room/t' } } }));
    r.heard('room/t', 5000);
    expect(lastSeen()['mac:aaaaaaaaaaaa']).toBe(5000);
    // A second device announcing the same topic makes it shared: it refreshes nobody.
    r.upsert(sighting({ key: 'ha:b', identity: { mac: 'bbbbbbbbbbbb' }, raw: { x: { stat_t: 'room/t' } } }));
    r.heard('room/t', 7000);
    expect(lastSeen()).toEqual({ 'mac:aaaaaaaaaaaa': 5000, 'mac:bbbbbbbbbbbb': 1000 });
    // B re-announced at another topic: room/t is A's alone again.
    r.upsert(sighting({ key: 'ha:b', identity: { mac: 'bbbbbbbbbbbb' }, raw: { x: { stat_t: 'room/u' } } }));
    r.heard('room/t', 8000);
    r.heard('room/u', 8500);
    expect(lastSeen()).toEqual({ 'mac:aaaaaaaaaaaa': 8000, 'mac:bbbbbbbbbbbb': 8500 });
    // A sighting bridging both merges them into the older device, which now owns both topics.
    r.upsert(sighting({ key: 'bridge', identity: { mac: 'aaaaaaaaaaaa', serial: 'x' } }));
    r.upsert(sighting({ key: 'bridge2', identity: { serial: 'x', topic: 'z' }, raw: {} }));
    r.upsert(
      sighting({
        key: 'ha:b',
        identity: { mac: 'bbbbbbbbbbbb', serial: 'x' },
        raw: { x: { stat_t: 'room/u' } },
      }),
    );
    expect(Object.keys(lastSeen())).toEqual(['mac:aaaaaaaaaaaa']);
    r.heard('room/u', 9999);
    expect(lastSeen()['mac:aaaaaaaaaaaa']).toBe(9999);
  });
});
