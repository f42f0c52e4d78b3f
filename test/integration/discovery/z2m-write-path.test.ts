import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog } from '../../../shared/core/model/catalog';
import type { Site } from '../../../shared/core/model/schemas';
import { toSiteDevice } from '../../../shared/core/registry/to-site-device';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import { loadLibrary } from '../../../shared/node/library/load';
import type { FieldFixture } from '../../helpers/field-corpus';
import { startMosquitto } from '../../helpers/mosquitto';
import { discoverOn, runProject, saveProject } from '../../helpers/site-path';
import { waitForValue } from '../../helpers/wait';

const waitFor = <T>(probe: () => T | undefined, what: string, ms = 20_000) => waitForValue(probe, what, ms);

/**
 * The zigbee2mqtt write path with real parts: a zigbee2mqtt 2.x bridge's retained `bridge/state`
 * and `bridge/devices` (the field fixture: a Tuya metering plug, an Aqara leak sensor and a Hue
 * white-ambiance bulb) are published on mosquitto and discovered entity by entity; a project
 * binds the three in a site and runs "leak → plug off, lamp on at 50 %" on a gateway. The leak
 * report arrives on the sensor's state topic as zigbee2mqtt sends it, and the commands must reach
 * `<base>/<friendly name>/set` in zigbee2mqtt's shape: `{"state":"OFF"}`, `{"state":"ON"}` and
 * brightness on the bulb's own 0–254 scale.
 */
describe('a flow command reaches a zigbee2mqtt device', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const work = mkdtempSync(join(tmpdir(), 'fg-z2m-write-'));
  const fixture = JSON.parse(
    readFileSync('test/fixtures/field/zigbee2mqtt/z2m2-plug-leak-bulb.json', 'utf8'),
  ) as FieldFixture;
  let brokerUrl: string;
  let found: Record<'plug' | 'leak' | 'lamp', DiscoveredDevice>;

  beforeAll(async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    brokerUrl = broker.url;
    const bridge = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    cleanups.push(() => bridge.endAsync(true));
    for (const m of fixture.messages) {
      const payload = typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload);
      await bridge.publishAsync(m.topic, payload, { retain: m.retain ?? true, qos: 1 });
    }
    const session = await discoverOn(brokerUrl, (fn) => cleanups.push(fn));
    const bySerial = (serial: string, capability: string) => () =>
      session.registry
        .list()
        .find(
          (d) =>
            d.identity.serial === serial &&
            (d.entities ?? []).some((e) => e.status === 'bound' && e.capability === capability),
        );
    found = {
      plug: await waitFor(bySerial('0xa4c138f3e5d2b001', 'switch@1'), 'the plug'),
      leak: await waitFor(bySerial('0x00158d0004a8e7c3', 'water-leak@1'), 'the leak sensor'),
      lamp: await waitFor(bySerial('0x0017880104e45b11', 'color-light@1'), 'the lamp'),
    };
  });
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
    rmSync(work, { recursive: true, force: true });
  });

  it('leak → plug off and lamp on at 50 %: set topics get zigbee2mqtt payloads', async () => {
    const library = await loadLibrary();
    const catalog = createCatalog(library.capabilities, library.models);
    const taken = new Set<string>();
    const site = (key: 'plug' | 'leak' | 'lamp') => {
      const r = toSiteDevice(found[key], catalog, taken);
      if (!r.ok) throw new Error(r.reason);
      taken.add(r.device.id);
      return r.device;
    };
    const [plug, leak, lamp] = [site('plug'), site('leak'), site('lamp')];
    const entityOf = (d: DiscoveredDevice, capability: string) =>
      d.entities!.find((e) => e.status === 'bound' && e.capability === capability)!.id;
    const roles = [
      { id: 'leak', title: 'Boiler room leak', capability: 'water-leak@1' },
      { id: 'washer', title: 'Washing machine', capability: 'switch@1' },
      { id: 'lamp', title: 'Reading lamp', capability: 'dimmer@1' },
    ];
    const siteDoc: Site = {
      schemaVersion: 1,
      id: 'site-1',
      name: 'Site 1',
      rooms: [],
      devices: [plug, leak, lamp],
      bindings: [
        { role: 'leak', device: leak.id },
        { role: 'washer', device: plug.id, implementation: entityOf(found.plug, 'switch@1') },
        // The bulb is a colour-temperature light: it fills a dimmer role through `extends`.
        { role: 'lamp', device: lamp.id, implementation: entityOf(found.lamp, 'color-light@1') },
      ],
      gateways: [],
    };

    const path = join(work, 'utility-room');
    const at = (x: number, y: number) => ({ x, y });
    const flow = {
      id: 'leak-stop',
      name: 'Leak stop',
      nodes: [
        {
          id: 'leak',
          kind: 'trigger.property-change',
          config: { role: 'leak', property: 'leak', condition: 'payload == true' },
          position: at(0, 0),
        },
        {
          id: 'washer-off',
          kind: 'action.set-property',
          config: { role: 'washer', property: 'on', value: 'false' },
          position: at(300, 0),
        },
        {
          id: 'lamp-dim',
          kind: 'action.set-property',
          config: { role: 'lamp', property: 'brightness', value: '50' },
          position: at(300, 150),
        },
        {
          id: 'lamp-on',
          kind: 'action.set-property',
          config: { role: 'lamp', property: 'on', value: 'true' },
          position: at(600, 150),
        },
      ],
      edges: [
        { id: 'a', from: { node: 'leak', port: 'out' }, to: { node: 'washer-off', port: 'in' } },
        { id: 'b', from: { node: 'leak', port: 'out' }, to: { node: 'lamp-dim', port: 'in' } },
        { id: 'c', from: { node: 'lamp-dim', port: 'out' }, to: { node: 'lamp-on', port: 'in' } },
      ],
      groups: [],
    };
    const saved = await saveProject(join(work, 'data'), path, {
      name: 'Utility room',
      roles,
      flow,
      site: siteDoc,
    });
    expect(saved.problems).toEqual([]);

    // zigbee2mqtt's side: what arrives on any device's set topic.
    const z2m = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    cleanups.push(() => z2m.endAsync(true));
    const sets: Array<{ topic: string; payload: unknown }> = [];
    z2m.on('message', (topic, payload) => sets.push({ topic, payload: JSON.parse(payload.toString()) }));
    await z2m.subscribeAsync('zigbee2mqtt/+/set');

    await runProject('gw-utility', brokerUrl, join(work, 'gateway'), path, (fn) => cleanups.push(fn));

    // The sensor reports as zigbee2mqtt publishes it (all its properties in one JSON object),
    // dry first, then wet; repeated until the gateway has subscribed and acted.
    await z2m.publishAsync(
      'zigbee2mqtt/Boiler room leak',
      JSON.stringify({ water_leak: false, battery: 91, battery_low: false, linkquality: 120 }),
    );
    await waitForValue(
      async () => {
        if (sets.length >= 3) return true;
        await z2m.publishAsync(
          'zigbee2mqtt/Boiler room leak',
          JSON.stringify({ water_leak: true, battery: 91, battery_low: false, linkquality: 120 }),
        );
        await new Promise((r) => setTimeout(r, 300));
        return undefined;
      },
      'the three commands on zigbee2mqtt set topics',
      30_000,
    );

    expect(sets.slice(0, 3)).toEqual(
      expect.arrayContaining([
        { topic: 'zigbee2mqtt/Washing machine plug/set', payload: { state: 'OFF' } },
        // 50 % of the bulb's brightness range 0–254.
        { topic: 'zigbee2mqtt/Reading lamp/set', payload: { brightness: 127 } },
        { topic: 'zigbee2mqtt/Reading lamp/set', payload: { state: 'ON' } },
      ]),
    );
    // Brightness before power, in the flow's order; nothing went to the sensor or elsewhere.
    const lampSets = sets.filter((s) => s.topic === 'zigbee2mqtt/Reading lamp/set').slice(0, 2);
    expect(lampSets.map((s) => s.payload)).toEqual([{ brightness: 127 }, { state: 'ON' }]);
    expect(new Set(sets.map((s) => s.topic))).toEqual(
      new Set(['zigbee2mqtt/Washing machine plug/set', 'zigbee2mqtt/Reading lamp/set']),
    );
  });
});
