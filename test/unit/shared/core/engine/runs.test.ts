import { describe, expect, it } from 'vitest';
import type { RunModeName } from '../../../../../shared/core/flow/schema';
import type { EngineSnapshot } from '../../../../../shared/core/engine';
import { bench, edge, flow, lastTrace, node, stepsOf } from './harness';

const delayed = (mode: RunModeName, max = 2) =>
  flow(
    'f',
    [
      node('t', 'trigger.manual'),
      node('d', 'logic.delay', { seconds: 10 }),
      node('probe', 'action.log', { message: 'string(payload)' }),
    ],
    [edge('t', 'd'), edge('d', 'probe')],
    mode,
    max,
  );

const outcomes = (b: ReturnType<typeof bench>) => b.traces.map((t) => t.outcome);

describe('run modes', () => {
  it('single drops new runs while one is going', () => {
    const b = bench([delayed('single')]);
    b.engine.start();
    for (let i = 0; i < 3; i++) b.engine.runManual('f', i);
    b.clock.advance(10_000);
    expect(outcomes(b)).toEqual(['dropped-by-mode', 'dropped-by-mode', 'finished']);
    expect(b.logs.map((l) => l.text)).toEqual(['0']);
    expect(b.engine.stats().f?.outcomes['dropped-by-mode']).toBe(2);
  });

  it('restart cancels the running run and its delay', () => {
    const b = bench([delayed('restart')]);
    b.engine.start();
    b.engine.runManual('f', 0);
    b.clock.advance(5000);
    b.engine.runManual('f', 1);
    b.clock.advance(10_000);
    expect(outcomes(b)).toEqual(['cancelled', 'finished']);
    expect(b.logs.map((l) => l.text)).toEqual(['1']);
  });

  it('queued runs one at a time, up to max waiting, in order', () => {
    const b = bench([delayed('queued', 2)]);
    b.engine.start();
    for (let i = 0; i < 4; i++) b.engine.runManual('f', i);
    expect(b.engine.stats().f).toMatchObject({ active: 1, queued: 2 });
    b.clock.advance(30_000);
    expect(outcomes(b)).toEqual(['dropped-by-mode', 'finished', 'finished', 'finished']);
    expect(b.logs.map((l) => l.text)).toEqual(['0', '1', '2']);
  });

  it('parallel runs up to max at once', () => {
    const b = bench([delayed('parallel', 2)]);
    b.engine.start();
    for (let i = 0; i < 3; i++) b.engine.runManual('f', i);
    b.clock.advance(10_000);
    expect(outcomes(b)).toEqual(['dropped-by-mode', 'finished', 'finished']);
    expect(b.logs.map((l) => l.text)).toEqual(['0', '1']);
  });
});

describe('loops, errors and isolation', () => {
  it('a loop without a delay ends with loop-limit instead of spinning', () => {
    const f = flow(
      'f',
      [
        node('t', 'trigger.manual'),
        node('a', 'logic.transform', { payload: 'payload + 1' }),
        node('b', 'logic.if', { condition: 'true' }),
      ],
      [edge('t', 'a'), edge('a', 'b'), edge('b', 'a', 'true')],
    );
    const b = bench([f], { maxHops: 50 });
    b.engine.start();
    b.engine.runManual('f', 0);
    expect(lastTrace(b)).toMatchObject({ outcome: 'loop-limit' });
    expect(lastTrace(b)?.reason).toMatch(/50 nodes/);
  });

  it('flows that run each other in a circle hit the limit too', async () => {
    const f = flow(
      'f',
      [node('t', 'trigger.manual'), node('r', 'action.run-flow', { flow: 'f' })],
      [edge('t', 'r')],
      'parallel',
      10_000,
    );
    const b = bench([f], { maxHops: 20 });
    b.engine.start();
    b.engine.runManual('f');
    await new Promise((r) => setTimeout(r, 0));
    expect(b.traces.some((t) => t.outcome === 'loop-limit')).toBe(true);
    expect(b.traces.length).toBeLessThan(30);
  });

  it('a failing node is recorded, routed to the error path, and other flows keep running', () => {
    const failing = flow(
      'bad',
      [
        node('t', 'trigger.manual'),
        node('x', 'logic.if', { condition: 'payload.missing > 1' }),
        node('e', 'trigger.error'),
        node('alert', 'action.mqtt-publish', { topic: 'alerts', payload: 'payload.nodeId' }),
      ],
      [edge('t', 'x'), edge('e', 'alert')],
      'single',
    );
    const healthy = flow(
      'good',
      [node('t', 'trigger.manual'), node('l', 'action.log', { message: '"ok"' })],
      [edge('t', 'l')],
    );
    const b = bench([failing, healthy]);
    b.engine.start();
    b.engine.runManual('bad', {});
    b.engine.runManual('good');
    const bad = b.traces.find((t) => t.flowId === 'bad' && t.trigger.nodeId === 't');
    const errorRun = b.traces.find((t) => t.trigger.kind === 'trigger.error');
    expect(bad).toMatchObject({ outcome: 'failed', error: { nodeId: 'x', kind: 'logic.if' } });
    expect(stepsOf(bad, 'x')[0]?.error).toMatch(/missing/);
    expect(errorRun).toMatchObject({ outcome: 'finished', parentRunId: bad?.runId });
    expect(bad?.childRunIds).toEqual([errorRun?.runId]);
    expect(b.published).toEqual([{ topic: 'alerts', payload: 'x', qos: 0, retain: false }]);
    expect(b.traces.find((t) => t.flowId === 'good')?.outcome).toBe('finished');
  });

  it('a failing error path does not trigger itself', () => {
    const f = flow(
      'f',
      [
        node('t', 'trigger.manual'),
        node('x', 'logic.compare', {}),
        node('e', 'trigger.error'),
        node('y', 'logic.compare', {}),
      ],
      [edge('t', 'x'), edge('e', 'y')],
    );
    const b = bench([f]);
    b.engine.start();
    b.engine.runManual('f', 'not a number');
    expect(outcomes(b)).toEqual(['failed', 'failed']);
  });

  it('the trace records the path: each step points at the step that sent its message', () => {
    const f = flow(
      'f',
      [
        node('t', 'trigger.manual'),
        node('a', 'logic.if', { condition: 'true' }),
        node('b', 'action.log', { message: '"b"' }),
      ],
      [edge('t', 'a'), edge('a', 'b', 'true')],
    );
    const b = bench([f]);
    b.engine.start();
    b.engine.runManual('f', 1);
    const steps = lastTrace(b)!.steps;
    expect(steps.map((s) => [s.nodeId, s.parent, s.edgeId ?? null, s.hops])).toEqual([
      ['t', -1, null, 0],
      ['a', 0, 't-out-a-in', 1],
      ['b', 1, 'a-true-b-in', 2],
    ]);
  });
});

describe('restart in the middle of a delay', () => {
  it('resumes the delay with its remaining time and links the runs', () => {
    const store: { saves: number; snapshot?: EngineSnapshot } = { saves: 0 };
    const f = delayed('single');
    const first = bench([f], { store });
    first.engine.start();
    first.engine.runManual('f', 'held');
    first.clock.advance(4000);
    first.engine.stop();
    const suspended = lastTrace(first);
    expect(suspended?.outcome).toBe('suspended');
    expect(store.snapshot?.timers).toHaveLength(1);

    first.clock.advance(1000);
    const second = bench([f], { store, clock: first.clock });
    second.engine.start();
    first.clock.advance(4999);
    expect(second.logs).toEqual([]);
    first.clock.advance(1);
    expect(second.logs.map((l) => l.text)).toEqual(['held']);
    const resumed = lastTrace(second);
    expect(resumed).toMatchObject({ outcome: 'finished', resumedFrom: suspended?.runId });
    expect(resumed?.steps.map((s) => [s.nodeId, s.port])).toEqual([
      ['d', 'resume'],
      ['d', 'timer'],
      ['probe', 'in'],
    ]);
    expect(store.snapshot?.timers).toEqual([]);
  });

  it('a delay that came due while stopped fires right after start', () => {
    const store: { saves: number; snapshot?: EngineSnapshot } = { saves: 0 };
    const first = bench([delayed('single')], { store });
    first.engine.start();
    first.engine.runManual('f', 'late');
    first.engine.stop();
    first.clock.advance(60_000);
    const second = bench([delayed('single')], { store, clock: first.clock });
    second.engine.start();
    first.clock.advance(0);
    expect(second.logs.map((l) => l.text)).toEqual(['late']);
  });
});

describe('loops through the broker', () => {
  it('a flow publishing to its own input topic ends at the hop limit', () => {
    const f = flow(
      'echo',
      [
        node('in', 'trigger.mqtt', { topic: 'loop/in' }),
        node('out', 'action.mqtt-publish', { topic: 'loop/in' }),
      ],
      [edge('in', 'out')],
    );
    const b = bench([f], { maxHops: 30 });
    b.engine.start();
    b.engine.deliverMqtt('loop/in', '{"n":1}');
    // Play the broker: deliver every publish back until the flow stops publishing.
    let delivered = 0;
    while (delivered < b.published.length && delivered < 1000) {
      const { topic, payload } = b.published[delivered++]!;
      b.engine.deliverMqtt(topic, JSON.stringify(payload));
    }
    expect(delivered).toBeLessThan(30);
    expect(lastTrace(b)).toMatchObject({ outcome: 'loop-limit' });
  });

  it('messages from elsewhere on a topic the flows also publish start at hop 0', () => {
    const f = flow(
      'echo',
      [node('in', 'trigger.mqtt', { topic: 'a' }), node('l', 'action.log', { message: '"x"' })],
      [edge('in', 'l')],
    );
    const b = bench([f]);
    b.engine.start();
    b.engine.deliverMqtt('a', '1');
    b.engine.deliverMqtt('a', '2');
    expect(b.traces.map((t) => t.steps[0]?.hops)).toEqual([0, 0]);
  });
});

describe('restart while waiting for an event', () => {
  it('the wait survives: the event after the restart continues the run', () => {
    const store: { saves: number; snapshot?: EngineSnapshot } = { saves: 0 };
    const f = flow(
      'f',
      [
        node('t', 'trigger.manual'),
        node('w', 'logic.wait-event', { role: 'door', event: 'opened', timeoutSeconds: 600 }),
        node('probe', 'action.log', { message: 'string(payload)' }),
      ],
      [edge('t', 'w'), edge('w', 'probe')],
    );
    const first = bench([f], { store });
    first.engine.start();
    first.engine.runManual('f', 'waiting');
    first.engine.stop();
    const second = bench([f], { store, clock: first.clock });
    second.engine.start();
    second.engine.deliverDeviceEvent('door', 'opened', {});
    expect(second.logs.map((l) => l.text)).toEqual(['waiting']);
    expect(lastTrace(second)).toMatchObject({ outcome: 'finished', resumedFrom: lastTrace(first)?.runId });
  });
});

describe('restart while debouncing', () => {
  it('a message after the restart replaces the restored one: one output, the newest', () => {
    const store: { saves: number; snapshot?: EngineSnapshot } = { saves: 0 };
    const f = flow(
      'f',
      [
        node('t', 'trigger.manual'),
        node('d', 'logic.debounce', { seconds: 10 }),
        node('probe', 'action.log', { message: 'string(payload)' }),
      ],
      [edge('t', 'd'), edge('d', 'probe')],
      'parallel',
      10,
    );
    const first = bench([f], { store });
    first.engine.start();
    first.engine.runManual('f', 'before');
    first.engine.stop();
    const second = bench([f], { store, clock: first.clock });
    second.engine.start();
    first.clock.advance(2000);
    second.engine.runManual('f', 'after');
    first.clock.advance(60_000);
    expect(second.logs.map((l) => l.text)).toEqual(['after']);
    expect(second.engine.pendingTimers()).toBe(0);
  });
});

describe('loops through a delay', () => {
  it('are schedules, not runaway messages: a blink loop keeps going past the hop limit', () => {
    const f = flow(
      'blink',
      [
        node('t', 'trigger.manual'),
        node('toggle', 'action.device-action', { role: 'lamp', action: 'toggle' }),
        node('wait', 'logic.delay', { seconds: 1 }),
      ],
      [edge('t', 'toggle'), edge('toggle', 'wait'), edge('wait', 'toggle')],
    );
    const b = bench([f], { maxHops: 10 });
    b.engine.start();
    b.engine.runManual('blink');
    b.clock.advance(100_000);
    expect(b.actions.length).toBeGreaterThan(90);
    expect(b.traces).toEqual([]);
    b.engine.stop();
    expect(lastTrace(b)?.outcome).toBe('suspended');
    expect(lastTrace(b)?.truncated).toBe(true);
  });
});
