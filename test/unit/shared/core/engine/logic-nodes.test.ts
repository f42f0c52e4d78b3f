import { describe, expect, it } from 'vitest';
import { bench, edge, flow, lastTrace, node, probeFlow, stepsOf } from './harness';

const probeInputs = (b: ReturnType<typeof bench>) =>
  b.traces.flatMap((t) => stepsOf(t, 'probe').map((s) => s.input));

describe('logic nodes, each as a manual trigger → node → probe flow asserted on the trace', () => {
  it('if sends to true or false by its CEL condition', () => {
    const b = bench([probeFlow('logic.if', { condition: 'payload.temp > 25' }, 'true')]);
    b.engine.start();
    b.engine.runManual('f', { temp: 30 });
    b.engine.runManual('f', { temp: 20 });
    expect(probeInputs(b)).toEqual([{ temp: 30 }]);
    const falseRun = lastTrace(b);
    expect(stepsOf(falseRun, 'n')[0]?.outputs).toEqual([{ port: 'false', payload: { temp: 20 } }]);
    expect(falseRun?.outcome).toBe('finished');
  });

  it('switch sends to the first matching rule port, or otherwise', () => {
    const config = {
      rules: [
        { port: 'hot', when: 'payload > 25' },
        { port: 'warm', when: 'payload > 15' },
      ],
    };
    const b = bench([probeFlow('logic.switch', config, 'warm')]);
    b.engine.start();
    for (const v of [30, 20, 10]) b.engine.runManual('f', v);
    expect(probeInputs(b)).toEqual([20]);
    expect(b.traces.map((t) => stepsOf(t, 'n')[0]?.outputs[0]?.port)).toEqual(['hot', 'warm', 'otherwise']);
  });

  it('switch without firstMatch sends to every matching rule', () => {
    const config = {
      firstMatch: false,
      rules: [
        { port: 'a', when: 'payload > 1' },
        { port: 'b', when: 'payload > 2' },
      ],
    };
    const b = bench([probeFlow('logic.switch', config, 'b')]);
    b.engine.start();
    b.engine.runManual('f', 5);
    expect(stepsOf(lastTrace(b), 'n')[0]?.outputs.map((o) => o.port)).toEqual(['a', 'b']);
    expect(probeInputs(b)).toEqual([5]);
  });

  it('compare routes numbers and fails on anything else', () => {
    const b = bench([probeFlow('logic.compare', { operator: '>=', value: 10 }, 'true')]);
    b.engine.start();
    b.engine.runManual('f', 10);
    b.engine.runManual('f', 9);
    b.engine.runManual('f', 'ten');
    expect(probeInputs(b)).toEqual([10]);
    expect(lastTrace(b)?.outcome).toBe('failed');
    expect(lastTrace(b)?.error).toMatchObject({ nodeId: 'n', kind: 'logic.compare' });
  });

  it('delay holds the message for its time, keeping the run open', () => {
    const b = bench([probeFlow('logic.delay', { seconds: 5 })]);
    b.engine.start();
    b.engine.runManual('f', 'x');
    expect(b.traces).toHaveLength(0);
    b.clock.advance(4999);
    expect(b.traces).toHaveLength(0);
    b.clock.advance(1);
    expect(probeInputs(b)).toEqual(['x']);
    const trace = lastTrace(b);
    expect(trace?.outcome).toBe('finished');
    expect(stepsOf(trace, 'n').map((s) => s.port)).toEqual(['in', 'timer']);
    expect(trace!.endedAt - trace!.startedAt).toBe(5000);
  });

  it('debounce sends only the last message of a burst', () => {
    const b = bench([
      { ...probeFlow('logic.debounce', { seconds: 1 }), runMode: { mode: 'parallel', max: 100 } },
    ]);
    b.engine.start();
    for (let i = 0; i < 5; i++) {
      b.engine.runManual('f', i);
      b.clock.advance(500);
    }
    b.clock.advance(1000);
    expect(probeInputs(b)).toEqual([4]);
    expect(b.traces.map((t) => t.outcome)).toEqual(Array(5).fill('finished'));
  });

  it('throttle passes one message per period', () => {
    const b = bench([probeFlow('logic.throttle', { seconds: 1 })]);
    b.engine.start();
    for (let i = 0; i < 6; i++) {
      b.engine.runManual('f', i);
      b.clock.advance(400);
    }
    expect(probeInputs(b)).toEqual([0, 3]);
  });

  it('set variable stores a flow variable and records the change', () => {
    const f = flow(
      'f',
      [
        node('t', 'trigger.manual'),
        node('n', 'logic.set-variable', { name: 'last', value: 'payload * 2' }),
        node('probe', 'action.log', { message: 'string(vars.last)' }),
      ],
      [edge('t', 'n'), edge('n', 'probe')],
    );
    const b = bench([f]);
    b.engine.start();
    b.engine.runManual('f', 2);
    b.engine.runManual('f', 5);
    expect(stepsOf(lastTrace(b), 'n')[0]?.changedVariables).toEqual({ last: { from: 4, to: 10 } });
    expect(b.logs.map((l) => l.text)).toEqual(['4', '10']);
  });

  it('transform replaces the payload or sets fields, leaving the input untouched', () => {
    const b = bench([probeFlow('logic.transform', { set: { alert: 'true', level: 'payload.temp - 20' } })]);
    b.engine.start();
    const input = { temp: 30, seq: 1 };
    b.engine.runManual('f', input);
    expect(probeInputs(b)).toEqual([{ temp: 30, seq: 1, alert: true, level: 10 }]);
    expect(input).toEqual({ temp: 30, seq: 1 });
    const b2 = bench([probeFlow('logic.transform', { payload: '{"t": payload.temp, "n": 1}' })]);
    b2.engine.start();
    b2.engine.runManual('f', input);
    expect(probeInputs(b2)).toEqual([{ t: 30, n: 1 }]);
  });

  it('counter counts and resets, and its count survives a restart', () => {
    const f = flow(
      'f',
      [
        node('t', 'trigger.manual'),
        node('r', 'trigger.device-event', { role: 'button', event: 'long-press' }),
        node('n', 'logic.counter', { step: 2 }),
        node('probe', 'action.log', { message: 'string(payload)' }),
      ],
      [edge('t', 'n'), edge('r', 'n', 'out', 'reset'), edge('n', 'probe')],
    );
    const store = { saves: 0 };
    const b = bench([f], { store });
    b.engine.start();
    b.engine.runManual('f');
    b.engine.runManual('f');
    b.engine.stop();
    const again = bench([f], { store, clock: b.clock });
    again.engine.start();
    again.engine.runManual('f');
    again.engine.deliverDeviceEvent('button', 'long-press', null);
    expect([...b.logs, ...again.logs].map((l) => l.text)).toEqual(['2', '4', '6', '0']);
  });

  it('time window routes by the local clock, across midnight too', () => {
    const config = { after: '22:00', before: '06:00', timezone: 'UTC' };
    const b = bench([probeFlow('logic.time-window', config, 'inside')]);
    b.clock.time = Date.UTC(2026, 5, 1, 23, 30);
    b.engine.start();
    b.engine.runManual('f', 'night');
    b.clock.time = Date.UTC(2026, 5, 2, 12, 0);
    b.engine.runManual('f', 'noon');
    expect(probeInputs(b)).toEqual(['night']);
    expect(stepsOf(lastTrace(b), 'n')[0]?.outputs[0]?.port).toBe('outside');
  });

  it('join all waits for every input; a missing input ends in timeout', () => {
    const f = flow(
      'f',
      [
        node('t', 'trigger.manual'),
        node('a', 'logic.transform', { payload: '"A"' }),
        node('d', 'logic.delay', { seconds: 2 }),
        node('n', 'logic.join', { mode: 'all', timeoutSeconds: 10 }),
        node('probe', 'action.log', { message: '"joined"' }),
      ],
      [
        edge('t', 'a'),
        edge('t', 'd'),
        edge('a', 'n', 'out', 'in1'),
        edge('d', 'n', 'out', 'in2'),
        edge('n', 'probe'),
      ],
    );
    const b = bench([f]);
    b.engine.start();
    b.engine.runManual('f', 'B');
    b.clock.advance(2000);
    expect(probeInputs(b)).toEqual([{ in1: 'A', in2: 'B' }]);
    expect(lastTrace(b)?.outcome).toBe('finished');

    const lonely = bench([probeFlow('logic.join', { timeoutSeconds: 3 }, 'timeout', 'in1')]);
    lonely.engine.start();
    lonely.engine.runManual('f', 1);
    lonely.clock.advance(3000);
    expect(probeInputs(lonely)).toEqual([{ in1: 1 }]);
  });

  it('join any passes the first message and ignores the rest until the timeout', () => {
    const b = bench([{ ...probeFlow('logic.join', { mode: 'any', timeoutSeconds: 5 }, 'out', 'in2') }]);
    b.engine.start();
    b.engine.runManual('f', 1);
    b.engine.runManual('f', 2);
    b.clock.advance(5000);
    b.engine.runManual('f', 3);
    b.clock.advance(5000);
    expect(probeInputs(b)).toEqual([1, 3]);
  });

  it('wait for event continues on the event, or on timeout', () => {
    const f = {
      ...probeFlow('logic.wait-event', { role: 'door', event: 'opened', timeoutSeconds: 30 }),
      edges: [edge('t', 'n'), edge('n', 'probe', 'out'), edge('n', 'probe', 'timeout')],
    };
    const b = bench([f]);
    b.engine.start();
    b.engine.runManual('f', 'first');
    b.clock.advance(1000);
    b.engine.deliverDeviceEvent('door', 'opened', {});
    expect(stepsOf(lastTrace(b), 'n').map((s) => [s.port, s.outputs[0]?.port])).toEqual([
      ['in', undefined],
      ['event', 'out'],
    ]);
    b.engine.runManual('f', 'second');
    b.clock.advance(30_000);
    expect(stepsOf(lastTrace(b), 'n')[1]?.outputs).toEqual([{ port: 'timeout', payload: 'second' }]);
    expect(b.engine.pendingTimers()).toBe(0);
  });
});
