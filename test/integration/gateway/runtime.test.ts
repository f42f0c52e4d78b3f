import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/node/log';
import type { FlowIo, FlowRunnerFactory } from '../../../shared/node/gateway/runner';
import { startGateway, type Gateway } from '../../../shared/node/gateway/runtime';
import { freePort, startMosquitto, type Mosquitto } from '../../helpers/mosquitto';
import { connectClient, nextJson, rpc, trustedInstaller, waitFor } from './helpers';
import { useCleanups } from '../../helpers/cleanups';

// A stand-in for the engine glue: the runtime is tested on its own seams here; flows through the
// real engine are tested in flows.test.ts.
let lastIo: FlowIo | undefined;
const recordingRunner: FlowRunnerFactory = (_set, io) => {
  lastIo = io;
  return { start: async () => {}, stop: async () => {}, flows: () => [{ id: 'probe', name: 'Probe' }] };
};

const cleanups = useCleanups();
const tempDir = () => cleanups.tempDir('fg-gw-');
const broker = async (): Promise<Mosquitto> => {
  const m = await startMosquitto();
  cleanups.push(() => m.stop());
  return m;
};
const client = async (url: string): Promise<MqttClient> => {
  const c = await connectClient(url);
  cleanups.push(() => new Promise<void>((r) => c.end(true, {}, () => r())));
  return c;
};
const gateway = async (url: string, dataDir: string, id = 'gw1'): Promise<Gateway> => {
  const gw = await startGateway({
    id,
    broker: { url },
    dataDir,
    trust: [trustedInstaller],
    log: silentLogger,
    createRunner: recordingRunner,
  });
  cleanups.push(() => gw.stop());
  return gw;
};

describe('gateway runtime with mosquitto', () => {
  it('publishes a retained online status, answers RPC, and goes offline on a clean stop', async () => {
    const m = await broker();
    const gw = await gateway(m.url, tempDir());
    await gw.load({
      source: { kind: 'project', dir: '/nowhere' },
      flows: [],
      roles: [],
      models: [],
      sites: [],
    });
    const probe = await client(m.url);
    const status = await nextJson<Record<string, unknown>>(
      probe,
      'fieldgraph/v1/gw/gw1/status',
      (s) => s.state === 'online' && Array.isArray(s.flows) && s.flows.length === 1,
    );
    expect(status.fingerprint).toMatch(/^[0-9a-f]{4}(:[0-9a-f]{4}){3}$/);
    expect(status.source).toEqual({ kind: 'project', dir: '/nowhere' });

    const reply = await rpc(probe, 'gw1', 'status');
    expect(reply.ok).toBe(true);
    expect((reply.value as { id: string; outboxPending: number }).outboxPending).toBe(0);

    const unknown = await rpc(probe, 'gw1', 'reboot');
    expect(unknown).toMatchObject({ ok: false, error: { code: 'gateway.rpc_unknown_method' } });

    const live = nextJson<{ runId: string }>(
      probe,
      'fieldgraph/v1/gw/gw1/traces',
      (t) => t.runId === 'run-1',
    );
    await new Promise((r) => setTimeout(r, 100));
    lastIo!.trace({
      runId: 'run-1',
      flowId: 'probe',
      outcome: 'failed',
      startedAt: 1,
      error: { node: 'n2', message: 'boom' },
    });
    lastIo!.trace({ runId: 'run-2', flowId: 'probe', outcome: 'finished', startedAt: 2 });
    expect(await live).toMatchObject({ runId: 'run-1', outcome: 'failed' });
    const traces = await rpc(probe, 'gw1', 'traces', { outcome: 'failed' });
    expect(traces.value).toMatchObject({
      traces: [{ runId: 'run-1', error: { node: 'n2' } }],
      runs: { probe: { failed: 1, finished: 1 } },
    });

    await gw.stop();
    const after = await client(m.url);
    const offline = await nextJson<Record<string, unknown>>(after, 'fieldgraph/v1/gw/gw1/status');
    expect(offline).toMatchObject({ state: 'offline', reason: 'shutdown' });
  });

  it('replays QoS 1 output from the disk outbox after a restart while the broker was away', async () => {
    const dataDir = tempDir();
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const gw = await gateway(m.url, dataDir);
    await gw.load({ source: { kind: 'project', dir: '/x' }, flows: [], roles: [], models: [], sites: [] });
    await m.stop();
    await waitFor(() => !gw.link.connected(), 5_000, 'the gateway to notice the broker is gone');
    for (let i = 0; i < 5; i++) lastIo!.publish('site/out', `m${i}`, { qos: 1, retain: false });
    expect(gw.output.pendingCount()).toBe(5);
    await gw.stop();

    // a new broker (another port, nothing retained), the same data folder
    const m2 = await broker();
    const probe = await client(m2.url);
    const seen: string[] = [];
    probe.on('message', (topic, payload) => topic === 'site/out' && seen.push(payload.toString()));
    await new Promise<void>((r) => probe.subscribe('site/out', { qos: 1 }, () => r()));
    const gw2 = await gateway(m2.url, dataDir);
    await waitFor(() => seen.length >= 5, 10_000, 'the replayed messages');
    expect(seen).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    await waitFor(() => gw2.output.pendingCount() === 0, 5_000, 'the outbox to empty');

    // and in steady state: QoS 1 messages pass through the outbox in order (fewer than the
    // 1,000 that mosquitto queues per subscriber by default, so the probe sees them all)
    await gw2.load({ source: { kind: 'project', dir: '/x' }, flows: [], roles: [], models: [], sites: [] });
    for (let i = 0; i < 800; i++) lastIo!.publish('site/out', `n${i}`, { qos: 1, retain: false });
    await waitFor(() => seen.length >= 805, 20_000, 'the steady-state messages');
    expect(seen.slice(5)).toEqual(Array.from({ length: 800 }, (_, i) => `n${i}`));
    await waitFor(() => gw2.output.pendingCount() === 0, 10_000, 'the outbox to empty again');
  });

  it('refuses an id that cannot be a topic level, and a broker it cannot reach', async () => {
    await expect(
      startGateway({
        id: 'a/b',
        broker: { url: 'mqtt://127.0.0.1:1' },
        dataDir: tempDir(),
        log: silentLogger,
        createRunner: recordingRunner,
      }),
    ).rejects.toMatchObject({ code: 'gateway.invalid_options' });
    const port = await freePort();
    await expect(
      startGateway(
        {
          id: 'gw1',
          broker: { url: `mqtt://installer:s3cret-pw@127.0.0.1:${port}` },
          dataDir: tempDir(),
          log: silentLogger,
          createRunner: recordingRunner,
        },
        1_500,
      ),
    ).rejects.toMatchObject({
      code: 'broker.unreachable',
      // the message names the broker but never its password
      message: expect.not.stringMatching(/s3cret/) as unknown as string,
    });
  });
});

describe('gateway runtime with the embedded broker', () => {
  it('starts aedes, and MQTT 3.1.1 clients see the status and reach RPC', async () => {
    const port = await freePort();
    const gw = await startGateway({
      id: 'solo',
      broker: { embeddedPort: port, host: '127.0.0.1' },
      dataDir: tempDir(),
      log: silentLogger,
      createRunner: recordingRunner,
    });
    cleanups.push(() => gw.stop());
    expect(gw.brokerUrl).toBe(`mqtt://127.0.0.1:${port}`);
    const probe = await client(gw.brokerUrl);
    const status = await nextJson<Record<string, unknown>>(probe, 'fieldgraph/v1/gw/solo/status');
    expect(status).toMatchObject({ state: 'online', broker: 'embedded' });
    expect((await rpc(probe, 'solo', 'status')).ok).toBe(true);
    await expect(
      startGateway({
        id: 'twin',
        broker: { embeddedPort: port, host: '127.0.0.1' },
        dataDir: tempDir(),
        log: silentLogger,
        createRunner: recordingRunner,
      }),
    ).rejects.toMatchObject({ code: 'broker.port_in_use' });
  });
});
