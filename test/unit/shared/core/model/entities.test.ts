import { beforeAll, describe, expect, it } from 'vitest';
import { writeProperty } from '../../../../../shared/core/model/binding';
import { createCatalog, type Catalog } from '../../../../../shared/core/model/catalog';
import { modelForDevice } from '../../../../../shared/core/model/entities';
import { decodeMessage } from '../../../../../shared/core/model/observe';
import { canFillRole } from '../../../../../shared/core/model/resolver';
import type { Device, Implementation } from '../../../../../shared/core/model/schemas';
import { validateSite } from '../../../../../shared/core/model/validate';
import { loadLibrary } from '../../../../../shared/node/library/load';

let catalog: Catalog;
beforeAll(async () => {
  const lib = await loadLibrary();
  catalog = createCatalog(lib.capabilities, lib.models);
});

const relay = (n: number): Implementation => ({
  capability: 'switch@1',
  properties: {
    on: {
      observe: [{ kind: 'mqtt', topic: `stat/two/POWER${n}`, format: 'text' }],
      write: { kind: 'mqtt', topic: `cmnd/two/POWER${n}`, payload: '{{value}}' },
      map: [
        {
          kind: 'enum',
          pairs: [
            { device: 'ON', value: true },
            { device: 'OFF', value: false },
          ],
        },
      ],
    },
  },
});

const twoGang: Device = {
  id: 'two',
  name: 'Two gang',
  model: 'tasmota-relay',
  identity: { topic: 'two' },
  variables: { topic: 'two' },
  entities: { relay_1: relay(1), relay_2: relay(2) },
};

describe('a site device with its own entities', () => {
  it('is run with its entities, and keeps what only the library model adds', () => {
    const model = modelForDevice(catalog.models.get('tasmota-relay')!, twoGang);
    const keys = Object.keys(model.implements);
    expect(keys.slice(0, 2)).toEqual(['relay_1', 'relay_2']);
    // The model's own switch is shadowed by the entities; its availability is not.
    expect(keys.filter((k) => model.implements[k]!.capability === 'switch@1')).toEqual([
      'relay_1',
      'relay_2',
    ]);
    expect(keys.some((k) => model.implements[k]!.capability === 'availability@1')).toBe(true);
    expect(modelForDevice(catalog.models.get('tasmota-relay')!, twoGang)).toBe(model);
  });

  it('fills a role through any of its entities, and the runtime drives each at its own topics', () => {
    const role = { id: 'light', capability: 'switch@1' };
    const second = canFillRole(twoGang, role, catalog, 'relay_2');
    expect(second.ok && second.candidate.implementation).toBe('relay_2');
    const bound = { model: modelForDevice(catalog.models.get('tasmota-relay')!, twoGang), variables: {} };
    expect(writeProperty(bound, 'relay_2', 'on', true)).toMatchObject({
      topic: 'cmnd/two/POWER2',
      payload: 'ON',
    });
    expect(decodeMessage(bound, 'stat/two/POWER2', 'OFF')).toMatchObject([
      { implementation: 'relay_2', name: 'on', value: false },
    ]);
  });

  it('is checked like a model: an entity template outside the subset is an error', () => {
    const site = {
      id: 's',
      name: 'S',
      rooms: [],
      gateways: [],
      bindings: [],
      devices: [
        {
          ...twoGang,
          entities: {
            relay_1: {
              ...relay(1),
              properties: {
                on: {
                  ...relay(1).properties!.on!,
                  map: [
                    {
                      kind: 'template' as const,
                      direction: 'forward' as const,
                      template: '{{ value | timestamp_local }}',
                    },
                  ],
                },
              },
            },
          },
        },
      ],
    };
    const problems = validateSite(site, { catalog });
    expect(problems.map((p) => [p.code, p.path])).toContainEqual([
      'mapping.invalid',
      'devices.0.entities.relay_1.properties.on.map.0.template',
    ]);
  });
});
