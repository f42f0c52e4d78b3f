/**
 * The gateway's live stream and trace queries over MQTT RPC, on mosquitto with the real engine:
 * batches (not one message per step) while a lease is open, each within its bounds and matching
 * the LiveBatch schema, adding up to exactly what the flows did; traces filtered by flow and
 * outcome, newest first, each naming the flow version it ran on.
 */
import { Value } from '@sinclair/typebox/value';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { LiveBatch, flowHash, type StoredRun } from '../../../shared/core/engine';
import { createEngineRunner } from '../../../shared/node/gateway/engine-runner';
import { loadProjectFlowSet } from '../../../shared/node/gateway/project';
import { startGateway } from '../../../shared/node/gateway/runtime';
import { silentLogger } from '../../../shared/node/log';
import { useCleanups } from '../../helpers/cleanups';
import { startMosquitto } from '../../helpers/mosquitto';
import { flow, writeProject } from './fixtures';
import { connectClient, rpc, waitFor, trustedInstaller } from './helpers';

const cleanups = useCleanups();

const temperature = flow(
  'temp',
  [
    ['t', 'trigger.mqtt', { topic: 'site/temp' }],
    ['log', 'action.log', { message: '"temp " + string(payload.t)' }],
    ['hot', 'logic.if', { condition: 'payload.t > 25' }],
    ['set', 'logic.set-variable', { name: 'last', value: 'payload.t' }],
    ['pub', 'action.mqtt-publish', { topic: 'site/alert' }],
    ['bad', 'logic.transform', { payload: 'payload.missing.x' }],
  ],
  [
    ['t', 'log'],
    ['log', 'hot'],
    ['hot', 'set', 'true'],
    ['set', 'pub'],
    ['hot', 'bad', 'false'],
  ],
);

const setUp = async () => {
  const m = await startMosquitto();
  cleanups.push(() => m.stop());
  const gw = await startGateway({
    id: 'live1',
    broker: { url: m.url },
    dataDir: cleanups.tempDir('fg-live-'),
    trust: [trustedInstaller],
    log: silentLogger,
    createRunner: (set, io) => createEngineRunner(set, io, 'live1'),
  });
  cleanups.push(() => gw.stop());
  await gw.load(
    await loadProjectFlowSet(writeProject(cleanups.tempDir('fg-live-proj-'), [temperature]), silentLogger),
  );
  const probe: MqttClient = await connectClient(m.url);
  cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
  const batches: LiveBatch[] = [];
  probe.on('message', (topic, payload) => {
    if (topic !== 'fieldgraph/v1/gw/live1/live') return;
    batches.push(JSON.parse(payload.toString()) as LiveBatch);
  });
  await probe.subscribeAsync('fieldgraph/v1/gw/live1/live');
  return { gw, probe, batches };
};

const sum = (batches: LiveBatch[], pick: (b: LiveBatch) => number) =>
  batches.reduce((n, b) => n + pick(b), 0);
const edgeCount = (batches: LiveBatch[], edgeId: string) =>
  sum(batches, (b) => b.edges.filter((e) => e.edgeId === edgeId).reduce((n, e) => n + e.messages, 0));
const nodeRuns = (batches: LiveBatch[], nodeId: string) =>
  sum(batches, (b) => b.nodes.filter((n) => n.nodeId === nodeId).reduce((k, n) => k + n.runs, 0));

describe('the live stream', () => {
  it('sends nothing until watched, then batches that add up to what the flows did', async () => {
    const { probe, batches } = await setUp();
    probe.publish('site/temp', JSON.stringify({ t: 99 }));
    await new Promise((r) => setTimeout(r, 600));
    expect(batches).toEqual([]);

    const watch = await rpc(probe, 'live1', 'live', { seconds: 30 });
    expect(watch).toMatchObject({
      ok: true,
      value: { topic: 'fieldgraph/v1/gw/live1/live', intervalMs: 200 },
    });
    const started = Date.now();
    const temps = Array.from({ length: 60 }, (_, i) => 10 + i); // 10..69: 16 not hot, 44 hot
    for (const t of temps) probe.publish('site/temp', JSON.stringify({ t }));
    await waitFor(() => edgeCount(batches, 'e0') === temps.length, 10_000, 'every message in the batches');
    await new Promise((r) => setTimeout(r, 500));
    const elapsed = Date.now() - started;

    for (const batch of batches) expect(Value.Check(LiveBatch, batch), JSON.stringify(batch)).toBe(true);
    expect(batches.map((b) => b.seq)).toEqual(batches.map((_, i) => batches[0]!.seq + i));
    // batched: a few a second, never one per step (60 runs × 5 steps here)
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(elapsed / 150) + 1);

    expect(edgeCount(batches, 'e0')).toBe(60);
    expect(edgeCount(batches, 'e2')).toBe(44);
    expect(edgeCount(batches, 'e4')).toBe(16);
    expect(nodeRuns(batches, 't')).toBe(60);
    expect(nodeRuns(batches, 'pub')).toBe(44);
    const lastPub = batches
      .flatMap((b) => b.nodes)
      .filter((n) => n.nodeId === 'pub')
      .at(-1);
    expect(lastPub?.value).toEqual({ t: 69 });
    const bad = batches.flatMap((b) => b.nodes).filter((n) => n.nodeId === 'bad');
    expect(bad.every((n) => typeof n.error === 'string' && n.error.length > 0)).toBe(true);

    const debug = batches.flatMap((b) => b.debug);
    const logs = debug.filter((d) => d.source === 'log');
    expect(logs.map((d) => d.text)).toEqual(temps.map((t) => `temp ${t}`));
    expect(logs[0]).toMatchObject({
      flowId: 'temp',
      nodeId: 'log',
      level: 'info',
      runId: expect.any(String),
    });
    const errors = debug.filter((d) => d.source === 'error');
    expect(errors).toHaveLength(16);
    expect(errors[0]).toMatchObject({ level: 'error', flowId: 'temp', nodeId: 'bad' });

    const runs = batches.flatMap((b) => b.runs);
    expect(runs.filter((r) => r.outcome === 'finished')).toHaveLength(44);
    expect(runs.filter((r) => r.outcome === 'failed')).toHaveLength(16);
  });

  it('stops at the end of its lease', async () => {
    const { probe, batches } = await setUp();
    await rpc(probe, 'live1', 'live', { seconds: 1 });
    probe.publish('site/temp', JSON.stringify({ t: 30 }));
    await waitFor(() => batches.length > 0, 5_000, 'a batch');
    await new Promise((r) => setTimeout(r, 1_500));
    const seen = batches.length;
    probe.publish('site/temp', JSON.stringify({ t: 31 }));
    await new Promise((r) => setTimeout(r, 800));
    expect(batches.length).toBe(seen);
    expect(await rpc(probe, 'live1', 'live', { seconds: 0 })).toMatchObject({
      ok: false,
      error: { code: 'gateway.rpc_bad_request' },
    });
  });
});

describe('trace queries over MQTT RPC', () => {
  it('filters by flow and outcome, newest first, with the flow version and each step', async () => {
    const { gw, probe } = await setUp();
    for (const t of [30, 10, 31, 11, 32]) probe.publish('site/temp', JSON.stringify({ t }));
    await waitFor(() => gw.traces.query({ flowId: 'temp' }).length === 5, 10_000, 'five runs');

    const failed = await rpc(probe, 'live1', 'traces', { flowId: 'temp', outcome: ['failed'], limit: 5 });
    const failedRuns = (failed.value as { traces: StoredRun[] }).traces;
    expect(failedRuns.map((r) => r.steps[0]!.input)).toEqual([{ t: 11 }, { t: 10 }]);
    expect(failedRuns[0]!.steps.at(-1)).toMatchObject({ nodeId: 'bad', error: expect.any(String) });

    const newest = await rpc(probe, 'live1', 'traces', { outcome: ['finished', 'failed'], limit: 2 });
    const two = (newest.value as { traces: StoredRun[] }).traces;
    expect(two.map((r) => r.steps[0]!.input)).toEqual([{ t: 32 }, { t: 11 }]);
    expect(two[0]!.flowVersion).toEqual({ hash: flowHash(temperature) });
    const set = two[0]!.steps.find((s) => s.nodeId === 'set');
    expect(set).toMatchObject({ input: { t: 32 }, changedVariables: { last: { from: 31, to: 32 } } });
    for (const step of two[0]!.steps) expect(step.at).toBeGreaterThan(0);

    const older = await rpc(probe, 'live1', 'traces', { before: two[1]!.endedAt, limit: 10 });
    expect((older.value as { traces: StoredRun[] }).traces.every((r) => r.endedAt < two[1]!.endedAt)).toBe(
      true,
    );

    const doc = await rpc(probe, 'live1', 'flow', { flowId: 'temp' });
    expect(doc).toMatchObject({
      ok: true,
      value: { flowVersion: { hash: flowHash(temperature) }, flow: { id: 'temp' } },
    });

    for (const args of [{ limit: 0 }, { outcome: 'sometimes' }, { flowId: 5 }, { colour: 'red' }]) {
      const bad = await rpc(probe, 'live1', 'traces', args);
      expect(bad, JSON.stringify(args)).toMatchObject({
        ok: false,
        error: { code: 'gateway.rpc_bad_request' },
      });
    }
    expect((await rpc(probe, 'live1', 'traces', { limit: 0 })).error?.message).toMatch(/limit/);
  });
});
