import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { invokeAction } from '../../../../../shared/core/model/binding';
import { createCatalog, type Catalog } from '../../../../../shared/core/model/catalog';
import { modelForDevice } from '../../../../../shared/core/model/entities';
import { toSiteDevice } from '../../../../../shared/core/registry/to-site-device';
import type { DiscoveredDevice } from '../../../../../shared/core/registry/types';
import { haEntity } from '../../../../../shared/node/discovery/ha-entities';
import { loadLibrary } from '../../../../../shared/node/library/load';
import { runFixture } from '../../../../helpers/field-corpus';

const field = join(__dirname, '../../../../fixtures/field');
let catalog: Catalog;
beforeAll(async () => {
  const library = await loadLibrary();
  catalog = createCatalog(library.capabilities, library.models);
});

/** The device as the site (and the device page) runs it: its model joined with its entities. */
const run = (found: DiscoveredDevice) => {
  const built = toSiteDevice(found, catalog);
  if (!built.ok) throw new Error(built.reason);
  return {
    model: modelForDevice(catalog.models.get(built.device.model)!, built.device),
    variables: built.device.variables ?? {},
  };
};
const identifyOf = (found: DiscoveredDevice) => {
  const entities = (found.entities ?? []).filter((e) => e.capability === 'identify@1');
  expect(entities).toHaveLength(1);
  return entities[0]!;
};

describe('identify, as discovery finds it', () => {
  it("binds zigbee2mqtt's set-only identify enum: pressing sends {identify: 'identify'} to the set topic", async () => {
    const library = (await loadLibrary()).models;
    const result = runFixture(join(field, 'zigbee2mqtt/z2m2-ikea-bulb-identify.json'), library);
    expect(result.fullyRight).toBe(true);
    const entity = identifyOf(result.device!);
    expect(entity).toMatchObject({ status: 'bound', name: 'Identify', channel: 'identify' });
    const wire = invokeAction(run(result.device!), entity.id, 'identify');
    expect(wire).toMatchObject({ kind: 'mqtt', topic: 'zigbee2mqtt/Hall lamp/set', retain: false });
    expect(JSON.parse(String((wire as { payload: unknown }).payload))).toEqual({ identify: 'identify' });
    // The bulb's effect enum (blink, breathe…) is another setting, not taken for identify.
    expect(result.device!.entities!.find((e) => e.channel === 'effect')).toMatchObject({ capability: null });
  });

  it('binds a Home Assistant identify button: pressing sends PRESS (its default payload) to its command topic', async () => {
    const library = (await loadLibrary()).models;
    const result = runFixture(join(field, 'homeassistant/bridge-identify-button.json'), library);
    expect(result.fullyRight).toBe(true);
    const entity = identifyOf(result.device!);
    expect(invokeAction(run(result.device!), entity.id, 'identify')).toMatchObject({
      kind: 'mqtt',
      topic: 'homeassistant/button/somfy_discovery_send/set',
      payload: 'PRESS',
      retain: false,
    });
  });

  it('sends a configured payload_press as it is, and leaves other buttons and templated presses unbound with the reason', () => {
    const taken = new Set<string>();
    const entity = (config: Record<string, unknown>) =>
      haEntity('homeassistant/button/lamp/identify/config', 'button', 'identify', config, taken).entity;
    const own = entity({
      command_topic: 'lamp/set/identify',
      payload_press: 'identify',
      device_class: 'identify',
    });
    expect(own.binding?.actions?.identify?.invoke).toMatchObject({
      topic: 'lamp/set/identify',
      payload: 'identify',
    });
    expect(entity({ command_topic: 'lamp/restart', device_class: 'restart' })).toMatchObject({
      status: 'unmapped',
      capability: null,
      reason: expect.stringContaining('of class restart'),
    });
    expect(
      entity({ command_topic: 'lamp/x', device_class: 'identify', command_template: '{{ value }}' }),
    ).toMatchObject({ status: 'unsupported', reason: expect.stringContaining('command_template') });
    expect(entity({ device_class: 'identify' })).toMatchObject({
      status: 'invalid',
      reason: expect.stringContaining('command_topic'),
    });
  });
});
