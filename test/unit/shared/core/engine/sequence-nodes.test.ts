import { describe, expect, it } from 'vitest';
import { bench, lastTrace, probeFlow, stepsOf } from './harness';

const probeInputs = (b: ReturnType<typeof bench>) =>
  b.traces.flatMap((t) => stepsOf(t, 'probe').map((s) => s.input));

describe('split, collect and JSON nodes, each as a manual trigger → node → probe flow', () => {
  it('split sends each list item, object value and text line on its own; other payloads pass', () => {
    const b = bench([probeFlow('logic.split', { separator: ',' })]);
    b.engine.start();
    b.engine.runManual('f', [1, 2, 3]);
    b.engine.runManual('f', 'a,b');
    b.engine.runManual('f', { x: 1, y: 2 });
    b.engine.runManual('f', 7);
    expect(probeInputs(b)).toEqual([1, 2, 3, 'a', 'b', 1, 2, 7]);
  });

  it('collect sends a list after count messages, or what it has after the time', () => {
    const b = bench([probeFlow('logic.collect', { count: 3, seconds: 10 })]);
    b.engine.start();
    for (const v of [1, 2, 3, 4]) b.engine.runManual('f', v);
    expect(probeInputs(b)).toEqual([[1, 2, 3]]);
    b.clock.advance(9_000);
    expect(probeInputs(b)).toHaveLength(1);
    b.clock.advance(1_000);
    expect(probeInputs(b)).toEqual([[1, 2, 3], [4]]);
  });

  it('json parses text and writes values, and fails on text that is not JSON', () => {
    const b = bench([probeFlow('logic.json', { mode: 'auto' })]);
    b.engine.start();
    b.engine.runManual('f', '{"on":true}');
    b.engine.runManual('f', { on: false });
    expect(probeInputs(b)).toEqual([{ on: true }, '{"on":false}']);
    b.engine.runManual('f', 'not json');
    expect(lastTrace(b)?.outcome).toBe('failed');
    expect(JSON.stringify(lastTrace(b))).toMatch(/not JSON/);
  });
});
