import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OutEdge } from '../../../../../shared/core/engine/deploy';
import { Deque } from '../../../../../shared/core/engine/deque';
import { HopQueue } from '../../../../../shared/core/engine/hops';
import { ActiveRuns, type Run } from '../../../../../shared/core/engine/run';
import { TopicIndex } from '../../../../../shared/core/engine/topic';

describe('Deque', () => {
  it('behaves like an array queue under any mix of pushes and shifts', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 300 }), (ops) => {
        const deque = new Deque<number>(4);
        const model: number[] = [];
        for (const op of ops) {
          if (op === null) expect(deque.shift()).toBe(model.shift());
          else {
            deque.push(op);
            model.push(op);
          }
          expect(deque.size).toBe(model.length);
        }
      }),
    );
  });
});

describe('HopQueue', () => {
  it('gives back every hop in order under any mix of pushes and shifts, across growth and wrap-around', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -1, max: 1000 }), fc.constant(null)), { maxLength: 300 }),
        (ops) => {
          const queue = new HopQueue(4);
          const model: {
            run: Run;
            edge: OutEdge;
            message: { payload: number };
            hops: number;
            parent: number;
          }[] = [];
          for (const op of ops) {
            if (op === null) {
              const expected = model.shift();
              const hop = queue.shift();
              if (!expected) expect(hop).toBeUndefined();
              else expect({ ...hop }).toEqual(expected);
            } else {
              const hop = {
                run: { id: `r${op}` } as unknown as Run,
                edge: { edgeId: `e${op}` } as unknown as OutEdge,
                message: { payload: op },
                hops: op + 1,
                parent: op,
              };
              queue.push(hop.run, hop.edge, hop.message, hop.hops, hop.parent);
              model.push(hop);
            }
            expect(queue.size).toBe(model.length);
          }
        },
      ),
    );
  });
});

describe('ActiveRuns', () => {
  it('behaves like a Set of runs in insertion order under any mix of adds and deletes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 200 }), (ops) => {
        const runs = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}` }) as unknown as Run);
        const list = new ActiveRuns();
        const model = new Set<Run>();
        for (const i of ops) {
          const run = runs[i]!;
          if (model.has(run)) {
            expect(list.delete(run)).toBe(true);
            model.delete(run);
          } else {
            list.add(run);
            model.add(run);
          }
          expect(list.size).toBe(model.size);
          expect([...list]).toEqual([...model]);
        }
        for (const run of runs) if (!model.has(run)) expect(list.delete(run)).toBe(false);
      }),
    );
  });
});

describe('MQTT topic filters', () => {
  it('indexes exact and wildcard filters', () => {
    const index = new TopicIndex<string>();
    index.add('a/b', 'exact');
    index.add('a/+', 'wild');
    expect(index.match('a/b')).toEqual(['exact', 'wild']);
    expect(index.match('a/c')).toEqual(['wild']);
    index.add('#', 'all');
    expect(index.match('a/c')).toEqual(['wild', 'all']);
    expect(index.match('$SYS/broker')).toEqual([]);
    expect(index.filters().sort()).toEqual(['#', 'a/+', 'a/b']);
  });
});
