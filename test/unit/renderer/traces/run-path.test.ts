import { describe, expect, it } from 'vitest';
import type { RunTrace, TraceStep } from '../../../../shared/core/engine/trace';
import {
  compareRuns,
  outputText,
  pathOf,
  stepTiming,
  traceOverlay,
} from '../../../../renderer/src/traces/run-path';
import { bench, edge, flow, node, stepsOf } from '../../shared/core/engine/harness';

const step = (nodeId: string, over: Partial<TraceStep> = {}): TraceStep => ({
  nodeId,
  kind: 'logic.if',
  parent: 0,
  port: 'in',
  at: 1000,
  hops: 1,
  input: null,
  outputs: [],
  ...over,
});

const run = (steps: TraceStep[], over: Partial<RunTrace> = {}): RunTrace => ({
  version: 1,
  runId: 'r1',
  flowId: 'f',
  trigger: { nodeId: 't', kind: 'trigger.manual' },
  startedAt: 1000,
  endedAt: 1100,
  outcome: 'finished',
  steps,
  childRunIds: [],
  ...over,
});

describe('a run drawn on its flow', () => {
  const trace = run([
    step('t', { parent: -1, port: 'trigger', input: 1, outputs: [{ port: 'out', payload: 1 }] }),
    step('if', { edgeId: 'e1', input: 1, outputs: [{ port: 'then', payload: 1 }] }),
    step('act', { edgeId: 'e2', input: 1, at: 1010, endedAt: 1090, error: 'device offline' }),
    step('if', { edgeId: 'e1', input: 2, outputs: [{ port: 'else', payload: 'two' }] }),
  ]);

  it('counts each node’s steps and each edge’s messages, keeping the last value and the error', () => {
    const path = pathOf(trace);
    expect(path.nodes.get('if')).toMatchObject({ runs: 2, steps: [2, 4], value: '"two"', error: null });
    expect(path.nodes.get('act')).toMatchObject({ runs: 1, steps: [3], value: '1', error: 'device offline' });
    expect(path.nodes.has('unreached')).toBe(false);
    expect(path.edges.get('e1')).toEqual({ messages: 2, hot: true });
    expect(path.edges.get('e2')).toEqual({ messages: 1, hot: true });
  });

  it('focuses the node of the chosen step and fades nodes off the path', () => {
    const overlay = traceOverlay(trace, pathOf(trace), 2);
    expect(overlay.fadeUntouched).toBe(true);
    expect(overlay.node('act')?.focused).toBe(true);
    expect(overlay.node('if')?.focused).toBeUndefined();
    expect(overlay.node('unreached')).toBeUndefined();
  });

  it('times steps from the start of the run, with the wait of asynchronous ones', () => {
    expect(stepTiming(trace, trace.steps[0]!)).toEqual({ offsetMs: 0 });
    expect(stepTiming(trace, trace.steps[2]!)).toEqual({ offsetMs: 10, tookMs: 80 });
  });
});

describe('two runs side by side', () => {
  it('names the step where the paths part, the nodes only one reached, and values that differ', () => {
    const a = run([step('t'), step('if', { outputs: [{ port: 'then', payload: 30 }] }), step('on')]);
    const b = run([step('t'), step('if', { outputs: [{ port: 'else', payload: 10 }] }), step('off')]);
    expect(compareRuns(a, b)).toEqual({
      partsAt: 2,
      onlyA: ['on'],
      onlyB: ['off'],
      changed: [{ nodeId: 'if', a: '30', b: '10' }],
    });
  });

  it('finds nothing between a run and itself, and reports a differing error', () => {
    const a = run([step('t'), step('x')]);
    expect(compareRuns(a, a)).toEqual({ partsAt: null, onlyA: [], onlyB: [], changed: [] });
    const b = run([step('t'), step('x', { error: 'boom' })]);
    expect(compareRuns(a, b).changed).toEqual([{ nodeId: 'x', a: null, b: 'boom' }]);
  });
});

describe("a step's output as the trace view prints it", () => {
  it('shows the named message properties a real run carried beside the payload', () => {
    const b = bench([
      flow(
        'f',
        [
          node('t', 'trigger.manual'),
          node('set', 'logic.transform', { properties: { command: '"on"', level: 'payload * 2' } }),
          node('log', 'action.log', { message: 'msg.command' }),
        ],
        [edge('t', 'set'), edge('set', 'log')],
      ),
    ]);
    b.engine.start();
    b.engine.runManual('f', 3);
    const out = stepsOf(b.traces[0], 'set')[0]!.outputs[0]!;
    expect(outputText(out, (v) => JSON.stringify(v))).toBe('out: 3\nmsg.command = "on"\nmsg.level = 6');
    // A message with no properties prints as before: port and payload only.
    expect(outputText({ port: 'true', payload: { a: 1 } }, (v) => JSON.stringify(v))).toBe('true: {"a":1}');
  });
});
