/**
 * Identify from the device page, with real parts: the field fixtures of an IKEA bulb listed by a
 * zigbee2mqtt 2.x bridge and of a Home Assistant identify button are published retained on
 * mosquitto, discovered, opened through the device service, and pressed; a client subscribed to
 * the command topics must receive each press in the device's own shape.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../shared/core/api/dispatch';
import { createEventHub } from '../../../shared/core/api/events';
import { silentLogger } from '../../../shared/node/log';
import { createServices } from '../../../shared/node/services';
import { useCleanups } from '../../helpers/cleanups';
import type { FieldFixture } from '../../helpers/field-corpus';
import { startMosquitto } from '../../helpers/mosquitto';
import { waitForValue } from '../../helpers/wait';

interface Listed {
  devices: { id: string; name: string; entities?: { status: string; capability: string | null }[] }[];
}
interface Page {
  features: { key: string; capability: string; applies: boolean; actions: { name: string }[] }[];
}

const cleanups = useCleanups();
// The broker, the discovery and the data folder serve both tests; what a test opens is undone after it.
const teardown: Array<() => unknown> = [];
afterAll(async () => {
  for (const fn of teardown.reverse()) await fn();
});

describe('Identify on the device page', () => {
  let call: (method: string, args?: unknown) => Promise<Record<string, unknown>>;
  let brokerUrl: string;

  beforeAll(async () => {
    const broker = await startMosquitto();
    teardown.push(() => broker.stop());
    brokerUrl = broker.url;
    const bridge = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    teardown.push(() => bridge.endAsync(true));
    for (const file of [
      'zigbee2mqtt/z2m2-ikea-bulb-identify.json',
      'homeassistant/bridge-identify-button.json',
    ]) {
      const fixture = JSON.parse(readFileSync(`test/fixtures/field/${file}`, 'utf8')) as FieldFixture;
      for (const m of fixture.messages) {
        const payload = typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload);
        await bridge.publishAsync(m.topic, payload, { retain: m.retain ?? true, qos: 1 });
      }
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'fg-identify-'));
    teardown.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const dispatch = createDispatcher(
      createServices({
        runtime: 'web',
        dataDir,
        hub: createEventHub(),
        log: silentLogger,
      }),
      { checkResults: true },
    );
    call = async (method, args = {}) => {
      const result = await dispatch(method, args, { transport: 'direct' });
      if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
      return result.value as Record<string, unknown>;
    };
    await call('discovery.start', { mqttUrls: [brokerUrl], serial: false });
    teardown.push(() => call('discovery.stop'));
  });

  it.each([
    ['Hall lamp', 'zigbee2mqtt/Hall lamp/set', { identify: 'identify' }],
    ['Somfy SDN MQTT  Bridge', 'homeassistant/button/somfy_discovery_send/set', 'PRESS'],
  ])('%s: the page offers Identify, and pressing it publishes on %s', async (name, topic, expected) => {
    const device = await waitForValue(async () => {
      const listed = (await call('discovery.list')) as unknown as Listed;
      return listed.devices.find(
        (d) =>
          d.name === name && d.entities?.some((e) => e.status === 'bound' && e.capability === 'identify@1'),
      );
    }, `${name} with its identify entity`);
    const page = (await call('device.open', { deviceId: device.id })) as unknown as Page;
    cleanups.push(() => call('device.close', { deviceId: device.id }));
    const identify = page.features.find((f) => f.actions.some((a) => a.name === 'identify'));
    expect(identify).toMatchObject({ capability: 'identify@1', applies: true });

    const listener = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    cleanups.push(() => listener.endAsync(true));
    const heard: string[] = [];
    listener.on('message', (t, payload) => t === topic && heard.push(payload.toString()));
    await listener.subscribeAsync(topic, { qos: 1 });
    await call('device.invoke', { deviceId: device.id, implementation: identify!.key, action: 'identify' });
    const payload = await waitForValue(() => heard[0], `the identify press on ${topic}`);
    expect(typeof expected === 'string' ? payload : JSON.parse(payload)).toEqual(expected);
    expect(heard).toHaveLength(1);
  });
});
