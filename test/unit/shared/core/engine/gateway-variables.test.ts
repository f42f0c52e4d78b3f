import { describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../../../../../shared/core/engine';
import { GATEWAY_VARIABLE_LIMITS } from '../../../../../shared/core/flow/gateway-variables';
import { bench, edge, flow, lastTrace, node, stepsOf } from './harness';

// Flow "a" stores its payload gateway-wide; flow "b" reads it (and its own flow variable of the
// same name, to show the two scopes are apart).
const writer = (value = 'payload', name = 'level') =>
  flow(
    'a',
    [
      node('t', 'trigger.manual'),
      node('set', 'logic.set-variable', { name, value, scope: 'gateway' }),
      node('own', 'logic.set-variable', { name, value: '"a-only"' }),
    ],
    [edge('t', 'set'), edge('set', 'own')],
  );
const reader = flow(
  'b',
  [
    node('t', 'trigger.manual'),
    node('log', 'action.log', { message: 'has(global.level) ? string(global.level) : "unset"' }),
    node('mine', 'action.log', { message: 'has(vars.level) ? "b has its own" : "b has none"' }),
  ],
  [edge('t', 'log'), edge('log', 'mine')],
);
const texts = (b: ReturnType<typeof bench>) =>
  b.logs.filter((l) => l.source?.origin === 'log').map((l) => l.text);

describe('gateway-wide variables (global.name), shared by every flow of the engine', () => {
  it('one flow sets, another reads; flow variables stay per flow; the trace names global.level', () => {
    const b = bench([writer(), reader]);
    b.engine.start();
    b.engine.runManual('b');
    b.engine.runManual('a', 21);
    b.engine.runManual('b');
    b.engine.runManual('a', { on: true });
    b.engine.runManual('b');
    expect(texts(b)).toEqual(['unset', 'b has none', '21', 'b has none', '{"on":true}', 'b has none']);
    const writes = b.traces.filter((t) => t.flowId === 'a');
    expect(stepsOf(writes[1], 'set')[0]?.changedVariables).toEqual({
      'global.level': { from: 21, to: { on: true } },
    });
    expect(stepsOf(writes[0], 'own')[0]?.changedVariables).toEqual({ level: { from: null, to: 'a-only' } });
  });

  it('is kept across a restart, and on a new deploy only for names its flows still set', () => {
    const store: { snapshot?: EngineSnapshot; saves: number } = { saves: 0 };
    const first = bench([writer(), reader], { store });
    first.engine.start();
    first.engine.runManual('a', 7);
    first.engine.stop();
    expect(store.snapshot?.gatewayVariables).toEqual({ level: 7 });

    const again = bench([writer(), reader], { store });
    again.engine.start();
    again.engine.runManual('b');
    expect(texts(again)).toEqual(['7', 'b has none']);
    again.engine.stop();

    // The next package version sets `other` instead: level is gone, as Node-RED's would be on
    // a fresh start, rather than a stale value read by a flow that no longer means it.
    const update = bench([writer('1', 'other'), reader], { store });
    update.engine.start();
    update.engine.runManual('b');
    expect(texts(update)).toEqual(['unset', 'b has none']);
    update.engine.stop();
    expect(store.snapshot?.gatewayVariables).toBeUndefined();
  });

  it('refuses a value past the message-property bounds, failing only that run', () => {
    const b = bench([writer('payload'), reader]);
    b.engine.start();
    b.engine.runManual('a', 'x'.repeat(GATEWAY_VARIABLE_LIMITS.chars));
    expect(lastTrace(b)?.outcome).toBe('failed');
    expect(stepsOf(lastTrace(b), 'set')[0]?.error).toMatch(/global\.level would be too large/);
    let deep: unknown = 1;
    for (let i = 0; i < GATEWAY_VARIABLE_LIMITS.depth + 1; i++) deep = [deep];
    b.engine.runManual('a', deep);
    expect(lastTrace(b)?.outcome).toBe('failed');
    b.engine.runManual('a', 3);
    b.engine.runManual('b');
    expect(texts(b)).toEqual(['3', 'b has none']);
  });

  it('holds at most GATEWAY_VARIABLE_LIMITS.count names', () => {
    const nodes = [node('t', 'trigger.manual')];
    const edges = [];
    for (let i = 0; i <= GATEWAY_VARIABLE_LIMITS.count; i++) {
      nodes.push(node(`s${i}`, 'logic.set-variable', { name: `v${i}`, value: '1', scope: 'gateway' }));
      edges.push(edge(i === 0 ? 't' : `s${i - 1}`, `s${i}`));
    }
    const b = bench([flow('many', nodes, edges)], { maxHops: 1000 });
    b.engine.start();
    b.engine.runManual('many');
    const trace = lastTrace(b);
    expect(trace?.outcome).toBe('failed');
    // The trace keeps its first 200 steps; the failing node's error is logged with its id.
    const error = b.logs.find((l) => l.source?.origin === 'error');
    expect(error?.source?.nodeId).toBe('s256');
    expect(error?.text).toMatch(/at most 256 gateway-wide variables; global\.v256 would be one more/);
  });
});
