/**
 * Installing a new version over MQTT hands the flows' subscriptions over without a restart:
 * after v2 replaces v1, a message on v2's trigger topic is answered by v2 and never by v1, on
 * the gateway's embedded aedes broker as on mosquitto; a rollback hands them back the same way.
 * (aedes handles the packets of one socket read in parallel: an UNSUBSCRIBE and a SUBSCRIBE of
 * the same filter sent together used to leave the filter unsubscribed there.)
 */
import { createServer, type AddressInfo } from 'node:net';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { buildPackage } from '../../../shared/core/package/build';
import { toHex } from '../../../shared/core/package/bytes';
import { collectSiteFiles } from '../../../shared/node/deploy/collect';
import { mqttGatewayTarget } from '../../../shared/node/deploy/mqtt';
import { createEngineRunner } from '../../../shared/node/gateway/engine-runner';
import { loadProjectFlowSet } from '../../../shared/node/gateway/project';
import { startGateway } from '../../../shared/node/gateway/runtime';
import { silentLogger } from '../../../shared/node/log';
import { connectMqtt } from '../../../shared/node/mqtt/link';
import { appVersion } from '../../../shared/node/paths';
import { useCleanups } from '../../helpers/cleanups';
import { freePort, startMosquitto } from '../../helpers/mosquitto';
import { installerKey } from '../../helpers/packages';
import { flow, writeProject } from './fixtures';
import { connectClient, rpc, waitFor } from './helpers';
import { spawnGateway } from './process';

const cleanups = useCleanups();

// Each version answers on site/pong with its name: on the shared topic site/ping, and on a topic only it listens to.
const versionProject = (name: string, own: string) =>
  writeProject(cleanups.tempDir(`fg-update-${name}-`), [
    flow(
      'answer',
      [
        ['shared', 'trigger.mqtt', { topic: 'site/ping', format: 'text' }],
        ['own', 'trigger.mqtt', { topic: own, format: 'text' }],
        [
          'pub',
          'action.mqtt-publish',
          { topic: 'site/pong', payload: JSON.stringify(`${name}:`) + ' + payload' },
        ],
      ],
      [
        ['shared', 'pub'],
        ['own', 'pub'],
      ],
    ),
  ]);

const pack = async (dir: string, version: number) =>
  buildPackage({
    packageId: 'update-home',
    site: 'home',
    version,
    created: new Date(Date.now() - 60_000).toISOString(),
    expires: new Date(Date.now() + 86_400_000).toISOString(),
    target: { kind: 'gateway', id: 'upd1' },
    engine: `>=${appVersion} <99.0.0`,
    files: (await collectSiteFiles(dir, 'home')).files,
    signingKey: installerKey,
  }).bytes;

/** Publishes `text` on `topic` and collects the answers that arrive within a quiet period. */
const answersTo = async (probe: MqttClient, pongs: string[], topic: string, text: string) => {
  const from = pongs.length;
  probe.publish(topic, text, { qos: 1 });
  const deadline = Date.now() + 1_500;
  // the wanted answer usually comes in milliseconds; wait on for a late one from the old version
  while (Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return pongs.slice(from).filter((p) => p.endsWith(`:${text}`));
};

const brokers = [
  {
    name: 'the embedded aedes broker',
    start: async () => {
      const port = await freePort();
      return { url: `mqtt://127.0.0.1:${port}`, args: ['--embedded-broker', String(port)] };
    },
  },
  {
    name: 'mosquitto',
    start: async () => {
      const m = await startMosquitto();
      cleanups.push(() => m.stop());
      return { url: m.url, args: ['--broker', m.url] };
    },
  },
];

describe.each(brokers)('installing over MQTT on $name', (broker) => {
  it('v2 answers on its trigger topics and v1 no longer does, without a restart; a rollback hands them back', async () => {
    const { url, args } = await broker.start();
    const gw = await spawnGateway([
      '--id',
      'upd1',
      ...args,
      '--data',
      cleanups.tempDir('fg-update-data-'),
      '--trust',
      toHex(installerKey.publicKey),
    ]);
    cleanups.push(gw.kill);
    await gw.online();
    const probe = await connectClient(url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    const pongs: string[] = [];
    probe.on('message', (topic, payload) => topic === 'site/pong' && pongs.push(payload.toString()));
    await probe.subscribeAsync('site/pong');

    const target = mqttGatewayTarget({ url }, 'upd1');
    const v1 = await target.deliver(await pack(versionProject('v1', 'site/only-v1'), 1), {
      timeoutMs: 20_000,
    });
    expect(v1.gateways[0], gw.output()).toMatchObject({ ok: true, step: 'committed', running: 1 });
    expect(await answersTo(probe, pongs, 'site/ping', 'a')).toEqual(['v1:a']);
    expect(await answersTo(probe, pongs, 'site/only-v1', 'b')).toEqual(['v1:b']);

    const v2 = await target.deliver(await pack(versionProject('v2', 'site/only-v2'), 2), {
      timeoutMs: 20_000,
    });
    expect(v2.gateways[0], gw.output()).toMatchObject({ ok: true, step: 'committed', running: 2 });
    expect(await answersTo(probe, pongs, 'site/ping', 'c'), gw.output()).toEqual(['v2:c']);
    expect(await answersTo(probe, pongs, 'site/only-v2', 'd')).toEqual(['v2:d']);
    expect(await answersTo(probe, pongs, 'site/only-v1', 'e')).toEqual([]);

    const rolledBack = await rpc(probe, 'upd1', 'rollback');
    expect(rolledBack).toMatchObject({ ok: true, value: { running: 1 } });
    expect(await answersTo(probe, pongs, 'site/ping', 'f'), gw.output()).toEqual(['v1:f']);
    expect(await answersTo(probe, pongs, 'site/only-v1', 'g')).toEqual(['v1:g']);
    expect(await answersTo(probe, pongs, 'site/only-v2', 'h')).toEqual([]);
  });
});

/** aedes on a free loopback port, recording every UNSUBSCRIBE it handles. */
const startAedes = async () => {
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const unsubscribed: Array<{ client: string; filters: string[] }> = [];
  aedes.on('unsubscribe', (filters, client) => unsubscribed.push({ client: client.id, filters }));
  const server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, unsubscribed };
};

describe('subscription hand-over on aedes', () => {
  it('a filter unsubscribed and subscribed again in one turn stays subscribed', async () => {
    const broker = await startAedes();
    const link = connectMqtt({ url: broker.url, clientId: 'handover-link' });
    cleanups.push(() => link.end(true));
    await link.ready();
    const first: string[] = [];
    const second: string[] = [];
    const release = link.subscribe('site/x', (_t, p) => first.push(p.toString()));
    await new Promise((r) => setTimeout(r, 200));
    // the last handler goes (UNSUBSCRIBE) and a new one comes (SUBSCRIBE), in the same turn
    release();
    link.subscribe('site/x', (_t, p) => second.push(p.toString()));
    await waitFor(() => broker.unsubscribed.length > 0, 5_000, 'the UNSUBSCRIBE');
    const probe = await connectClient(broker.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    await waitFor(
      async () => {
        await probe.publishAsync('site/x', 'hello', { qos: 1 });
        return second.length > 0;
      },
      5_000,
      'the message through the new subscription',
    );
    expect(first).toEqual([]);
  });

  it('loading v2 over v1 never unsubscribes a filter v2 still listens to; only the one v2 dropped', async () => {
    const broker = await startAedes();
    const gw = await startGateway({
      id: 'handover',
      broker: { url: broker.url },
      dataDir: cleanups.tempDir('fg-handover-'),
      log: silentLogger,
      createRunner: (set, io) => createEngineRunner(set, io, 'handover'),
    });
    cleanups.push(() => gw.stop());
    const load = async (name: string, own: string) =>
      gw.load(await loadProjectFlowSet(versionProject(name, own), silentLogger));
    await load('v1', 'site/only-v1');
    await load('v2', 'site/only-v2');
    await waitFor(
      () => broker.unsubscribed.some((u) => u.filters.includes('site/only-v1')),
      5_000,
      'the UNSUBSCRIBE of the filter v2 dropped',
    );
    const fromGateway = broker.unsubscribed.filter((u) => u.client === 'fieldgraph-gw-handover');
    expect(fromGateway.flatMap((u) => u.filters)).toEqual(['site/only-v1']);
    const probe = await connectClient(broker.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    const pongs: string[] = [];
    probe.on('message', (topic, payload) => topic === 'site/pong' && pongs.push(payload.toString()));
    await probe.subscribeAsync('site/pong');
    expect(await answersTo(probe, pongs, 'site/ping', 'x')).toEqual(['v2:x']);
  });
});
