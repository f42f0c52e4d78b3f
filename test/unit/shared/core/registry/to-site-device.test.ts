import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type Catalog } from '../../../../../shared/core/model/catalog';
import { canFillRole, devicesForRole } from '../../../../../shared/core/model/resolver';
import type { Device } from '../../../../../shared/core/model/schemas';
import {
  captureVariables,
  observationsOf,
  sameDevice,
  siteIdentity,
  toSiteDevice,
} from '../../../../../shared/core/registry/to-site-device';
import type { DiscoveredDevice, Sighting } from '../../../../../shared/core/registry/types';
import { loadLibrary } from '../../../../../shared/node/library/load';

/**
 * The registry's view of the demo site's Tasmota relay, Shelly Plus 1PM, ESPHome-like sensor
 * and Homie light, recorded from `createDiscoverySession` fed by the real virtual devices over
 * mosquitto (test/integration/registry/to-site-device.test.ts runs the same live).
 */
const recorded = JSON.parse(
  readFileSync('test/fixtures/registry/demo-devices.json', 'utf8'),
) as DiscoveredDevice[];
const byModel = (id: string) => recorded.find((d) => d.model?.id === id)!;

const sighting = (facts: Record<string, string>, identity: Sighting['identity'] = {}): Sighting => ({
  source: 'mdns',
  key: 'k',
  identity,
  facts,
  addresses: [],
  online: true,
  raw: null,
  warnings: [],
  seenAt: 0,
});

let catalog: Catalog;
beforeAll(async () => {
  const lib = await loadLibrary();
  catalog = createCatalog(lib.capabilities, lib.models);
});

describe('observationsOf', () => {
  it('rebuilds an mDNS service (TXT keys, host from the identity), a USB adapter and each MQTT message', () => {
    const s = sighting(
      {
        'mdns.type': '_shelly._tcp',
        'mdns.instance': 'shellyplus1pm-a8032ab1c2d3',
        'txt.app': 'Plus1PM',
        'usb.vid': '10c4',
        'usb.pid': 'ea60',
        'topic:b/2': 'two',
        'topic:a/1': 'one',
        'mqtt.protocol': 'x',
      },
      { hostname: 'shellyplus1pm-a8032ab1c2d3' },
    );
    const observations = observationsOf(s);
    expect(observations).toEqual([
      {
        kind: 'mdns',
        service: '_shelly._tcp',
        instance: 'shellyplus1pm-a8032ab1c2d3',
        host: 'shellyplus1pm-a8032ab1c2d3',
        txt: { app: 'Plus1PM' },
      },
      { kind: 'usb', vid: '10c4', pid: 'ea60' },
      { kind: 'mqtt', topic: 'a/1', payload: 'one', seen: expect.any(Function) },
      { kind: 'mqtt', topic: 'b/2', payload: 'two', seen: expect.any(Function) },
    ]);
    // Each message can look up the others the device sent (rules with `siblings` do).
    const first = observations[2]!;
    expect(first.kind === 'mqtt' && [first.seen?.('b/2'), first.seen?.('c/3')]).toEqual(['two', undefined]);
  });
});

describe('toSiteDevice on recorded sightings of the virtual devices', () => {
  it('the ESPHome sensor: its entities and status topic; it fills motion and temperature, not switch', () => {
    const r = toSiteDevice(byModel('esphome-device'), catalog);
    if (!r.ok) throw new Error(r.reason);
    expect(r.device).toMatchObject({
      id: 'demo-sensor',
      name: 'Demo sensor',
      model: 'esphome-device',
      identity: { mac: 'b4e62d112233' },
      variables: { status_topic: 'demo-sensor/status', host: 'demo-sensor' },
    });
    expect(Object.keys(r.device.entities ?? {}).sort()).toEqual([
      'binary_sensor_motion',
      'sensor_humidity',
      'sensor_temperature',
    ]);
    const roles = {
      motion: { id: 'hall-motion', capability: 'motion@1' },
      temperature: { id: 't', capability: 'temperature@1' },
      light: { id: 'hall-light', capability: 'switch@1' },
    };
    expect(canFillRole(r.device, roles.motion, catalog)).toMatchObject({
      ok: true,
      candidate: { implementation: 'binary_sensor_motion', reason: 'implements motion@1', score: 1 },
    });
    expect(canFillRole(r.device, roles.temperature, catalog).ok).toBe(true);
    // The model's switch is a guess its entities overrule: the node announces no relay.
    expect(canFillRole(r.device, roles.light, catalog).ok).toBe(false);
  });

  it('the relay and the Shelly fill switch roles; only the Shelly also meters power', () => {
    const relay = toSiteDevice(byModel('tasmota-device'), catalog);
    const shelly = toSiteDevice(byModel('shelly-plus-1pm'), catalog);
    if (!relay.ok || !shelly.ok) throw new Error('not converted');
    expect(relay.device).toMatchObject({
      id: 'demo-relay',
      identity: { mac: 'a4cf12b3c4d5', topic: 'demo_relay', hostname: 'demo-relay-c4d5' },
      variables: { topic: 'demo_relay', host: '127.0.0.1', lwt: 'tele/demo_relay/LWT' },
    });
    // What they can do comes from their announced entities: relay 1, and switch:0 with its meters.
    expect(Object.keys(relay.device.entities ?? {})).toEqual(['relay1']);
    expect(Object.keys(shelly.device.entities ?? {})).toEqual([
      'switch_0_switch',
      'switch_0_power_meter',
      'switch_0_energy_meter',
    ]);
    expect(shelly.device).toMatchObject({
      id: 'shellyplus1pm-demo01',
      variables: { prefix: 'shellyplus1pm-demo01' },
    });
    const devices = [relay.device, shelly.device];
    expect(devicesForRole({ id: 'l', capability: 'switch@1' }, devices, catalog)).toEqual([
      {
        model: 'tasmota-device',
        device: 'demo-relay',
        implementation: 'relay1',
        score: 1,
        reason: 'implements switch@1',
      },
      {
        model: 'shelly-plus-1pm',
        device: 'shellyplus1pm-demo01',
        implementation: 'switch_0_switch',
        score: 1,
        reason: 'implements switch@1',
      },
    ]);
    const plug = { id: 'p', capability: 'switch@1', alsoRequires: ['power-meter@1'] };
    expect(devicesForRole(plug, devices, catalog).map((c) => c.device)).toEqual(['shellyplus1pm-demo01']);
    expect(canFillRole(relay.device, plug, catalog)).toEqual({
      ok: false,
      reason: 'it does not also offer power-meter@1',
    });
  });

  it('a dimmer fills a switch role, and the resolver says it is through extends', () => {
    const dimmer: Device = {
      id: 'lamp',
      name: 'Lamp',
      model: 'ha-light-json',
      identity: {},
      variables: { state_topic: 'lamp/state', command_topic: 'lamp/set' },
    };
    const fit = canFillRole(dimmer, { id: 'l', capability: 'switch@1' }, catalog);
    expect(fit).toMatchObject({
      ok: true,
      candidate: { reason: 'implements dimmer@1, which extends switch@1', implementation: 'dimmer' },
    });
  });

  it('the Homie light: base topic, and its switch and dimmer properties from their $datatype, $settable and $format', () => {
    const r = toSiteDevice(byModel('homie-device'), catalog);
    if (!r.ok) throw new Error(r.reason);
    expect(r.device).toMatchObject({
      id: 'demo-homie-light',
      identity: { topic: 'demo-homie' },
      variables: { base: 'homie/demo-homie', switch_path: 'light/power', dimmer_path: 'light/brightness' },
    });
    expect(r.conflicts).toEqual([]);
    expect(canFillRole(r.device, { id: 'l', capability: 'switch@1' }, catalog)).toMatchObject({
      ok: true,
      candidate: { implementation: 'switch', reason: 'implements switch@1' },
    });
    // The light node's power and brightness are one dimmer entity, bound at their own topics.
    expect(canFillRole(r.device, { id: 'd', capability: 'dimmer@1' }, catalog)).toMatchObject({
      ok: true,
      candidate: { implementation: 'light', reason: 'implements dimmer@1' },
    });
  });

  it('a Homie boolean that is not settable is no switch: the light then needs that setting to fill a switch', () => {
    // Without entities (a sighting recorded before they were read), the model's own rules decide.
    const recordedLight = { ...byModel('homie-device'), entities: [] };
    const [first, ...rest] = recordedLight.sightings;
    const facts = { ...first!.facts };
    delete facts['topic:homie/demo-homie/light/power/$settable'];
    const r = toSiteDevice(
      { ...recordedLight, sightings: [{ ...first!, facts, entities: [] }, ...rest] },
      catalog,
    );
    if (!r.ok) throw new Error(r.reason);
    expect(r.device.variables).toEqual({ base: 'homie/demo-homie', dimmer_path: 'light/brightness' });
    expect(canFillRole(r.device, { id: 'l', capability: 'switch@1' }, catalog)).toEqual({
      ok: false,
      reason:
        'Homie device (v4 / v5) needs the setting switch_path (Switch property: <node>/<property> of a settable boolean, e.g. light/power) to offer switch@1; set it on the device',
      needs: {
        implementation: 'switch',
        settings: [
          {
            name: 'switch_path',
            title: 'Switch property',
            description: '<node>/<property> of a settable boolean, e.g. light/power.',
          },
        ],
      },
    });
    const set = { ...r.device, variables: { ...r.device.variables, switch_path: 'light/power' } };
    expect(canFillRole(set, { id: 'l', capability: 'switch@1' }, catalog)).toMatchObject({
      ok: true,
      candidate: { implementation: 'switch', reason: 'implements switch@1' },
    });
  });

  it('ids avoid those taken, fall back to the topic, and are always valid slugs', () => {
    const relay = byModel('tasmota-device');
    const taken = new Set(['demo-relay', 'demo-relay-2']);
    expect(toSiteDevice(relay, catalog, taken)).toMatchObject({ ok: true, device: { id: 'demo-relay-3' } });
    expect(toSiteDevice({ ...relay, name: '  ☃ ' }, catalog)).toMatchObject({
      ok: true,
      device: { id: 'demo_relay', name: '☃' },
    });
  });

  it('refuses a device without a model, or with a model only the registry knows, naming the fix', () => {
    const relay = { ...byModel('tasmota-device'), entities: [] };
    expect(toSiteDevice({ ...relay, model: null }, catalog)).toEqual({
      ok: false,
      reason: expect.stringMatching(/matched no device model; add a model for it to the project/),
    });
    const wled = { ...relay, model: { id: 'wled-light', name: 'WLED light', confidence: 0.9, reason: '' } };
    expect(toSiteDevice(wled, catalog)).toEqual({
      ok: false,
      reason: expect.stringMatching(/WLED light \(wled-light\), which has no device model .* add one/),
    });
  });
});

describe('identity and variables', () => {
  it('keeps a MAC only when it is 12 hex digits', () => {
    expect(siteIdentity({ identity: { mac: 'A4CF12B3C4D5', topic: 't' } })).toEqual({
      mac: 'a4cf12b3c4d5',
      topic: 't',
    });
    expect(siteIdentity({ identity: { mac: 'a4:cf:12', hostname: 'h' } })).toEqual({ hostname: 'h' });
  });

  it('recognises a stored device by any shared identity fact', () => {
    const stored = { identity: { mac: 'b4e62d112233', hostname: 'demo-sensor' } };
    expect(sameDevice(stored, { identity: { mac: 'B4E62D112233' } })).toBe(true);
    expect(sameDevice(stored, { identity: { hostname: 'demo-sensor' } })).toBe(true);
    expect(sameDevice(stored, { identity: { topic: 'demo-sensor' } })).toBe(false);
  });

  it('a scalar variable two observations disagree on keeps the first value (most specific rule, then topic order) and is reported', () => {
    const model = catalog.models.get('tasmota-relay')!;
    const s = sighting({ 'topic:tele/one/LWT': 'Online', 'topic:tele/two/LWT': 'Online' });
    expect(captureVariables(model, [s])).toEqual({
      variables: { topic: 'one' },
      conflicts: ['topic'],
      matched: 2,
    });
  });
});
