// The poison-flow test (issue 4, item 8): healthy flows run beside flows that throw, throw
// asynchronously, reject a promise, publish to their own input topic, and take a 10,000 msg/s
// burst in single and queued (max 10) modes. The gateway runs as its own process, as on site.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { freePort, startMosquitto } from '../../helpers/mosquitto';
import { flow } from './fixtures';
import { connectClient, rpc, trustedInstaller } from './helpers';
import { spawnGateway, type GatewayProcess } from './process';
import { useCleanups } from '../../helpers/cleanups';

const cleanups = useCleanups();
const tempDir = (prefix: string) => cleanups.tempDir(prefix);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const healthy = [1, 2].map((n) =>
  flow(
    `healthy-${n}`,
    [
      ['t', 'trigger.mqtt', { topic: `healthy/${n}/in` }],
      ['check', 'logic.if', { condition: 'payload.n >= 0' }],
      ['pub', 'action.mqtt-publish', { topic: `healthy/${n}/out` }],
    ],
    [
      ['t', 'check'],
      ['check', 'pub', 'true'],
    ],
    { mode: 'parallel', max: 100 },
  ),
);

const poison = (deadPort: number) => [
  // a node that throws: the CEL expression fails at run time (no such key)
  flow(
    'throws',
    [
      ['t', 'trigger.mqtt', { topic: 'poison/throws' }],
      ['bad', 'logic.transform', { payload: 'payload.missing.deeper' }],
      ['pub', 'action.mqtt-publish', { topic: 'poison/never' }],
    ],
    [
      ['t', 'bad'],
      ['bad', 'pub'],
    ],
  ),
  // a node whose work fails later, from a socket callback: HTTP to a port nobody listens on
  flow(
    'throws-async',
    [
      ['t', 'trigger.mqtt', { topic: 'poison/async' }],
      ['call', 'action.http-request', { method: 'GET', url: `http://127.0.0.1:${deadPort}/nothing` }],
    ],
    [['t', 'call']],
  ),
  // a node whose promise rejects: the device behind the role answers HTTP 500
  flow(
    'rejects',
    [
      ['t', 'trigger.mqtt', { topic: 'poison/rejects' }],
      ['set', 'action.set-property', { role: 'bad_light', property: 'on', value: 'true' }],
    ],
    [['t', 'set']],
    { mode: 'parallel', max: 1000 },
    ['bad_light'],
  ),
  // a flow that feeds itself through the broker: every message it gets, it sends again
  flow(
    'feeds-itself',
    [
      ['t', 'trigger.mqtt', { topic: 'poison/loop' }],
      ['pub', 'action.mqtt-publish', { topic: 'poison/loop' }],
    ],
    [['t', 'pub']],
  ),
  // bursts against run modes: each run holds 50 ms, so most of a burst is dropped by the mode
  ...(['single', 'queued'] as const).map((mode) =>
    flow(
      `burst-${mode}`,
      [
        ['t', 'trigger.mqtt', { topic: 'poison/burst' }],
        ['hold', 'logic.delay', { seconds: 0.05 }],
        ['pub', 'action.mqtt-publish', { topic: `poison/burst/${mode}` }],
      ],
      [
        ['t', 'hold'],
        ['hold', 'pub'],
      ],
      { mode, max: 10 },
    ),
  ),
];

const writeProject = (dir: string, flows: ReturnType<typeof flow>[], devicePort: number) => {
  for (const sub of ['flows', 'models', 'sites']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(
    join(dir, 'fieldgraph.json'),
    JSON.stringify({
      schemaVersion: 1,
      id: 'poison',
      name: 'Poison',
      roles: [{ id: 'bad_light', capability: 'switch@1' }],
    }),
  );
  writeFileSync(
    join(dir, 'models', 'http-relay.json'),
    JSON.stringify({
      schemaVersion: 1,
      id: 'http-relay',
      title: 'HTTP relay',
      implements: {
        switch: {
          capability: 'switch@1',
          properties: {
            on: {
              write: {
                kind: 'http',
                method: 'POST',
                url: `http://127.0.0.1:${devicePort}/relay`,
                body: '{{value}}',
              },
            },
          },
        },
      },
    }),
  );
  writeFileSync(
    join(dir, 'sites', 'site.json'),
    JSON.stringify({
      id: 'site',
      name: 'Site',
      rooms: [],
      devices: [{ id: 'relay2', name: 'Broken relay', model: 'http-relay', identity: {} }],
      bindings: [{ role: 'bad_light', device: 'relay2' }],
      gateways: [],
    }),
  );
  for (const f of flows) writeFileSync(join(dir, 'flows', `${f.id}.json`), JSON.stringify(f));
  return dir;
};

/**
 * Sends `rate` msg/s to both healthy flows for `seconds`; returns how many results came back per
 * flow once the replies stop coming (every reply, or none for 3 s, or 60 s at most). Waiting for
 * the replies to settle, not a fixed time, keeps the test about loss and starvation rather than
 * about how fast a loaded two-core machine drains a queue.
 */
const healthyLoad = async (probe: MqttClient, rate: number, seconds: number): Promise<number[]> => {
  const received = [0, 0];
  const onMessage = (topic: string) => {
    if (topic === 'healthy/1/out') received[0]++;
    else if (topic === 'healthy/2/out') received[1]++;
  };
  probe.on('message', onMessage);
  const total = rate * seconds;
  const started = Date.now();
  for (let sent = 0; sent < total;) {
    const due = Math.min(total, Math.floor(((Date.now() - started) * rate) / 1000) + 1);
    for (; sent < due; sent++) {
      probe.publish('healthy/1/in', `{"n":${sent}}`);
      probe.publish('healthy/2/in', `{"n":${sent}}`);
    }
    await sleep(5);
  }
  const deadline = Date.now() + 60_000;
  let last = -1;
  let quietSince = Date.now();
  while (received[0] + received[1] < 2 * total && Date.now() < deadline) {
    const now = received[0] + received[1];
    if (now !== last) [last, quietSince] = [now, Date.now()];
    else if (Date.now() - quietSince > 3_000) break;
    await sleep(100);
  }
  probe.off('message', onMessage);
  return received;
};

const runGateway = async (brokerUrl: string, project: string): Promise<GatewayProcess> => {
  const gw = await spawnGateway([
    '--id',
    'poison',
    '--broker',
    brokerUrl,
    '--data',
    tempDir('fg-poison-data-'),
    '--project',
    project,
    '--trust',
    trustedInstaller,
  ]);
  cleanups.push(gw.kill);
  await gw.online();
  return gw;
};

describe('poison flows', () => {
  it('never stop the gateway or starve healthy flows; every failure is traced with its node; drops are counted by mode', async () => {
    // The broker holds the whole burst for the gateway (mosquitto drops QoS 0 messages to a client
    // once 1,000 wait for it, by default): on a loaded machine the gateway reads slower than the
    // burst arrives, and what is lost must be the gateway's own doing to be counted here.
    const m = await startMosquitto(['max_queued_messages 0']);
    cleanups.push(() => m.stop());
    const device: Server = createServer((_req, res) => {
      res.statusCode = 500;
      res.end('relay fault');
    });
    await new Promise<void>((r) => device.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => device.close(() => r())));
    const devicePort = (device.address() as { port: number }).port;
    const deadPort = await freePort();
    const probe = await connectClient(m.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    await new Promise<void>((r) => probe.subscribe(['healthy/1/out', 'healthy/2/out'], () => r()));
    const rate = 500;
    const seconds = 4;

    // baseline: the healthy flows alone
    const baselineGateway = await runGateway(
      m.url,
      writeProject(tempDir('fg-poison-a-'), healthy, devicePort),
    );
    const baseline = await healthyLoad(probe, rate, seconds);
    baselineGateway.child.kill('SIGTERM');
    expect((await baselineGateway.exited).code).toBe(0);
    expect(baseline[0]).toBeGreaterThan(rate * seconds * 0.9);

    // the same load with every poison flow running beside them
    const gw = await runGateway(
      m.url,
      writeProject(tempDir('fg-poison-b-'), [...healthy, ...poison(deadPort)], devicePort),
    );
    probe.publish('poison/loop', '{"n":0}');
    let poisoning = true;
    const poisonLoad = (async () => {
      while (poisoning) {
        for (const topic of ['poison/throws', 'poison/async', 'poison/rejects'])
          probe.publish(topic, '{"n":1}');
        await sleep(20);
      }
    })();
    // 10,000 messages in one second, in 10 slices of 1,000
    const burst = (async () => {
      for (let slice = 0; slice < 10; slice++) {
        for (let i = 0; i < 1_000; i++) probe.publish('poison/burst', `{"n":${slice * 1_000 + i}}`);
        await sleep(100);
      }
    })();
    const loaded = await healthyLoad(probe, rate, seconds);
    poisoning = false;
    await Promise.all([poisonLoad, burst]);
    await sleep(500);

    expect(gw.child.exitCode).toBeNull();
    for (const i of [0, 1]) expect(loaded[i]).toBeGreaterThanOrEqual(0.95 * baseline[i]);

    // On a loaded machine the burst still waits in the gateway's queue, and the self-feeding
    // loop's message with it: read the counts once everything that arrived has been handled and
    // the loop has met its loop limit (or 90 s have passed).
    type Status = {
      inbound: { queued: number; dropped: number };
      flowStats: Record<string, { started: number; outcomes: Record<string, number> }>;
    };
    let status = await rpc(probe, 'poison', 'status');
    for (const deadline = Date.now() + 90_000; Date.now() < deadline;) {
      const value = status.value as Status;
      if (value.inbound.queued === 0 && value.flowStats['feeds-itself']!.outcomes['loop-limit']! > 0) break;
      await sleep(500);
      status = await rpc(probe, 'poison', 'status');
    }
    expect(status.ok).toBe(true);
    // the burst waited in the gateway's inbound queue rather than being lost
    expect((status.value as { inbound: { dropped: number } }).inbound.dropped).toBe(0);
    const stats = (
      status.value as { flowStats: Record<string, { started: number; outcomes: Record<string, number> }> }
    ).flowStats;
    for (const [flowId, nodeId] of [
      ['throws', 'bad'],
      ['throws-async', 'call'],
      ['rejects', 'set'],
    ]) {
      const reply = await rpc(probe, 'poison', 'traces', { flowId, outcome: 'failed', limit: 1 });
      const traces = (reply.value as { traces: Array<{ error?: { nodeId: string; message: string } }> })
        .traces;
      expect(traces, `a failed trace of ${flowId}`).toHaveLength(1);
      expect(traces[0].error?.nodeId).toBe(nodeId);
      expect(stats[flowId].outcomes.failed).toBeGreaterThan(0);
    }
    // the loop ran on until the engine's loop limit stopped it, once
    expect(stats['feeds-itself'].outcomes['loop-limit']).toBe(1);
    expect(stats['feeds-itself'].started).toBeGreaterThan(100);
    for (const mode of ['single', 'queued']) {
      const s = stats[`burst-${mode}`];
      const dropped = s.outcomes['dropped-by-mode'];
      expect(dropped, `drops in ${mode} mode`).toBeGreaterThan(5_000);
      // every burst message is accounted for: it started a run or was dropped by the mode
      expect(s.started + dropped).toBe(10_000);
    }
    expect(stats['burst-queued'].started).toBeGreaterThan(stats['burst-single'].started);
    const drops = await rpc(probe, 'poison', 'traces', {
      flowId: 'burst-single',
      outcome: 'dropped-by-mode',
      limit: 1,
    });
    expect((drops.value as { traces: Array<{ reason?: string }> }).traces[0].reason).toMatch(/single/);

    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
  });
});
