/**
 * jsRandom(n) is Math.random() drawn anew each time the expression reaches it: every value is a
 * double in [0, 1), a map over a list draws once per element, and two draws of one evaluation are
 * independent (the argument only numbers the draw).
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../../../shared/core/expr/cel';

const context = { payload: null, topic: '', vars: {}, global: {}, roles: {}, now: 0 };

describe('jsRandom', () => {
  it('draws a uniform double in [0, 1) per evaluation', () => {
    const draw = compileExpression('jsRandom(1)');
    const values = Array.from({ length: 4000 }, () => draw(context) as number);
    expect(values.every((v) => typeof v === 'number' && v >= 0 && v < 1)).toBe(true);
    // Each quarter of [0, 1) holds about a quarter of the draws (a bound a uniform draw of 4,000
    // misses with probability far below 1e-9).
    for (let q = 0; q < 4; q++) {
      const share = values.filter((v) => v >= q / 4 && v < (q + 1) / 4).length / values.length;
      expect(share).toBeGreaterThan(0.2);
      expect(share).toBeLessThan(0.3);
    }
  });

  it('draws once per element in a map and anew for each call in one expression', () => {
    const list = compileExpression('[1, 2, 3, 4].map(x, jsRandom(1))')(context) as number[];
    expect(new Set(list).size).toBe(4);
    expect(compileExpression('jsRandom(1) == jsRandom(2)')(context)).toBe(false);
  });
});
