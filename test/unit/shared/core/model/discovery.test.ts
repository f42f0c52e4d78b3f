import { beforeAll, describe, expect, it } from 'vitest';
import { writeProperty } from '../../../../../shared/core/model/binding';
import { createCatalog, type Catalog } from '../../../../../shared/core/model/catalog';
import { expandHaDiscoveryConfig, matchModels } from '../../../../../shared/core/model/discovery';
import { decodeMessage } from '../../../../../shared/core/model/observe';
import { loadLibrary } from '../../../../../shared/node/library/load';

let catalog: Catalog;
beforeAll(async () => {
  const lib = await loadLibrary();
  catalog = createCatalog(lib.capabilities, lib.models);
});
const models = (list: { model: string }[]) => list.map((m) => m.model);

describe('discovery rules of the library', () => {
  it('recognise a Shelly Plus 1PM from its _shelly._tcp TXT record and capture prefix and host', () => {
    const found = matchModels(catalog, {
      kind: 'mdns',
      service: '_shelly._tcp.local',
      instance: 'shellyplus1pm-a8032ab1c2d3',
      host: 'shellyplus1pm-a8032ab1c2d3.local',
      txt: { gen: '2', app: 'Plus1PM', ver: '1.4.2' },
    });
    // The Gen2+ family model fits any _shelly._tcp service too, less specifically.
    expect(models(found)).toEqual(['shelly-plus-1pm', 'shelly-gen2']);
    expect(found[0]!.variables).toEqual({
      prefix: 'shellyplus1pm-a8032ab1c2d3',
      host: 'shellyplus1pm-a8032ab1c2d3',
    });
  });

  it('recognise Tasmota from its LWT and its discovery config', () => {
    // Any Tasmota's Last Will says it is a Tasmota; only its discovery config says what it drives.
    const lwt = matchModels(catalog, { kind: 'mqtt', topic: 'tele/kitchen_relay/LWT', payload: 'Online' });
    expect(models(lwt)).toEqual(['tasmota-device', 'tasmota-relay', 'tasmota-sensor']);
    expect(lwt[0]!.variables).toEqual({ lwt: 'tele/kitchen_relay/LWT' });
    expect(
      models(matchModels(catalog, { kind: 'mqtt', topic: 'tele/kitchen_relay/LWT', payload: 'Offline' })),
    ).toEqual(['tasmota-device']);
    expect(
      matchModels(catalog, { kind: 'mqtt', topic: 'tele/kitchen_relay/LWT', payload: 'Asleep' }),
    ).toEqual([]);
    const config = JSON.stringify({
      ip: '192.168.1.50',
      dn: 'Kitchen',
      t: 'kitchen_relay',
      rl: [1, 0, 0, 0],
    });
    const found = matchModels(catalog, {
      kind: 'mqtt',
      topic: 'tasmota/discovery/AABBCCDDEEFF/config',
      payload: config,
    });
    expect(found[0]).toMatchObject({
      model: 'tasmota-relay',
      variables: { topic: 'kitchen_relay', host: '192.168.1.50' },
    });
  });

  it('turn a Home Assistant sensor config into a device that decodes its state', () => {
    const config = {
      name: 'Temperature',
      uniq_id: 'kitchen_relay_temp',
      stat_t: 'tele/kitchen_relay/SENSOR',
      val_tpl: '{{ value_json.DS18B20.Temperature }}',
      unit_of_meas: '°C',
      dev_cla: 'temperature',
      dev: { ids: ['tasmota_3D5E26'] },
    };
    const [match] = matchModels(catalog, {
      kind: 'mqtt',
      topic: 'homeassistant/sensor/kitchen_relay_temp/config',
      payload: JSON.stringify(config),
    });
    expect(match).toMatchObject({
      model: 'ha-sensor',
      variables: {
        state_topic: 'tele/kitchen_relay/SENSOR',
        value_path: 'DS18B20.Temperature',
        device_class: 'temperature',
      },
    });
    const device = { model: catalog.models.get('ha-sensor')!, variables: match!.variables };
    expect(decodeMessage(device, 'tele/kitchen_relay/SENSOR', '{"DS18B20":{"Temperature":20.6}}')).toEqual([
      {
        implementation: 'temperature',
        capability: 'temperature@1',
        kind: 'property',
        name: 'temperature',
        value: 20.6,
      },
    ]);
  });

  it('expand ~ and abbreviations of a switch config and drive the switch with them', () => {
    const config = {
      '~': 'stat/kitchen_relay',
      name: 'Kitchen',
      uniq_id: 'kitchen_relay_1',
      cmd_t: 'cmnd/kitchen_relay/POWER',
      stat_t: '~/POWER',
      pl_on: 'ON',
      pl_off: 'OFF',
      avty_t: 'tele/kitchen_relay/LWT',
      pl_avail: 'Online',
      pl_not_avail: 'Offline',
    };
    expect(expandHaDiscoveryConfig(config)).toMatchObject({
      state_topic: 'stat/kitchen_relay/POWER',
      payload_available: 'Online',
    });
    const [match] = matchModels(catalog, {
      kind: 'mqtt',
      topic: 'homeassistant/switch/kitchen_relay_1/config',
      payload: JSON.stringify(config),
    });
    expect(match!.model).toBe('ha-switch');
    const device = { model: catalog.models.get('ha-switch')!, variables: match!.variables };
    expect(writeProperty(device, 'switch', 'on', true)).toMatchObject({
      topic: 'cmnd/kitchen_relay/POWER',
      payload: 'ON',
    });
    expect(decodeMessage(device, 'tele/kitchen_relay/LWT', 'Offline')).toEqual([
      expect.objectContaining({ name: 'online', value: false }),
    ]);
    expect(expandHaDiscoveryConfig({ avty: [{ t: 'dev/avail', pl_avail: 'up' }] })).toMatchObject({
      availability_topic: 'dev/avail',
      payload_available: 'up',
    });
  });

  it('recognise Homie v4 and v5 devices with their base topic, USB adapters and the gateway', () => {
    expect(
      matchModels(catalog, { kind: 'mqtt', topic: 'homie/5/kitchen-light/$state', payload: 'ready' })[0],
    ).toMatchObject({
      model: 'homie-device',
      variables: { base: 'homie/5/kitchen-light' },
    });
    expect(
      matchModels(catalog, { kind: 'mqtt', topic: 'homie/kitchen-light/$homie', payload: '4.0.0' })[0],
    ).toMatchObject({
      variables: { base: 'homie/kitchen-light' },
    });
    expect(models(matchModels(catalog, { kind: 'usb', vid: '10C4', pid: 'EA60' }))).toEqual([
      'esphome-device',
      'tasmota-relay',
    ]);
    expect(matchModels(catalog, { kind: 'usb', vid: '10c4', pid: '0000' })).toEqual([]);
    expect(
      matchModels(catalog, {
        kind: 'mdns',
        service: '_fieldgraph._tcp',
        instance: 'gw1',
        host: 'gw1.local',
        txt: { ID: 'gw1' },
      })[0],
    ).toMatchObject({ model: 'fieldgraph-gateway', variables: { gateway_id: 'gw1', host: 'gw1' } });
    expect(
      matchModels(catalog, { kind: 'mdns', service: '_ipp._tcp', instance: 'printer', txt: {} }),
    ).toEqual([]);
  });
});

describe('a JSON-schema light from Home Assistant discovery', () => {
  it('is told apart from a default-schema light and drives colour with an object payload', () => {
    const config = {
      schema: 'json',
      name: 'Desk',
      uniq_id: 'desk_light',
      cmd_t: 'desk/light/set',
      stat_t: 'desk/light',
      supported_color_modes: ['rgb'],
    };
    const found = matchModels(catalog, {
      kind: 'mqtt',
      topic: 'homeassistant/light/desk/config',
      payload: JSON.stringify(config),
    });
    expect(found.map((m) => m.model)).toEqual(['ha-light-json']);
    const device = { model: catalog.models.get('ha-light-json')!, variables: found[0]!.variables };
    expect(writeProperty(device, 'color', 'color', { r: 255, g: 0, b: 0 })).toMatchObject({
      topic: 'desk/light/set',
      payload: '{"state":"ON","color":{"r":255,"g":0,"b":0}}',
    });
    const state = '{"state":"ON","brightness":255,"color_mode":"rgb","color":{"r":255,"g":0,"b":0}}';
    expect(
      decodeMessage(device, 'desk/light', state).map(
        (v) => `${v.implementation}.${v.name}=${JSON.stringify(v.value)}`,
      ),
    ).toEqual([
      'color.on=true',
      'color.brightness=100',
      'color.color={"r":255,"g":0,"b":0}',
      'dimmer.on=true',
      'dimmer.brightness=100',
    ]);
    const plain = {
      ...config,
      schema: undefined,
      supported_color_modes: undefined,
      bri_cmd_t: 'desk/bri/set',
    };
    const defaultSchema = matchModels(catalog, {
      kind: 'mqtt',
      topic: 'homeassistant/light/desk/config',
      payload: JSON.stringify(plain),
    });
    expect(defaultSchema.map((m) => m.model)).toEqual(['ha-light']);
  });
});

describe('rules that read the messages beside the matched one (siblings)', () => {
  const messages: Record<string, string> = {
    'homie/lamp/$homie': '4.0.0',
    'homie/lamp/light/power/$datatype': 'boolean',
    'homie/lamp/light/power/$settable': 'true',
    'homie/lamp/door/open/$datatype': 'boolean',
    'homie/lamp/door/open/$settable': 'false',
  };
  const seen = (topic: string) => messages[topic];
  const homie = (topic: string, withSeen = true) =>
    matchModels(catalog, { kind: 'mqtt', topic, payload: messages[topic]!, ...(withSeen ? { seen } : {}) });

  it('capture a Homie switch from a boolean whose $settable beside it is true', () => {
    const found = homie('homie/lamp/light/power/$datatype');
    expect(found.map((m) => [m.model, m.variables])).toEqual([
      ['homie-device', { base: 'homie/lamp', switch_path: 'light/power' }],
    ]);
  });

  it('do not fit a boolean that is read-only, or when the other messages are unknown', () => {
    expect(homie('homie/lamp/door/open/$datatype')).toEqual([]);
    expect(homie('homie/lamp/light/power/$datatype', false)).toEqual([]);
  });
});

describe('a Homie dimmable light found by its property attributes', () => {
  it('fills a dimmer role and sets its brightness on <base>/<dimmer_path>/set', () => {
    const device = {
      model: catalog.models.get('homie-device')!,
      variables: { base: 'homie/lamp', switch_path: 'light/power', dimmer_path: 'light/brightness' },
    };
    expect(writeProperty(device, 'dimmer', 'brightness', 40)).toMatchObject({
      topic: 'homie/lamp/light/brightness/set',
      payload: '40',
    });
    expect(writeProperty(device, 'dimmer', 'on', true)).toMatchObject({
      topic: 'homie/lamp/light/power/set',
      payload: 'true',
    });
    expect(decodeMessage(device, 'homie/lamp/light/brightness', '75')).toContainEqual(
      expect.objectContaining({ implementation: 'dimmer', name: 'brightness', value: 75 }),
    );
  });
});
