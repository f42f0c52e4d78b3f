/**
 * Run flow with result “returned” and Return to caller, on the real engine with the fake clock:
 * the caller continues with the message the called flow hands back, and fails with a reason when
 * that flow ends without returning, times out, loops or is not deployed.
 */
import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../../../shared/core/flow/validate';
import { bench, edge, flow, node, stepsOf } from './harness';

const caller = (config: Record<string, unknown> = {}) =>
  flow(
    'f',
    [
      node('t', 'trigger.manual'),
      node('call', 'action.run-flow', { flow: 'callee', wait: true, result: 'returned', ...config }),
      node('probe', 'action.log', { message: 'string(payload)' }),
    ],
    [edge('t', 'call'), edge('call', 'probe')],
  );

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('Run flow waiting for a returned message', () => {
  it('continues with the message the called flow returns, topic included', async () => {
    const callee = flow(
      'callee',
      [
        node('m', 'trigger.manual'),
        node('x', 'logic.transform', { payload: 'payload * 2.0' }),
        node('ret', 'action.return'),
      ],
      [edge('m', 'x'), edge('x', 'ret')],
    );
    const b = bench([caller(), callee]);
    b.engine.start();
    b.engine.runManual('f', 21);
    await settle();
    expect(b.logs.map((l) => l.text)).toEqual(['42']);
    const parent = b.traces.find((t) => t.flowId === 'f')!;
    expect(parent.outcome).toBe('finished');
    const child = b.traces.find((t) => t.flowId === 'callee')!;
    expect(child.parentRunId).toBe(parent.runId);
    expect(stepsOf(parent, 'probe')[0]?.input).toBe(42);
  });

  it('returns after a delay in the called flow, once the clock passes it', async () => {
    const callee = flow(
      'callee',
      [node('m', 'trigger.manual'), node('d', 'logic.delay', { seconds: 5 }), node('ret', 'action.return')],
      [edge('m', 'd'), edge('d', 'ret')],
    );
    const b = bench([caller(), callee]);
    b.engine.start();
    b.engine.runManual('f', 'late');
    await settle();
    expect(b.logs).toEqual([]);
    b.clock.advance(5000);
    await settle();
    expect(b.logs.map((l) => l.text)).toEqual(['late']);
  });

  it('fails the caller when the called flow ends without returning', async () => {
    const callee = flow(
      'callee',
      [node('m', 'trigger.manual'), node('l', 'action.log', { message: '"no return"' })],
      [edge('m', 'l')],
    );
    const b = bench([caller(), callee]);
    b.engine.start();
    b.engine.runManual('f', 1);
    await settle();
    const parent = b.traces.find((t) => t.flowId === 'f')!;
    expect(parent.outcome).toBe('failed');
    expect(parent.error?.message).toBe(
      'Flow "callee" ended (finished) without returning a message to its caller.',
    );
    expect(stepsOf(parent, 'probe')).toHaveLength(0);
  });

  it('fails the caller after its timeout; a late return then fails in the called run', async () => {
    const callee = flow(
      'callee',
      [node('m', 'trigger.manual'), node('d', 'logic.delay', { seconds: 10 }), node('ret', 'action.return')],
      [edge('m', 'd'), edge('d', 'ret')],
    );
    const b = bench([caller({ timeoutSeconds: 2 }), callee]);
    b.engine.start();
    b.engine.runManual('f', 1);
    b.clock.advance(1999);
    await settle();
    expect(b.traces.find((t) => t.flowId === 'f')).toBeUndefined();
    b.clock.advance(1);
    await settle();
    expect(b.traces.find((t) => t.flowId === 'f')?.error?.message).toBe(
      'Flow "callee" did not return a message within 2 s.',
    );
    b.clock.advance(8000);
    await settle();
    const child = b.traces.find((t) => t.flowId === 'callee')!;
    expect(child.outcome).toBe('failed');
    expect(child.error?.message).toMatch(
      /already returned a message to its caller \(or its caller stopped waiting\)/,
    );
    expect(b.logs.filter((l) => l.source?.origin === 'log')).toEqual([]);
  });

  it('a Return to caller in a run nobody waits for fails, saying why', () => {
    const callee = flow(
      'callee',
      [node('m', 'trigger.manual'), node('ret', 'action.return')],
      [edge('m', 'ret')],
    );
    const b = bench([callee]);
    b.engine.start();
    b.engine.runManual('callee', 1);
    expect(b.traces[0]?.error?.message).toMatch(/No Run flow node waits for this run’s result/);
  });

  it('a flow calling itself and waiting stops at the call depth with a reason', async () => {
    const self = flow(
      'f',
      [
        node('t', 'trigger.manual'),
        node('call', 'action.run-flow', { flow: 'f', wait: true, result: 'returned' }),
        node('ret', 'action.return'),
      ],
      [edge('t', 'call'), edge('call', 'ret')],
      'parallel',
      100,
    );
    const b = bench([self], { maxHops: 256 });
    b.engine.start();
    b.engine.runManual('f', 1);
    await settle();
    expect(b.traces.length).toBeGreaterThan(30);
    expect(b.traces.every((t) => t.outcome === 'failed')).toBe(true);
    expect(b.traces[0]?.error?.message).toMatch(/called each other 32 deep .* in a loop/);
  });

  it('an unknown flow fails the call; returned without wait is a config problem', async () => {
    const b = bench([caller({ flow: 'nowhere' })]);
    b.engine.start();
    b.engine.runManual('f', 1);
    await settle();
    expect(b.traces[0]?.error?.message).toBe(
      'Flow "nowhere" is not deployed or has no Manual trigger to run it by.',
    );
    expect(validateFlow(caller({ wait: false }), [])).toEqual([
      expect.objectContaining({
        nodeId: 'call',
        message: expect.stringMatching(/A returned message needs wait/),
      }),
    ]);
  });
});
