import { beforeAll, describe, expect, it } from 'vitest';
import {
  applicableImplementations,
  BindingError,
  decodeReadResult,
  invokeAction,
  readProperty,
  writeProperty,
  type BoundDevice,
} from '../../../../../shared/core/model/binding';
import {
  compileDevice,
  decodeMessage,
  subscriptionsFor,
  topicFiltersFor,
} from '../../../../../shared/core/model/observe';
import type { DeviceModel } from '../../../../../shared/core/model/schemas';
import { valuePathFromHaTemplate } from '../../../../../shared/core/model/template';
import { loadLibrary } from '../../../../../shared/node/library/load';

let models: Map<string, DeviceModel>;
beforeAll(async () => {
  const lib = await loadLibrary();
  models = new Map(lib.models.map((m) => [m.id, m]));
});
const device = (
  model: string,
  variables: Record<string, string | number>,
  extra: Partial<BoundDevice> = {},
) => ({
  model: models.get(model)!,
  variables,
  ...extra,
});
const values = (d: BoundDevice, topic: string, payload: string) =>
  decodeMessage(d, topic, payload).map((v) => [`${v.implementation}.${v.name}`, v.value]);

describe('Tasmota relay', () => {
  const relay = () => device('tasmota-relay', { topic: 'kitchen_relay', host: '192.168.1.50' });

  it('writes POWER ON/OFF to cmnd/<topic>/POWER', () => {
    expect(writeProperty(relay(), 'switch', 'on', true)).toEqual({
      kind: 'mqtt',
      topic: 'cmnd/kitchen_relay/POWER',
      payload: 'ON',
      qos: 0,
      retain: false,
    });
    expect(writeProperty(relay(), 'switch', 'on', false)).toMatchObject({ payload: 'OFF' });
    expect(invokeAction(relay(), 'switch', 'toggle')).toMatchObject({
      topic: 'cmnd/kitchen_relay/POWER',
      payload: 'TOGGLE',
    });
  });

  it('addresses one relay of several through the power variable', () => {
    const two = device('tasmota-relay', { topic: 'kitchen_relay', power: 'POWER2' });
    expect(writeProperty(two, 'switch', 'on', true)).toMatchObject({ topic: 'cmnd/kitchen_relay/POWER2' });
    expect(values(two, 'stat/kitchen_relay/RESULT', '{"POWER2":"OFF"}')).toEqual([['switch.on', false]]);
    expect(values(two, 'stat/kitchen_relay/RESULT', '{"POWER1":"OFF"}')).toEqual([]);
  });

  it('decodes plain POWER, RESULT and STATE messages into booleans', () => {
    expect(values(relay(), 'stat/kitchen_relay/POWER', 'OFF')).toEqual([['switch.on', false]]);
    expect(values(relay(), 'stat/kitchen_relay/POWER', 'on')).toEqual([['switch.on', true]]);
    expect(values(relay(), 'stat/kitchen_relay/RESULT', '{"POWER":"ON"}')).toEqual([['switch.on', true]]);
    const state =
      '{"Time":"2021-06-27T15:03:44","UptimeSec":13,"POWER":"ON","Wifi":{"AP":1,"SSId":"HomeNet","RSSI":86,"Signal":-57}}';
    expect(values(relay(), 'tele/kitchen_relay/STATE', state)).toEqual([
      ['switch.on', true],
      ['signal.rssi', -57],
    ]);
    expect(values(relay(), 'tele/kitchen_relay/LWT', 'Online')).toEqual([['availability.online', true]]);
    expect(values(relay(), 'tele/other_relay/LWT', 'Online')).toEqual([]);
  });

  it('reports a payload it cannot map instead of guessing', () => {
    const problems: string[] = [];
    expect(decodeMessage(relay(), 'stat/kitchen_relay/POWER', 'BLINK', (p) => problems.push(p))).toEqual([]);
    expect(problems.join()).toMatch(/"BLINK" is not one of "ON", "OFF"/);
  });

  it('reads over HTTP with /cm?cmnd=POWER and decodes the answer', () => {
    const op = readProperty(relay(), 'switch', 'on');
    expect(op).toEqual({
      kind: 'http',
      method: 'GET',
      url: 'http://192.168.1.50/cm?cmnd=POWER',
      valuePath: 'POWER',
    });
    expect(decodeReadResult(relay(), 'switch', 'on', op, '{"POWER":"OFF"}')).toBe(false);
  });

  it('lists the subscriptions the gateway needs', () => {
    expect(topicFiltersFor(relay())).toEqual([
      'stat/kitchen_relay/POWER',
      'stat/kitchen_relay/RESULT',
      'tele/kitchen_relay/STATE',
      'tele/kitchen_relay/LWT',
    ]);
    expect(subscriptionsFor(relay())).toContainEqual({
      implementation: 'switch',
      kind: 'property',
      name: 'on',
      topic: 'stat/kitchen_relay/POWER',
    });
  });

  it('names the missing variable when a device lacks one', () => {
    const bare = device('tasmota-relay', {});
    expect(() => writeProperty(bare, 'switch', 'on', true)).toThrow(/no value for \{topic\}/);
    try {
      writeProperty(bare, 'switch', 'on', true);
    } catch (error) {
      expect((error as BindingError).code).toBe('missing_variable');
    }
    expect(() => writeProperty(relay(), 'switch', 'nope', true)).toThrow(BindingError);
    expect(() => writeProperty(relay(), 'switch', 'on', 'maybe')).toThrow(/cannot send "maybe"/);
  });

  it('compiles a device once: missing variables are listed, not thrown, and decoding still works for the rest', () => {
    const partial = device('homie-device', { switch_path: 'light/power' });
    const compiled = compileDevice(partial);
    expect(compiled.problems.join()).toMatch(/no value for \{base\}/);
    expect(compiled.decode('homie/x/light/power', 'true')).toEqual([]);
    expect(() => subscriptionsFor(partial)).toThrow(BindingError);
    const ok = compileDevice(relay());
    expect(ok.problems).toEqual([]);
    expect(ok.decode('stat/kitchen_relay/POWER', 'ON')).toEqual([
      { implementation: 'switch', capability: 'switch@1', kind: 'property', name: 'on', value: true },
    ]);
  });

  it('reads a sensor value from tele/<topic>/SENSOR by the sensor key', () => {
    const sensor = device('tasmota-sensor', { topic: 'kitchen_relay', sensor: 'DS18B20' });
    expect(
      values(
        sensor,
        'tele/kitchen_relay/SENSOR',
        '{"Time":"2019-10-31T18:55:09","DS18B20":{"Temperature":20.6},"TempUnit":"C"}',
      ),
    ).toEqual([['temperature.temperature', 20.6]]);
    expect(applicableImplementations(sensor)).not.toContain('pressure');
    const fahrenheit = device('tasmota-sensor', { topic: 'attic', sensor: 'DS18B20', temp_unit: 'F' });
    expect(
      values(fahrenheit, 'tele/attic/SENSOR', '{"DS18B20":{"Temperature":68.9},"TempUnit":"F"}'),
    ).toEqual([['temperature_f.temperature', 20.5]]);
  });
});

describe('Shelly Plus 1PM (RPC)', () => {
  const prefix = 'shellyplus1pm-a8032ab1c2d3';
  const shelly = (extra: Partial<BoundDevice> = {}) =>
    device('shelly-plus-1pm', { prefix, host: '192.168.33.1' }, { rpcSource: 'installer-app', ...extra });

  it('sends Switch.Set over MQTT with typed params and the response topic', () => {
    const op = writeProperty(shelly(), 'switch', 'on', true);
    expect(op).toMatchObject({
      kind: 'rpc',
      via: 'mqtt',
      topic: `${prefix}/rpc`,
      responseTopic: 'installer-app/rpc',
      frame: { src: 'installer-app', method: 'Switch.Set', params: { id: 0, on: true } },
    });
    if (op.kind === 'rpc') expect(typeof op.frame.id).toBe('number');
  });

  it('sends the same call over HTTP when asked', () => {
    const op = writeProperty(shelly({ rpcVia: 'http' }), 'switch', 'on', false);
    expect(op).toMatchObject({
      kind: 'rpc',
      via: 'http',
      url: 'http://192.168.33.1/rpc',
      frame: { params: { id: 0, on: false } },
    });
    const noPrefix = device('shelly-plus-1pm', { host: '10.0.0.9' });
    expect(writeProperty(noPrefix, 'switch', 'on', true)).toMatchObject({
      via: 'http',
      url: 'http://10.0.0.9/rpc',
    });
  });

  it('decodes NotifyStatus (only changed keys) and status/switch:0', () => {
    const notify = JSON.stringify({
      src: prefix,
      dst: `${prefix}/events`,
      method: 'NotifyStatus',
      params: { ts: 1700000000.12, 'switch:0': { id: 0, output: true, source: 'MQTT' } },
    });
    expect(values(shelly(), `${prefix}/events/rpc`, notify)).toEqual([['switch.on', true]]);
    const metering = JSON.stringify({
      method: 'NotifyStatus',
      params: { 'switch:0': { apower: 41.2, aenergy: { total: 1234.5 } } },
    });
    expect(values(shelly(), `${prefix}/events/rpc`, metering)).toEqual([
      ['power.power', 41.2],
      ['energy.energy', 1.235],
    ]);
    expect(values(shelly(), `${prefix}/status/switch:0`, '{"id":0,"output":false,"apower":0}')).toEqual([
      ['switch.on', false],
      ['power.power', 0],
    ]);
  });

  it('decodes NotifyEvent button presses for its own input only', () => {
    const event = (component: string, name: string) =>
      JSON.stringify({
        method: 'NotifyEvent',
        params: { ts: 1, events: [{ component, id: 0, event: name, ts: 1 }] },
      });
    expect(values(shelly(), `${prefix}/events/rpc`, event('input:0', 'single_push'))).toEqual([
      ['button.pressed', 'single'],
    ]);
    expect(values(shelly(), `${prefix}/events/rpc`, event('input:1', 'single_push'))).toEqual([]);
    expect(values(shelly(), `${prefix}/online`, 'false')).toEqual([['availability.online', false]]);
  });

  it('reads with Switch.GetStatus and decodes the result', () => {
    const op = readProperty(shelly(), 'switch', 'on');
    expect(op).toMatchObject({
      kind: 'rpc',
      frame: { method: 'Switch.GetStatus', params: { id: 0 } },
      resultPath: 'output',
    });
    expect(decodeReadResult(shelly(), 'switch', 'on', op, { id: 0, output: true })).toBe(true);
  });
});

describe('Home Assistant discovery entities', () => {
  it('reads a sensor through the value path of its value_template', () => {
    const path = valuePathFromHaTemplate('{{ value_json.DS18B20.Temperature }}');
    expect(path).toBe('DS18B20.Temperature');
    const sensor = device('ha-sensor', {
      state_topic: 'tele/kitchen_relay/SENSOR',
      value_path: path!,
      device_class: 'temperature',
    });
    expect(applicableImplementations(sensor)).toEqual(['temperature']);
    expect(values(sensor, 'tele/kitchen_relay/SENSOR', '{"DS18B20":{"Temperature":20.6}}')).toEqual([
      ['temperature.temperature', 20.6],
    ]);
    const plain = device('ha-sensor', {
      state_topic: 'livingroom/sensor/humidity/state',
      device_class: 'humidity',
    });
    expect(values(plain, 'livingroom/sensor/humidity/state', '41.5')).toEqual([['humidity.humidity', 41.5]]);
  });

  it('uses the payloads the discovery config announced', () => {
    const sw = device('ha-switch', {
      command_topic: 'x/set',
      state_topic: 'x/state',
      payload_on: '1',
      payload_off: '0',
    });
    expect(writeProperty(sw, 'switch', 'on', true)).toMatchObject({ topic: 'x/set', payload: '1' });
    expect(values(sw, 'x/state', '0')).toEqual([['switch.on', false]]);
  });

  it('scales light brightness 0–100 % to 0–255', () => {
    const light = device('ha-light', {
      command_topic: 'l/set',
      state_topic: 'l/state',
      brightness_command_topic: 'l/bri/set',
      brightness_state_topic: 'l/bri',
    });
    expect(writeProperty(light, 'light', 'brightness', 50)).toMatchObject({
      topic: 'l/bri/set',
      payload: '128',
    });
    expect(values(light, 'l/bri', '255')).toEqual([['light.brightness', 100]]);
  });
});

describe('Homie', () => {
  it('writes to <property>/set and reads the property topic (v5 and v4)', () => {
    const v5 = device('homie-device', { base: 'homie/5/kitchen-light', switch_path: 'light/power' });
    expect(writeProperty(v5, 'switch', 'on', true)).toMatchObject({
      topic: 'homie/5/kitchen-light/light/power/set',
      payload: 'true',
    });
    expect(values(v5, 'homie/5/kitchen-light/light/power', 'false')).toEqual([['switch.on', false]]);
    expect(values(v5, 'homie/5/kitchen-light/$state', 'ready')).toEqual([['availability.online', true]]);
    const v4 = device('homie-device', { base: 'homie/kitchen-light', switch_path: 'light/power' });
    expect(writeProperty(v4, 'switch', 'on', false)).toMatchObject({
      topic: 'homie/kitchen-light/light/power/set',
      payload: 'false',
    });
    expect(applicableImplementations(v4)).toEqual(['switch', 'availability']);
  });
});

describe('generic MQTT JSON device and the gateway', () => {
  it('sends JSON commands and reads keys of the JSON state', () => {
    const d = device('mqtt-json-device', {
      state_topic: 'z2m/plug',
      command_topic: 'z2m/plug/set',
      features: 'switch,power',
    });
    expect(writeProperty(d, 'switch', 'on', true)).toMatchObject({
      topic: 'z2m/plug/set',
      payload: '{"state":"ON"}',
    });
    expect(values(d, 'z2m/plug', '{"state":"OFF","power":12.5,"temperature":30}')).toEqual([
      ['switch.on', false],
      ['power.power', 12.5],
    ]);
  });

  it('follows the gateway status document', () => {
    const gw = device('fieldgraph-gateway', { gateway_id: 'gw1' });
    expect(
      values(gw, 'fieldgraph/v1/gw/gw1/status', '{"schemaVersion":1,"id":"gw1","state":"offline"}'),
    ).toEqual([
      ['gateway.online', false],
      ['availability.online', false],
    ]);
  });
});

describe('wildcard subscriptions', () => {
  it('match topics with + and #, in model order alongside exact ones', () => {
    const model: DeviceModel = {
      id: 'probe',
      title: 'Probe',
      protocols: ['mqtt'],
      implements: {
        temperature: {
          capability: 'temperature@1',
          properties: {
            temperature: {
              observe: [
                { kind: 'mqtt', topic: 'site/+/temp', format: 'text' },
                { kind: 'mqtt', topic: 'site/hall/temp', format: 'text' },
                { kind: 'mqtt', topic: 'all/#', valuePath: 't' },
              ],
              map: [{ kind: 'parse', as: 'number' }],
            },
          },
        },
      },
    };
    const compiled = compileDevice({ model, variables: {} });
    expect(compiled.decode('site/hall/temp', '21.5').map((v) => v.value)).toEqual([21.5, 21.5]);
    expect(compiled.decode('site/attic/temp', '3').map((v) => v.value)).toEqual([3]);
    expect(compiled.decode('all/a/b', '{"t":"7"}').map((v) => v.value)).toEqual([7]);
    expect(compiled.decode('site/hall/humidity', '1')).toEqual([]);
  });
});
