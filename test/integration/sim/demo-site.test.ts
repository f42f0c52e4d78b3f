import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import {
  createDiscoverySession,
  loadMatchableModels,
  type DiscoverySession,
} from '../../../shared/node/discovery/session';
import { withGatewayClient } from '../../../shared/node/deploy/gateway-client';
import { fingerprint } from '../../../shared/core/package/keys';
import { toHex } from '../../../shared/core/package/bytes';
import { silentLogger } from '../../../shared/node/log';
import { DEMO_DEVICES, startDemoSite, type DemoSite } from '../../../shared/node/sim/site';
import { startVirtualShelly, type VirtualShelly } from '../../../shared/node/sim/virtual-shelly';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';
import { installerKey } from '../../helpers/packages';
import { waitForValue } from '../../helpers/wait';

const waitFor = waitForValue;

describe('the demo site against mosquitto, discovered by every source', () => {
  let broker: Mosquitto;
  let site: DemoSite;
  let session: DiscoverySession;
  let serialDir: string;
  let watcher: mqtt.MqttClient;
  const find = (pred: (d: DiscoveredDevice) => boolean) => () => session.registry.list().find(pred);

  beforeAll(async () => {
    broker = await startMosquitto();
    serialDir = await mkdtemp(join(tmpdir(), 'fg-demo-serial-'));
    site = await startDemoSite({
      brokerUrl: broker.url,
      serialDir,
      log: silentLogger,
      reportMs: 300,
      telePeriod: 1,
    });
    session = createDiscoverySession({ log: silentLogger, models: await loadMatchableModels(silentLogger) });
    await session.start({ mqttUrls: [broker.url], serial: true, serialPaths: site.serialPorts });
    watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  });
  afterAll(async () => {
    await watcher?.endAsync(true);
    await session?.dispose();
    await site?.stop();
    await broker?.stop();
    await rm(serialDir, { recursive: true, force: true });
  });

  it('lists every demo device with a model', async () => {
    const relay = await waitFor(
      find((d) => d.identity.topic === DEMO_DEVICES.tasmotaTopic && d.online === true),
      'relay',
    );
    expect(relay.model?.id).toBe('tasmota-device');
    const shelly = await waitFor(
      find((d) => d.identity.mac === DEMO_DEVICES.shellyMac && d.model?.confidence === 0.95),
      'shelly',
    );
    expect(shelly.model?.id).toBe('shelly-plus-1pm');
    const sensor = await waitFor(
      find((d) => d.identity.mac === DEMO_DEVICES.esphomeMac && d.sources.includes('mqtt')),
      'sensor',
    );
    expect(sensor.model?.id).toBe('esphome-device');
    expect(sensor.online).toBe(true);
    const homie = await waitFor(
      find((d) => d.identity.topic === DEMO_DEVICES.homieId),
      'homie',
    );
    expect(homie).toMatchObject({ online: true, model: { id: 'homie-device' } });
    const gateway = await waitFor(
      find((d) => d.kind === 'gateway'),
      'gateway',
    );
    expect(gateway).toMatchObject({ online: true, model: { id: 'fieldgraph-gateway' } });
  });

  it('its gateway takes packages and accepts pairing while the demo runs', async () => {
    expect(site.gatewayId).toBe(DEMO_DEVICES.gatewayId);
    const paired = await withGatewayClient(
      { brokerUrl: broker.url, signingKey: installerKey },
      async (client) => {
        expect(await client.call(site.gatewayId, 'installed', {})).toMatchObject({ committed: null });
        return client.call(site.gatewayId, 'pair', {
          publicKey: `ed25519:${toHex(installerKey.publicKey)}`,
          label: 'test',
        });
      },
    );
    expect(paired).toMatchObject({ fingerprint: fingerprint(installerKey.publicKey) });
  });

  it('merges the probed serial console with the relay seen on MQTT (same MAC)', async () => {
    await session.probe(site.serialPorts[0]);
    const relay = await waitFor(
      find((d) => d.identity.mac === DEMO_DEVICES.tasmotaMac && d.sources.length === 2),
      'merge',
    );
    expect(relay.sources.sort()).toEqual(['mqtt', 'usb']);
  });

  it('the relay obeys commands and reports; the sensor reports by itself; Homie echoes set', async () => {
    const seen: string[] = [];
    watcher.on('message', (t, p) => seen.push(`${t} ${p.toString()}`));
    await watcher.subscribeAsync([
      'stat/demo_relay/POWER',
      'demo-sensor/sensor/temperature/state',
      'homie/demo-homie/light/power',
    ]);
    await watcher.publishAsync('cmnd/demo_relay/POWER', 'TOGGLE');
    await waitFor(() => (seen.includes('stat/demo_relay/POWER ON') ? true : undefined), 'relay ON');
    const temps = () => seen.filter((s) => s.startsWith('demo-sensor/sensor/temperature/state')).length;
    await waitFor(() => (temps() >= 3 ? true : undefined), 'three temperature reports');
    await watcher.publishAsync('homie/demo-homie/light/power/set', 'true');
    await waitFor(
      () => (seen.includes('homie/demo-homie/light/power true') ? true : undefined),
      'homie echo',
    );
  });

  it('the Shelly answers HTTP RPC and MQTT RPC', async () => {
    const info = (await (await fetch(`${site.shellyUrl}/shelly`)).json()) as { app: string; gen: number };
    expect(info).toMatchObject({ app: 'Plus1PM', gen: 2 });
    const set = await (await fetch(`${site.shellyUrl}/rpc/Switch.Set?id=0&on=true`)).json();
    expect(set).toEqual({ was_on: false });
    const status = (await (await fetch(`${site.shellyUrl}/rpc/Switch.GetStatus?id=0`)).json()) as {
      output: boolean;
    };
    expect(status.output).toBe(true);
    const unknown = await fetch(`${site.shellyUrl}/rpc/No.Such`);
    expect(unknown.status).toBe(404);
    const replies: unknown[] = [];
    watcher.on('message', (t, p) => t === 'tester/rpc' && replies.push(JSON.parse(p.toString())));
    await watcher.subscribeAsync('tester/rpc');
    await watcher.publishAsync(
      `${DEMO_DEVICES.shellyId}/rpc`,
      JSON.stringify({ id: 9, src: 'tester', method: 'Switch.Toggle', params: { id: 0 } }),
    );
    await waitFor(() => (replies.length ? true : undefined), 'mqtt rpc reply');
    expect(replies[0]).toMatchObject({
      id: 9,
      src: DEMO_DEVICES.shellyId,
      dst: 'tester',
      result: { was_on: true },
    });
  });
});

describe('virtual Shelly with a password', () => {
  let shelly: VirtualShelly;
  beforeAll(async () => {
    shelly = await startVirtualShelly({ password: 'pa55word' });
  });
  afterAll(async () => shelly?.stop());

  it('demands SHA-256 digest auth for RPC, not for /shelly', async () => {
    expect((await fetch(`${shelly.url}/shelly`)).status).toBe(200);
    const first = await fetch(`${shelly.url}/rpc/Shelly.GetStatus`);
    expect(first.status).toBe(401);
    const challenge = first.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('algorithm=SHA-256');
    const nonce = /nonce="([^"]+)"/.exec(challenge)![1];
    const h = (s: string) => createHash('sha256').update(s).digest('hex');
    const answer = (password: string) => {
      const ha1 = h(`admin:${shelly.id}:${password}`);
      const ha2 = h('GET:/rpc/Shelly.GetStatus');
      const response = h(`${ha1}:${nonce}:00000001:abc:auth:${ha2}`);
      return `Digest username="admin", realm="${shelly.id}", nonce="${nonce}", uri="/rpc/Shelly.GetStatus", algorithm=SHA-256, response="${response}", qop=auth, nc=00000001, cnonce="abc"`;
    };
    expect(
      (await fetch(`${shelly.url}/rpc/Shelly.GetStatus`, { headers: { authorization: answer('wrong') } }))
        .status,
    ).toBe(401);
    expect(
      (await fetch(`${shelly.url}/rpc/Shelly.GetStatus`, { headers: { authorization: answer('pa55word') } }))
        .status,
    ).toBe(200);
  });

  it('takes MQTT settings on reboot, as the device does', async () => {
    const broker = await startMosquitto();
    try {
      const post = (method: string, params: object) =>
        fetch(`${shelly.url}/rpc`, { method: 'POST', body: JSON.stringify({ id: 1, method, params }) });
      // Auth is on: the frame endpoint refuses too.
      expect((await post('MQTT.SetConfig', {})).status).toBe(401);
      shelly.state.authPassword = null;
      const set = (await (
        await post('MQTT.SetConfig', {
          config: { enable: true, server: `127.0.0.1:${broker.port}`, topic_prefix: 'hall' },
        })
      ).json()) as { result: unknown };
      expect(set.result).toEqual({ restart_required: true });
      expect(shelly.mqttConnected).toBe(false);
      await post('Shelly.Reboot', {});
      await waitFor(() => (shelly.mqttConnected ? true : undefined), 'mqtt after reboot');
      const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
      const online = await new Promise<string>((resolve) => {
        sub.on('message', (_t, p) => resolve(p.toString()));
        void sub.subscribeAsync('hall/online');
      });
      expect(online).toBe('true');
      await sub.endAsync(true);
    } finally {
      await shelly.stop();
      await broker.stop();
    }
  });
});
