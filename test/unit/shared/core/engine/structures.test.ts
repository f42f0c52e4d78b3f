import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deque } from '../../../../../shared/core/engine/deque';
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
