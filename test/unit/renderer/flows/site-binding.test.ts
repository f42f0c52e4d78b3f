import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type Catalog } from '../../../../shared/core/model/catalog';
import type { DiscoveredDevice } from '../../../../shared/core/registry/types';
import { loadLibrary } from '../../../../shared/node/library/load';
import { applyChanges, invert } from '../../../../renderer/src/canvas/changes';
import { bindRole } from '../../../../renderer/src/canvas/commands';
import type { Design, SiteDevice } from '../../../../renderer/src/canvas/types';
import { builtinCapabilities } from '../../../helpers/library';
import { offerOf, offersForDevice, roleStatuses } from '../../../../renderer/src/flows/device-offers';
import { bindingImplementation, deviceChoices, fitOf } from '../../../../renderer/src/flows/site-devices';

/** The demo site's devices as the registry reported them (see test/unit/shared/core/registry/to-site-device.test.ts). */
const found = JSON.parse(
  readFileSync('test/fixtures/registry/demo-devices.json', 'utf8'),
) as DiscoveredDevice[];
const byModel = (id: string) => found.find((d) => d.model?.id === id)!;
/**
 * The recorded Homie light without its `light/power/$settable` message: discovery then cannot tell
 * its boolean is a switch, so the switch waits for the `switch_path` setting.
 */
// A Homie light whose power property did not say it is settable, seen without entities (as a
// sighting recorded before entities were read): only the model's settings can make it a switch.
const homieUnsure = (): DiscoveredDevice => {
  const light = byModel('homie-device');
  const [first, ...rest] = light.sightings;
  const facts = { ...first!.facts };
  delete facts['topic:homie/demo-homie/light/power/$settable'];
  return { ...light, entities: [], sightings: [{ ...first!, facts, entities: [] }, ...rest] };
};

let catalog: Catalog;
beforeAll(async () => {
  const lib = await loadLibrary();
  catalog = createCatalog(lib.capabilities, lib.models);
});

const relay: SiteDevice = {
  id: 'hall-relay',
  name: 'Hall relay',
  model: 'tasmota-relay',
  identity: { mac: 'a4cf12b3c4d5', topic: 'demo_relay' },
  variables: { topic: 'demo_relay' },
};
const design: Design = {
  flows: [],
  roles: [
    { id: 'light', title: 'Hall light', capability: 'switch@1' },
    { id: 'motion', title: 'Hall motion', capability: 'motion@1' },
  ],
  devices: [relay],
};

describe('binding roles to site devices, as undoable changes', () => {
  it('binds a device new to the site in one step with the device, and undo takes both back', () => {
    const choices = deviceChoices(design.devices!, found, catalog);
    const sensor = choices.find((c) => c.device.model === 'esphome-device')!;
    expect(sensor).toMatchObject({ stored: false, device: { id: 'demo-sensor' } });
    const changes = bindRole(design, 'motion', sensor.device);
    expect(changes.map((c) => c.type)).toEqual(['device', 'role']);
    const after = applyChanges(design, changes);
    expect(after.roles[1]).toEqual({
      id: 'motion',
      title: 'Hall motion',
      capability: 'motion@1',
      device: 'demo-sensor',
    });
    expect(after.devices!.map((d) => d.id)).toEqual(['hall-relay', 'demo-sensor']);
    expect(applyChanges(after, invert(changes))).toEqual(design);
  });

  it('unbinding keeps the device on the site; binding a stored device adds nothing', () => {
    const bound = applyChanges(design, bindRole(design, 'light', relay));
    expect(bindRole(bound, 'light', relay)).toEqual([]);
    const unbound = applyChanges(bound, bindRole(bound, 'light', null));
    expect(unbound.roles[0]!.device).toBeUndefined();
    expect(unbound.devices).toEqual([relay]);
  });
});

describe('the implementation a binding names', () => {
  it('only when the gateway would not pick it by itself: a dimmer in a switch role names its dimmer', () => {
    const light = { id: 'light', capability: 'switch@1' };
    expect(bindingImplementation(relay, light, catalog)).toBeUndefined();
    const dimmer: SiteDevice = {
      id: 'lamp',
      name: 'Lamp',
      model: 'ha-light-json',
      identity: {},
      variables: { state_topic: 'lamp/state', command_topic: 'lamp/set' },
    };
    expect(bindingImplementation(dimmer, light, catalog)).toBe('dimmer');
    const changes = bindRole({ ...design, devices: [dimmer] }, 'light', dimmer, 'dimmer');
    expect(changes.at(-1)).toMatchObject({
      after: { id: 'light', device: 'lamp', implementation: 'dimmer' },
    });
  });
});

describe('device choices and offers', () => {
  it('a discovered device the site lists is the site’s entry (its id and variables), seen now', () => {
    const choices = deviceChoices([relay], found, catalog);
    const stored = choices.filter((c) => c.stored);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.device).toBe(relay);
    expect(stored[0]!.found?.id).toBe('topic:demo_relay');
    // The relay is not offered a second time as a new device.
    expect(choices.filter((c) => c.device.model === 'tasmota-relay')).toHaveLength(1);
    expect(fitOf(relay, design.roles[0]!, catalog)).toMatchObject({ ok: true });
    expect(fitOf(relay, design.roles[1]!, catalog)).toEqual({
      ok: false,
      reason: 'Tasmota relay / plug does not implement motion@1',
    });
  });

  it('a stored device discovery does not see is still a choice, marked as not seen', () => {
    const away: SiteDevice = { ...relay, id: 'away', identity: { mac: '001122334455' } };
    expect(deviceChoices([away], [], catalog)).toEqual([{ device: away, found: null, stored: true }]);
    const status = roleStatuses([{ id: 'light', capability: 'switch@1', device: 'away' }], [away], found);
    expect(status.get('light')).toBe('offline');
  });

  it('dragging the sensor offers its motion trigger with a new role and the device to add', () => {
    const r = offersForDevice(
      byModel('esphome-device'),
      design.roles,
      [relay],
      builtinCapabilities(),
      catalog,
    );
    if (!r.ok) throw new Error(r.reason);
    const motion = r.offers.find((o) => o.label === 'When Demo sensor Motion detected changes')!;
    expect(motion.newRole).toMatchObject({
      id: 'demo-sensor-motion',
      title: 'Demo sensor',
      capability: 'motion@1',
      device: 'demo-sensor',
    });
    expect(motion.newDevice).toMatchObject({
      id: 'demo-sensor',
      variables: { status_topic: 'demo-sensor/status' },
      entities: { binary_sensor_motion: { capability: 'motion@1' } },
    });
    // No switch: the node has no relay entity.
    expect(r.offers.some((o) => o.label.includes('Switch'))).toBe(false);
  });

  it('a device whose model needs settings discovery did not find offers what it will give once they are set', () => {
    const homie = homieUnsure();
    expect(offerOf(homie, [], catalog)).toEqual({
      capabilities: ['dimmer@1', 'humidity@1', 'switch@1', 'temperature@1'],
      note: 'dimmer@1, humidity@1, switch@1, temperature@1 once switch_path, humidity_path, temperature_path are set in the Roles tab, under “Devices on this site” (discovery did not find them)',
      reason: null,
    });
    const r = offersForDevice(homie, [], [], builtinCapabilities(), catalog);
    if (!r.ok) throw new Error(r.reason);
    // Its dimmer offers the same words as its switch, so each role says which it is.
    const on = r.offers.find((o) => o.label === 'Set Demo Homie light · Switch On')!;
    expect(on.newRole).toMatchObject({
      id: 'demo-homie-light-switch',
      title: 'Demo Homie light · Switch',
      capability: 'switch@1',
    });
    expect(r.offers.find((o) => o.label === 'Set Demo Homie light · Dimmer On')?.newRole?.title).toBe(
      'Demo Homie light · Dimmer',
    );
    // Temperature says something no other capability of the light does: the light's name alone.
    expect(r.offers.find((o) => o.newRole?.capability === 'temperature@1')?.label).toBe(
      'When Demo Homie light Temperature changes',
    );
    expect(on.newDevice).toMatchObject({
      id: 'demo-homie-light',
      variables: { base: 'homie/demo-homie', dimmer_path: 'light/brightness' },
    });
    // Once the switch path is set, the switch and the dimmer (whose path discovery found) are offered as they are.
    const set = { ...on.newDevice!, variables: { ...on.newDevice!.variables, switch_path: 'light/power' } };
    expect(offerOf(homie, [set], catalog).note).toBe(
      'humidity@1, temperature@1 once humidity_path, temperature_path are set in the Roles tab, under “Devices on this site” (discovery did not find them)',
    );
  });

  it('a device that waits for a setting can be bound through the implementation that will apply', () => {
    const homie = deviceChoices([], [homieUnsure()], catalog)[0]!.device;
    const light = { id: 'light', capability: 'switch@1' };
    expect(fitOf(homie, light, catalog)).toMatchObject({
      ok: false,
      needs: { implementation: 'switch', settings: [{ name: 'switch_path' }] },
    });
    expect(bindingImplementation(homie, light, catalog)).toBeUndefined();
  });
});
