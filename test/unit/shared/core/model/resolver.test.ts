import { beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type Catalog } from '../../../../../shared/core/model/catalog';
import { unsetConditions } from '../../../../../shared/core/model/binding';
import {
  canFillRole,
  describeSettings,
  devicesForRole,
  modelsForRole,
} from '../../../../../shared/core/model/resolver';
import type { Device } from '../../../../../shared/core/model/schemas';
import { loadLibrary } from '../../../../../shared/node/library/load';

let catalog: Catalog;
beforeAll(async () => {
  const lib = await loadLibrary();
  catalog = createCatalog(lib.capabilities, lib.models);
});

const devices: Device[] = [
  { id: 'relay', name: 'Relay', model: 'tasmota-relay', identity: {}, variables: { topic: 'r' } },
  { id: 'plug', name: 'Plug', model: 'shelly-plus-1pm', identity: {}, variables: { prefix: 'p' } },
  {
    id: 'hum',
    name: 'Humidity',
    model: 'ha-sensor',
    identity: {},
    variables: { state_topic: 's', device_class: 'humidity' },
  },
  {
    id: 'temp',
    name: 'Temp',
    model: 'ha-sensor',
    identity: {},
    variables: { state_topic: 't', device_class: 'temperature' },
  },
  {
    id: 'lamp',
    name: 'Lamp',
    model: 'mqtt-json-device',
    identity: {},
    variables: { state_topic: 'l', features: 'brightness' },
  },
];

describe('resolver', () => {
  it('lists models that can fill a switch role, exact before inherited', () => {
    const found = modelsForRole({ id: 'hall', capability: 'switch@1' }, catalog);
    const ids = found.map((c) => c.model);
    expect(ids).toEqual(
      expect.arrayContaining([
        'tasmota-relay',
        'shelly-plus-1',
        'shelly-plus-1pm',
        'ha-switch',
        'homie-device',
      ]),
    );
    expect(ids).not.toContain('tasmota-sensor');
    const inherited = found.find((c) => c.model === 'mqtt-json-device' && c.implementation === 'dimmer')!;
    expect(inherited.reason).toBe('implements dimmer@1, which extends switch@1');
    expect(inherited.score).toBeLessThan(1);
    expect(found[0]!.score).toBe(1);
  });

  it('lists devices by what their configuration actually offers', () => {
    expect(
      devicesForRole({ id: 't', capability: 'temperature@1' }, devices, catalog).map((c) => c.device),
    ).toEqual(['temp']);
    expect(
      devicesForRole({ id: 's', capability: 'switch@1' }, devices, catalog).map((c) => c.device),
    ).toEqual(['plug', 'relay', 'lamp']);
    expect(canFillRole(devices[2]!, { id: 't', capability: 'temperature@1' }, catalog)).toEqual({
      ok: false,
      reason: expect.stringMatching(/only for other configurations/),
    });
  });

  it('honours further required capabilities and a chosen implementation', () => {
    const metered = { id: 'm', capability: 'switch@1', alsoRequires: ['power-meter@1'] };
    expect(devicesForRole(metered, devices, catalog).map((c) => c.device)).toEqual(['plug']);
    expect(modelsForRole(metered, catalog).map((c) => c.model)).toContain('shelly-plus-1pm');
    expect(modelsForRole(metered, catalog).map((c) => c.model)).not.toContain('shelly-plus-1');
    expect(canFillRole(devices[1]!, { id: 's', capability: 'switch@1' }, catalog, 'power').ok).toBe(false);
    expect(canFillRole({ ...devices[0]!, model: 'gone' }, metered, catalog)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not in the library/),
    });
  });
});

describe('settings a device lacks', () => {
  const impl = { capability: 'switch@1', when: { entities: ['switch'], path: ['*'] } };

  it('unsetConditions lists unset variables, and is null when a set one rules the implementation out', () => {
    expect(unsetConditions(impl, { entities: 'switch', path: 'a/b' })).toEqual([]);
    expect(unsetConditions(impl, { entities: 'switch' })).toEqual(['path']);
    expect(unsetConditions(impl, { entities: '', path: '' })).toEqual(['entities', 'path']);
    expect(unsetConditions(impl, { entities: 'motion' })).toBeNull();
  });

  it('describeSettings names each setting with its title, description and accepted values', () => {
    expect(describeSettings([{ name: 'p', title: 'Path', description: 'node/property.' }])).toBe(
      'the setting p (Path: node/property)',
    );
    expect(describeSettings([{ name: 'a' }, { name: 'b', oneOf: ['x', 'y'] }])).toBe(
      'the settings a and b (one of x, y)',
    );
  });

  it('a set variable that rules an implementation out is another configuration, not a missing setting', () => {
    const sensor = devices.find((d) => d.id === 'hum')!;
    const fit = canFillRole(sensor, { id: 't', capability: 'temperature@1' }, catalog);
    expect(fit).toMatchObject({ ok: false, reason: expect.stringMatching(/only for other configurations/) });
    expect(fit).not.toHaveProperty('needs');
  });
});
