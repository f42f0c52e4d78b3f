import { describe, expect, it } from 'vitest';
import { bench, edge, flow, lastTrace, node, probeFlow, stepsOf } from './harness';

describe('action nodes, each as a manual trigger → node → probe flow asserted on the trace', () => {
  it('device action invokes the role action with the evaluated input and passes the result on', async () => {
    const b = bench(
      [probeFlow('action.device-action', { role: 'siren', action: 'sound', input: '{"seconds": payload}' })],
      {
        invokeAction: async () => ({ accepted: true }),
      },
    );
    b.engine.start();
    b.engine.runManual('f', 3);
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(b.actions).toEqual([{ role: 'siren', action: 'sound', input: { seconds: 3 } }]);
    const trace = lastTrace(b);
    expect(trace?.outcome).toBe('finished');
    expect(stepsOf(trace, 'probe')[0]?.input).toEqual({ accepted: true });
    expect(stepsOf(trace, 'n')[0]?.endedAt).toBeTypeOf('number');
  });

  it('set property writes the evaluated value to the role', () => {
    const b = bench([
      probeFlow('action.set-property', { role: 'relay', property: 'on', value: 'payload > 0' }),
    ]);
    b.engine.start();
    b.engine.runManual('f', 1);
    expect(b.writes).toEqual([{ role: 'relay', property: 'on', value: true }]);
    expect(stepsOf(lastTrace(b), 'probe')).toHaveLength(1);
  });

  it('a failing device write fails the run, naming the node', async () => {
    const b = bench([probeFlow('action.set-property', { role: 'relay', property: 'on', value: 'true' })], {
      writeProperty: () => Promise.reject(new Error('relay offline')),
    });
    b.engine.start();
    b.engine.runManual('f');
    await new Promise((r) => setTimeout(r, 0));
    expect(lastTrace(b)).toMatchObject({
      outcome: 'failed',
      error: { nodeId: 'n', message: 'relay offline' },
    });
    expect(stepsOf(lastTrace(b), 'probe')).toHaveLength(0);
  });

  it('MQTT publish sends the payload, or an expression of it, with qos and retain', () => {
    const b = bench([
      probeFlow('action.mqtt-publish', {
        topic: 'alerts/temp',
        payload: '{"t": payload}',
        qos: 1,
        retain: true,
      }),
    ]);
    b.engine.start();
    b.engine.runManual('f', 31);
    expect(b.published).toEqual([{ topic: 'alerts/temp', payload: { t: 31 }, qos: 1, retain: true }]);
    const plain = bench([probeFlow('action.mqtt-publish', { topic: 'x' })]);
    plain.engine.start();
    plain.engine.runManual('f', { a: 1 });
    expect(plain.published).toEqual([{ topic: 'x', payload: { a: 1 }, qos: 0, retain: false }]);
  });

  it('HTTP request sends the body as JSON and parses a JSON answer', async () => {
    const seen: unknown[] = [];
    const b = bench(
      [
        probeFlow('action.http-request', {
          method: 'POST',
          url: 'http://127.0.0.1:9/hook',
          body: '{"v": payload}',
        }),
      ],
      {
        http: async (request) => {
          seen.push(request);
          return { status: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
        },
      },
    );
    b.engine.start();
    b.engine.runManual('f', 7);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([
      {
        method: 'POST',
        url: 'http://127.0.0.1:9/hook',
        headers: { 'content-type': 'application/json' },
        body: '{"v":7}',
        timeoutMs: 10_000,
      },
    ]);
    expect(stepsOf(lastTrace(b), 'probe')[0]?.input).toEqual({ status: 201, body: { ok: true } });
  });

  it('log writes the text at its level', () => {
    const b = bench([probeFlow('action.log', { level: 'warn', message: '"temp " + string(payload)' })]);
    b.engine.start();
    b.engine.runManual('f', 22.5);
    expect(b.logs[0]).toEqual({
      level: 'warn',
      text: 'temp 22.5',
      source: { origin: 'log', flowId: 'f', nodeId: 'n', runId: expect.any(String) },
    });
  });

  it('run flow starts the other flow as a child run and, with wait, continues with its outcome', async () => {
    const child = flow(
      'child',
      [node('m', 'trigger.manual'), node('l', 'action.log', { message: '"child ran"' })],
      [edge('m', 'l')],
    );
    const b = bench([probeFlow('action.run-flow', { flow: 'child', wait: true }), child]);
    b.engine.start();
    b.engine.runManual('f', 1);
    await new Promise((r) => setTimeout(r, 0));
    const parent = b.traces.find((t) => t.flowId === 'f');
    const run = b.traces.find((t) => t.flowId === 'child');
    expect(parent).toBeDefined();
    expect(run?.parentRunId).toBe(parent?.runId);
    expect(parent?.childRunIds).toEqual([run?.runId]);
    expect(stepsOf(parent, 'probe')[0]?.input).toBe('finished');
  });

  it('stop ends the run with its outcome and cancels pending delays', () => {
    const f = flow(
      'f',
      [
        node('t', 'trigger.manual'),
        node('d', 'logic.delay', { seconds: 60 }),
        node('s', 'action.stop', { reason: 'night mode' }),
      ],
      [edge('t', 'd'), edge('t', 's')],
    );
    const b = bench([f]);
    b.engine.start();
    b.engine.runManual('f');
    expect(lastTrace(b)).toMatchObject({ outcome: 'stopped', reason: 'night mode' });
    expect(b.engine.pendingTimers()).toBe(0);
    expect(b.clock.pending).toBe(0);
  });
});
