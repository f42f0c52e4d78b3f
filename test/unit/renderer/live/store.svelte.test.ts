import { beforeEach, describe, expect, it } from 'vitest';
import type { LiveBatch, LiveDebug, LiveRun } from '../../../../shared/core/engine/live';
import { DEBUG_KEEP, DISPLAY_MS, GLOW_MS, LiveStore } from '../../../../renderer/src/live/store.svelte';

/** Animation frames the test runs by hand, on a clock it sets. */
const frames = () => {
  let waiting: ((now: number) => void)[] = [];
  const clock = { now: 1000 };
  return {
    clock,
    schedule: (cb: (now: number) => void) => waiting.push(cb),
    get pending() {
      return waiting.length;
    },
    /** Moves the clock to `at` and runs the frames that were asked for. */
    run(at = clock.now) {
      clock.now = at;
      const due = waiting;
      waiting = [];
      for (const cb of due) cb(at);
    },
  };
};

let seq = 0;
const batch = (over: Partial<LiveBatch> = {}): LiveBatch => ({
  version: 1,
  gatewayId: 'gw-hall',
  seq: seq++,
  from: 0,
  to: 0,
  nodes: [],
  edges: [],
  runs: [],
  debug: [],
  ...over,
});
const ran = (nodeId: string, runs = 1, extra: { value?: unknown; error?: string } = {}) => ({
  flowId: 'lights',
  nodeId,
  runs,
  at: 0,
  runId: `run-${nodeId}`,
  ...extra,
});
const line = (text: string): LiveDebug => ({ at: 0, level: 'info', source: 'log', text });
const run = (runId: string): LiveRun => ({
  flowId: 'lights',
  runId,
  outcome: 'finished',
  startedAt: 0,
  endedAt: 1,
});

let f: ReturnType<typeof frames>;
let store: LiveStore;

beforeEach(() => {
  seq = 0;
  f = frames();
  store = new LiveStore(f.schedule, () => f.clock.now);
  store.follow('gw-hall');
});

describe('LiveStore', () => {
  it('applies what arrived on the next frame, all batches at once, and ignores other gateways', () => {
    store.receive(batch({ nodes: [ran('a', 2, { value: 21.5 })] }));
    store.receive(batch({ nodes: [ran('a', 3)], edges: [{ flowId: 'lights', edgeId: 'ab', messages: 4 }] }));
    store.receive(batch({ gatewayId: 'gw-cellar', nodes: [ran('z')] }));
    expect(f.pending).toBe(1);
    expect(store.flow('lights').node('a')).toBeUndefined();

    f.run();
    const a = store.flow('lights').node('a')!;
    expect(a).toMatchObject({ runs: 5, value: '21.5', hot: true, error: null });
    expect(store.flow('lights').edge('ab')).toMatchObject({ messages: 4, hot: true });
    expect(store.flow('lights').node('z')).toBeUndefined();
  });

  it('shows an error at once, and a later clean run clears it', () => {
    store.receive(batch({ nodes: [ran('a', 1, { error: 'The relay did not answer.' })] }));
    f.run();
    expect(store.flow('lights').node('a')!.error).toBe('The relay did not answer.');
    store.receive(batch({ nodes: [ran('a')] }));
    f.run(f.clock.now + 16);
    expect(store.flow('lights').node('a')!.error).toBeNull();
  });

  it('writes counts and values at most every DISPLAY_MS, and the latest ones then', () => {
    store.receive(batch({ nodes: [ran('a', 1, { value: 'on' })] }));
    f.run(1000);
    const a = store.flow('lights').node('a')!;
    expect(a.runs).toBe(1);
    store.receive(batch({ nodes: [ran('a', 1, { value: 'off' })] }));
    f.run(1000 + DISPLAY_MS / 2);
    expect([a.runs, a.value]).toEqual([1, '"on"']);
    expect(a.hot).toBe(true);
    f.run(1000 + DISPLAY_MS);
    expect([a.runs, a.value]).toEqual([2, '"off"']);
  });

  it('stops glowing GLOW_MS after the last run, asking for frames only until then', () => {
    store.receive(batch({ nodes: [ran('a')] }));
    f.run(1000);
    f.run(1000 + GLOW_MS - 1);
    expect(store.flow('lights').node('a')!.hot).toBe(true);
    f.run(1000 + GLOW_MS);
    expect(store.flow('lights').node('a')!.hot).toBe(false);
    expect(f.pending).toBe(0);
  });

  it('counts batches lost on the way and entries the gateway left out', () => {
    store.receive(batch({ seq: 10 }));
    store.receive(batch({ seq: 13, dropped: { nodes: 1, edges: 2, runs: 0, debug: 4 } }));
    f.run();
    expect(store.lost).toBe(2 + 7);
  });

  it('keeps the last DEBUG_KEEP debug lines, holds them while paused and shows them on resume', () => {
    store.receive(batch({ debug: Array.from({ length: DEBUG_KEEP + 5 }, (_, i) => line(`line ${i}`)) }));
    f.run();
    expect(store.debug).toHaveLength(DEBUG_KEEP);
    expect(store.debug[0]!.text).toBe('line 5');
    expect(new Set(store.debug.map((l) => l.seq)).size).toBe(DEBUG_KEEP);

    store.clearDebug();
    store.setPaused(true);
    store.receive(batch({ debug: [line('while paused')] }));
    f.run(f.clock.now + 16);
    expect(store.debug).toEqual([]);
    expect(store.held).toBe(1);
    store.setPaused(false);
    expect(store.debug.map((l) => l.text)).toEqual(['while paused']);
    expect(store.held).toBe(0);
  });

  it('lists ended runs newest first, at most 200', () => {
    store.receive(batch({ runs: Array.from({ length: 150 }, (_, i) => run(`r${i}`)) }));
    store.receive(batch({ runs: Array.from({ length: 100 }, (_, i) => run(`s${i}`)) }));
    f.run();
    expect(store.runs).toHaveLength(200);
    expect(store.runs[0]!.runId).toBe('s99');
    expect(store.runs.at(-1)!.runId).toBe('r50');
  });

  it('forgets everything when it follows another gateway, and offers Manual triggers only while following', () => {
    const fired: string[] = [];
    store.follow('gw-hall', (flowId, nodeId) => fired.push(`${flowId}/${nodeId}`));
    store.receive(batch({ nodes: [ran('a')], debug: [line('x')], runs: [run('r1')] }));
    f.run();
    store.flow('lights').inject!('manual-1');
    expect(fired).toEqual(['lights/manual-1']);

    store.follow('gw-hall', (flowId, nodeId) => fired.push(`${flowId}/${nodeId}`));
    expect(store.flow('lights').node('a')).toBeDefined();

    store.follow('gw-cellar');
    expect(store.flow('lights').node('a')).toBeUndefined();
    expect([store.debug, store.runs, store.lost]).toEqual([[], [], 0]);
    expect(store.flow('lights').inject).toBeUndefined();
  });
});
