import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import {
  LIVE_LIMITS,
  LiveBatch,
  LiveCollector,
  liveValue,
  type TraceStep,
} from '../../../../../shared/core/engine';
import { bench, edge, flow, node } from './harness';

const step = (nodeId: string, extra: Partial<TraceStep> = {}): TraceStep => ({
  nodeId,
  kind: 'logic.condition',
  parent: 0,
  port: 'in',
  at: 1000,
  hops: 1,
  input: 1,
  outputs: [],
  ...extra,
});

describe('live stream batches', () => {
  it('counts node runs and edge messages, keeps the last value and error, and lists ended runs', () => {
    const live = new LiveCollector('gw1', 0);
    expect(live.take(100)).toBeUndefined();
    live.step('f', 'r1', step('a', { edgeId: 'e1', outputs: [{ port: 'out', payload: { t: 20 } }] }));
    live.step(
      'f',
      'r2',
      step('a', { edgeId: 'e1', at: 1050, outputs: [{ port: 'out', payload: { t: 30 } }] }),
    );
    live.step('f', 'r2', step('b', { edgeId: 'e2', input: 'in only', error: 'relay offline' }));
    live.runEnded({ flowId: 'f', runId: 'r2', outcome: 'failed', startedAt: 1050, endedAt: 1060 });
    const batch = live.take(300);
    expect(Value.Check(LiveBatch, batch)).toBe(true);
    expect(batch).toMatchObject({ gatewayId: 'gw1', seq: 0, from: 100, to: 300 });
    expect(batch?.nodes).toEqual([
      { flowId: 'f', nodeId: 'a', runs: 2, at: 1050, runId: 'r2', value: { t: 30 } },
      { flowId: 'f', nodeId: 'b', runs: 1, at: 1000, runId: 'r2', value: 'in only', error: 'relay offline' },
    ]);
    expect(batch?.edges).toEqual([
      { flowId: 'f', edgeId: 'e1', messages: 2 },
      { flowId: 'f', edgeId: 'e2', messages: 1 },
    ]);
    expect(batch?.runs).toEqual([
      { flowId: 'f', runId: 'r2', outcome: 'failed', startedAt: 1050, endedAt: 1060 },
    ]);
    expect(batch?.debug).toEqual([
      {
        at: 1000,
        level: 'error',
        source: 'error',
        text: 'logic.condition failed: relay offline',
        flowId: 'f',
        nodeId: 'b',
        runId: 'r2',
      },
    ]);
    expect(batch?.dropped).toBeUndefined();
    // the next window starts empty, and its sequence number follows
    live.step('f', 'r3', step('a'));
    expect(live.take(500)).toMatchObject({ seq: 1, from: 300, nodes: [{ nodeId: 'a', runs: 1 }], edges: [] });
  });

  it('stays within its bounds under a flood and counts what it left out', () => {
    const live = new LiveCollector('gw1', 0);
    for (let i = 0; i < LIVE_LIMITS.nodes + 20; i++) live.step('f', 'r', step(`n${i}`, { edgeId: `e${i}` }));
    for (let i = 0; i < LIVE_LIMITS.debug + 5; i++) live.debug(i, 'info', 'log', `line ${i}`);
    for (let i = 0; i < LIVE_LIMITS.runs + 7; i++)
      live.runEnded({ flowId: 'f', runId: `r${i}`, outcome: 'finished', startedAt: 0, endedAt: 1 });
    const batch = live.take(200)!;
    expect(batch.nodes).toHaveLength(LIVE_LIMITS.nodes);
    expect(batch.debug).toHaveLength(LIVE_LIMITS.debug);
    expect(batch.runs).toHaveLength(LIVE_LIMITS.runs);
    expect(batch.dropped).toEqual({ nodes: 20, edges: 0, runs: 7, debug: 5 });
    expect(JSON.stringify(batch).length).toBeLessThan(512 * 1024);
  });

  it('cuts large values to a preview that says how long they were', () => {
    expect(liveValue({ a: 1 })).toEqual({ a: 1 });
    expect(liveValue(new Uint8Array(5))).toBe('<5 bytes>');
    const big = { text: 'x'.repeat(5000) };
    const cut = liveValue(big) as { $cut: string; chars: number };
    expect(cut.chars).toBe(JSON.stringify(big).length);
    expect(cut.$cut.length).toBe(LIVE_LIMITS.valueChars);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(typeof liveValue(circular)).toBe('string');
  });

  it('is fed by the engine: every step once with final outputs, log lines with their node and run', async () => {
    const live = new LiveCollector('gw1', 0);
    const b = bench(
      [
        flow(
          'f',
          [
            node('t', 'trigger.manual'),
            node('log', 'action.log', { message: '"temp " + string(payload)' }),
            node('w', 'action.set-property', { role: 'relay', property: 'on', value: 'true' }),
          ],
          [edge('t', 'log'), edge('log', 'w')],
        ),
      ],
      {
        observer: { step: (flowId, runId, s) => live.step(flowId, runId, s) },
        writeProperty: () => Promise.reject(new Error('relay offline')),
      },
    );
    b.engine.start();
    const runId = b.engine.runManual('f', 21)!;
    await new Promise((r) => setTimeout(r, 0));
    const logLine = b.logs.find((l) => l.text === 'temp 21');
    expect(logLine?.source).toEqual({ origin: 'log', flowId: 'f', nodeId: 'log', runId });
    expect(b.logs.find((l) => l.source?.origin === 'error')?.source).toEqual({
      origin: 'error',
      flowId: 'f',
      nodeId: 'w',
      runId,
    });
    const batch = live.take(1)!;
    expect(batch.nodes.map((n) => [n.nodeId, n.runs])).toEqual([
      ['t', 1],
      ['log', 1],
      ['w', 1],
    ]);
    // the asynchronous write is observed once it settled, with its error
    expect(batch.nodes.find((n) => n.nodeId === 'w')?.error).toBe('relay offline');
    expect(batch.edges.map((e) => e.messages)).toEqual([1, 1]);
  });
});
