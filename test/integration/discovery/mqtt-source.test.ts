import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMatchableModels } from '../../../shared/node/discovery/session';
import { createDeviceRegistry } from '../../../shared/core/registry/registry';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import type { DiscoveryProblem } from '../../../shared/node/discovery/mqtt-context';
import { startMqttSource, type RunningSource } from '../../../shared/node/discovery/mqtt-source';
import { silentLogger } from '../../../shared/node/log';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';
import { waitForValue } from '../../helpers/wait';

const waitFor = <T>(probe: () => T | undefined, what: string, ms = 8000) => waitForValue(probe, what, ms);

describe('MQTT discovery against mosquitto', () => {
  let broker: Mosquitto;
  let publisher: mqtt.MqttClient;
  let source: RunningSource;
  const problems: DiscoveryProblem[] = [];
  const registry = createDeviceRegistry({
    schedule: (task, ms) => {
      const t = setTimeout(task, ms);
      return () => clearTimeout(t);
    },
    models: [],
  });
  const find = (pred: (d: DiscoveredDevice) => boolean) => () => registry.list().find(pred);

  beforeAll(async () => {
    registry.setModels(await loadMatchableModels(silentLogger));
    broker = await startMosquitto();
    publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    // A fake Shelly answering the discovery's GetDeviceInfo over MQTT RPC.
    await publisher.subscribeAsync('shellyplus1pm-a8032ab1c2d3/rpc');
    publisher.on('message', (topic, payload) => {
      if (topic !== 'shellyplus1pm-a8032ab1c2d3/rpc') return;
      const frame = JSON.parse(payload.toString()) as { id: number; src: string };
      void publisher.publishAsync(
        `${frame.src}/rpc`,
        JSON.stringify({
          id: frame.id,
          src: 'shellyplus1pm-a8032ab1c2d3',
          dst: frame.src,
          result: {
            id: 'shellyplus1pm-a8032ab1c2d3',
            mac: 'A8032AB1C2D3',
            model: 'SNSW-001P16EU',
            gen: 2,
            app: 'Plus1PM',
            ver: '1.4.2',
            name: 'Hall',
          },
        }),
      );
    });
    const retained = { retain: true, qos: 1 as const };
    await publisher.publishAsync('tele/demo_relay/LWT', 'Online', retained);
    await publisher.publishAsync(
      'tasmota/discovery/A4CF12B3C4D5/config',
      JSON.stringify({
        ip: '10.0.0.7',
        dn: 'Demo relay',
        hn: 'demo-relay',
        mac: 'A4CF12B3C4D5',
        md: 'Sonoff Basic',
        sw: '14.1.0',
        t: 'demo_relay',
        rl: [1, 0, 0],
      }),
      retained,
    );
    await publisher.publishAsync(
      'homeassistant/sensor/demo-sensor/temperature/config',
      JSON.stringify({
        name: 'Temperature',
        uniq_id: 'demo-sensor-temperature',
        stat_t: '~/sensor/temperature/state',
        '~': 'demo-sensor',
        avty_t: '~/status',
        dev: {
          ids: ['demo-sensor'],
          name: 'Demo sensor',
          mf: 'Espressif',
          mdl: 'esp32dev',
          cns: [['mac', 'b4:e6:2d:11:22:33']],
        },
        o: { name: 'ESPHome', sw: '2025.6.2' },
      }),
      retained,
    );
    await publisher.publishAsync('demo-sensor/status', 'online', retained);
    await publisher.publishAsync(
      'homeassistant/device/porch/config',
      JSON.stringify({
        dev: { ids: 'porch-01', name: 'Porch' },
        o: { name: 'x' },
        cmps: { pir: { p: 'binary_sensor', name: 'Motion' }, lux: { p: 'sensor' } },
      }),
      retained,
    );
    await publisher.publishAsync('homie/demo-homie/$homie', '4.0.0', retained);
    await publisher.publishAsync('homie/demo-homie/$name', 'Demo Homie', retained);
    await publisher.publishAsync('homie/demo-homie/$state', 'ready', retained);
    await publisher.publishAsync('homie/demo-homie/$nodes', 'light', retained);
    await publisher.publishAsync('homie/5/v5dev/$state', 'ready', retained);
    await publisher.publishAsync(
      'homie/5/v5dev/$description',
      JSON.stringify({ homie: '5.0', version: 1, name: 'V5 device', nodes: { a: {} } }),
      retained,
    );
    await publisher.publishAsync(
      'fieldgraph/v1/gw/gw-01/status',
      JSON.stringify({ state: 'online', name: 'Site gateway', version: '0.1.0' }),
      retained,
    );
    // Bad input: not JSON, a JSON array, 1 MB, HTML and NUL in a name, invalid UTF-8, an odd topic.
    await publisher.publishAsync('homeassistant/switch/bad/config', '{not json', retained);
    await publisher.publishAsync('homeassistant/switch/arr/config', '[1,2]', retained);
    await publisher.publishAsync('homeassistant/switch/huge/config', 'x'.repeat(1024 * 1024), retained);
    await publisher.publishAsync(
      'homeassistant/switch/evil/config',
      Buffer.concat([
        Buffer.from(
          '{"name":"x","uniq_id":"evil","dev":{"ids":["evil"],"name":"<img src=x onerror=alert(1)>\\u0000',
        ),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}}'),
      ]),
      retained,
    );
    await publisher.publishAsync('homeassistant/a/b/c/d/config', '{}', retained);
    source = await startMqttSource({
      url: broker.url,
      registry,
      log: silentLogger,
      onProblem: (p) => problems.push(p),
    });
  });

  afterAll(async () => {
    await source?.stop();
    await publisher?.endAsync(true);
    registry.dispose();
    await broker?.stop();
  });

  it('finds a Tasmota relay from LWT and native discovery, as one device', async () => {
    const relay = await waitFor(
      find((d) => d.identity.topic === 'demo_relay' && d.identity.mac !== undefined),
      'the Tasmota relay',
    );
    expect(relay).toMatchObject({ name: 'Demo relay', online: true, addresses: ['10.0.0.7'], kind: 'relay' });
    expect(relay.identity).toMatchObject({ mac: 'a4cf12b3c4d5', hostname: 'demo-relay' });
    expect(relay.model).toMatchObject({ id: 'tasmota-device', confidence: 0.9 });
    // What it drives comes from its discovery config: one relay, at its own topics.
    expect(relay.entities?.map((e) => [e.capability, e.channel, e.command_topic])).toEqual([
      ['switch@1', 'relay1', 'cmnd/demo_relay/POWER1'],
    ]);
  });

  it('finds Home Assistant devices (per entity and device-based) with availability', async () => {
    const sensor = await waitFor(
      find((d) => d.name === 'Demo sensor' && d.online === true),
      'the ESPHome sensor online',
    );
    expect(sensor.identity.mac).toBe('b4e62d112233');
    expect(sensor.model?.id).toBe('esphome-device');
    await publisher.publishAsync('demo-sensor/status', 'offline', { retain: true });
    await waitFor(
      find((d) => d.name === 'Demo sensor' && d.online === false),
      'the sensor offline',
    );
    const porch = await waitFor(
      find((d) => d.name === 'Porch'),
      'the device-based config',
    );
    expect(porch.kind).toBe('sensor');
    expect(porch.entities).toHaveLength(2);
  });

  it('finds Homie v4 and v5 devices, a Fieldgraph gateway and a Shelly asked over MQTT RPC', async () => {
    await waitFor(
      find((d) => d.name === 'Demo Homie' && d.online === true && d.model?.id === 'homie-device'),
      'Homie v4',
    );
    await waitFor(
      find((d) => d.name === 'V5 device'),
      'Homie v5',
    );
    await waitFor(
      find((d) => d.name === 'Site gateway' && d.kind === 'gateway' && d.online === true),
      'the gateway',
    );
    await publisher.publishAsync('shellyplus1pm-a8032ab1c2d3/online', 'true', { retain: true });
    const shelly = await waitFor(
      find((d) => d.identity.mac === 'a8032ab1c2d3'),
      'the Shelly with its device info',
    );
    expect(shelly).toMatchObject({ name: 'Hall', online: true });
    expect(shelly.model).toMatchObject({ id: 'shelly-plus-1pm', confidence: 0.95 });
  });

  it('skips bad payloads with a reason and shows hostile names as plain text', async () => {
    const evil = await waitFor(
      find((d) => d.sightings.some((s) => s.key === 'ha:evil')),
      'the hostile name',
    );
    expect(evil.name).toBe('<img src=x onerror=alert(1)>\ufffd\ufffd\ufffd');
    await waitFor(() => (problems.length >= 4 ? true : undefined), 'four problems');
    const reasons = problems.map((p) => `${p.where}: ${p.reason}`).join('\n');
    expect(reasons).toContain('homeassistant/switch/bad/config: the payload is not JSON');
    expect(reasons).toContain('homeassistant/switch/arr/config: the payload is JSON but not an object');
    expect(reasons).toMatch(/homeassistant\/switch\/huge\/config: the payload is 1048576 bytes/);
    expect(reasons).toContain('homeassistant/a/b/c/d/config: not a Home Assistant discovery topic');
  });

  it('removes a device when its retained config is cleared', async () => {
    await publisher.publishAsync('homeassistant/device/porch/config', '', { retain: true });
    await waitFor(() => (registry.list().some((d) => d.name === 'Porch') ? undefined : true), 'Porch to go');
  });
});
