import { describe, expect, it } from 'vitest';
import {
  boundEntity,
  observeTopic,
  unboundEntity,
  propertyBinding,
  parseAs,
} from '../../../../../shared/core/registry/entity-bindings';
import {
  deviceConfidence,
  entityId,
  mergeEntities,
  understandingOf,
  type DiscoveredEntity,
} from '../../../../../shared/core/registry/entities';
import { createDeviceRegistry } from '../../../../../shared/core/registry/registry';
import type { Sighting } from '../../../../../shared/core/registry/types';

const sensor = (id: string, capability: string, property: string, path: string): DiscoveredEntity =>
  boundEntity(
    {
      id,
      ecosystem: 'zigbee2mqtt',
      component: 'numeric',
      name: id,
      channel: path,
      raw: {},
      state_topic: 'z2m/w',
    },
    {
      capability,
      properties: { [property]: propertyBinding([observeTopic('z2m/w', path)], [parseAs('number')]) },
    },
  );

describe('entity-level understanding', () => {
  it('says how much was understood, and caps the confidence of a partial understanding', () => {
    const entities = [
      sensor('t', 'temperature@1', 'temperature', 'temperature'),
      sensor('h', 'humidity@1', 'humidity', 'humidity'),
      unboundEntity(
        { id: 'u', ecosystem: 'homeassistant', component: 'sensor', name: 'Uptime', channel: 'up', raw: {} },
        'unmapped',
        'no capability for a duration',
      ),
      unboundEntity(
        { id: 'p', ecosystem: 'homeassistant', component: 'sensor', name: 'Pressure', channel: 'p', raw: {} },
        'unsupported',
        'uses an unsupported template',
      ),
    ];
    const u = understandingOf(entities);
    expect(u).toMatchObject({ entities: 4, bound: 2, unmapped: 1, notUnderstood: 1 });
    expect(u.summary).toBe('3 of 4 entities understood; the 4th (Pressure) uses an unsupported template');
    expect(deviceConfidence(0.95, u)).toBeLessThan(0.8);
    expect(deviceConfidence(0.95, understandingOf(entities.slice(0, 3)))).toBe(0.95);
    expect(understandingOf(entities.slice(0, 3)).summary).toBe('all 3 entities understood');
  });

  it('keeps one of an entity told twice and makes ids unique', () => {
    const a = [sensor('temperature', 'temperature@1', 'temperature', 'temperature')];
    const b = [
      sensor('temperature', 'temperature@1', 'temperature', 'temperature'),
      sensor('temperature', 'humidity@1', 'humidity', 'humidity'),
    ];
    const merged = mergeEntities([a, b]);
    expect(merged.map((e) => [e.id, e.capability])).toEqual([
      ['temperature', 'temperature@1'],
      ['temperature_2', 'humidity@1'],
    ]);
    const taken = new Set<string>();
    expect([
      entityId('switch.relay 1', taken),
      entityId('switch.relay 1', taken),
      entityId('1st', taken),
    ]).toEqual(['switch_relay_1', 'switch_relay_1_2', 'e_1st']);
  });

  it('lists a device with its entities, and its confidence follows them', () => {
    const registry = createDeviceRegistry({
      schedule: () => () => {},
      models: [
        {
          id: 'z',
          name: 'Z',
          rules: [{ all: [{ fact: 'mqtt.protocol', equals: 'zigbee2mqtt' }], confidence: 0.9 }],
        },
      ],
    });
    const sighting = (entities: DiscoveredEntity[]): Sighting => ({
      source: 'mqtt',
      key: 'z2m:0x1',
      identity: { serial: '0x1' },
      facts: { 'mqtt.protocol': 'zigbee2mqtt' },
      addresses: [],
      online: true,
      raw: {},
      warnings: [],
      seenAt: 1,
      entities,
    });
    registry.upsert(sighting([sensor('t', 'temperature@1', 'temperature', 'temperature')]));
    expect(registry.list()[0]!.model!.confidence).toBe(0.9);
    registry.upsert(
      sighting([
        sensor('t', 'temperature@1', 'temperature', 'temperature'),
        unboundEntity(
          { id: 'x', ecosystem: 'zigbee2mqtt', component: 'composite', name: 'X', channel: 'x', raw: {} },
          'unsupported',
          'is a composite without features',
        ),
      ]),
    );
    const device = registry.list()[0]!;
    expect(device.entities).toHaveLength(2);
    expect(device.model!.confidence).toBeLessThan(0.8);
    expect(device.model!.reason).toMatch(/1 of 2 entities understood/);
  });
});
