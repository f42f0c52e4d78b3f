import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openTraceStore } from '../../../../../shared/node/gateway/traces';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-traces-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const trace = (n: number, outcome: string, flowId = 'f1') => ({
  runId: `t${n}`,
  flowId,
  outcome,
  startedAt: n,
});

describe('trace store', () => {
  it('keeps the last failure however many successes follow it', () => {
    const store = openTraceStore(tempDir(), { finished: 50, failed: 5, '*': 5 }, -1);
    store.add(trace(0, 'failed'));
    for (let i = 1; i <= 10_000; i++) store.add(trace(i, 'finished'));
    expect(store.query({ outcome: 'failed' }).map((t) => t.runId)).toEqual(['t0']);
    expect(store.get('t0')?.outcome).toBe('failed');
    expect(store.query({ limit: 1000 })).toHaveLength(51);
    expect(store.query({ limit: 3 }).map((t) => t.runId)).toEqual(['t10000', 't9999', 't9998']);
    expect(store.counts()).toEqual({ f1: { failed: 1, finished: 10_000 } });
  });

  it('evicts the oldest within a flow and outcome, so a noisy flow never pushes out another flow’s failures', () => {
    const store = openTraceStore(tempDir(), { failed: 3 }, -1);
    store.add(trace(0, 'failed', 'quiet'));
    for (let i = 1; i <= 100; i++) store.add(trace(i, 'failed', 'noisy'));
    expect(store.query({ flowId: 'quiet', outcome: 'failed' }).map((t) => t.runId)).toEqual(['t0']);
    expect(store.query({ flowId: 'noisy' }).map((t) => t.runId)).toEqual(['t100', 't99', 't98']);
    expect(store.query({ outcome: 'failed' }).map((t) => t.runId)).toEqual(['t100', 't99', 't98', 't0']);
    expect(store.counts()).toEqual({ quiet: { failed: 1 }, noisy: { failed: 100 } });
  });

  it('lists runs that ended in the same millisecond newest first, across flows and outcomes, also after a restart', async () => {
    const dir = tempDir();
    const store = openTraceStore(dir, undefined, -1);
    const order = [
      ['a', 'finished', 'f1'],
      ['b', 'failed', 'f2'],
      ['c', 'finished', 'f2'],
      ['d', 'failed', 'f1'],
    ] as const;
    for (const [runId, outcome, flowId] of order) store.add({ runId, flowId, outcome, endedAt: 7 });
    expect(store.query().map((t) => t.runId)).toEqual(['d', 'c', 'b', 'a']);
    await store.close();
    expect(
      openTraceStore(dir, undefined, -1)
        .query()
        .map((t) => t.runId),
    ).toEqual(['d', 'c', 'b', 'a']);
  });

  it('survives a restart, and a damaged file costs history, not the start', async () => {
    const dir = tempDir();
    const store = openTraceStore(dir, undefined, -1);
    store.add(trace(1, 'failed'));
    store.add(trace(2, 'finished'));
    await store.close();
    expect(
      openTraceStore(dir, undefined, -1)
        .query()
        .map((t) => t.runId),
    ).toEqual(['t2', 't1']);
    writeFileSync(join(dir, 'traces.json'), '{"traces": [');
    expect(openTraceStore(dir, undefined, -1).query()).toEqual([]);
  });
});
