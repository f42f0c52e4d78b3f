import { describe, expect, it } from 'vitest';
import { createInboundQueue } from '../../../../../shared/node/gateway/inbound';

const nextTurn = () => new Promise((r) => setImmediate(r));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 1000 && !check(); i++) await nextTurn();
};

describe('inbound queue', () => {
  it('hands a message over at once while nothing waits', () => {
    const seen: string[] = [];
    const queue = createInboundQueue((_t, p) => seen.push(p.toString()), { batch: 4 });
    queue.deliver('a', Buffer.from('1'));
    expect(seen).toEqual(['1']);
    expect(queue.stats()).toEqual({ queued: 0, peak: 0, dropped: 0, paused: 0 });
  });

  it('holds a burst past one batch per turn and hands it over in order between turns', async () => {
    const seen: number[] = [];
    const queue = createInboundQueue((_t, p) => seen.push(Number(p.toString())), { batch: 4 });
    for (let i = 0; i < 10; i++) queue.deliver('a', Buffer.from(String(i)));
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(queue.stats().queued).toBe(6);
    await nextTurn();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // a message arriving while others wait queues behind them
    queue.deliver('a', Buffer.from('10'));
    await until(() => seen.length === 11);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(queue.stats()).toEqual({ queued: 0, peak: 6, dropped: 0, paused: 0 });
    // the next turn starts a fresh slice: handled at once again
    await nextTurn();
    queue.deliver('a', Buffer.from('11'));
    expect(seen.at(-1)).toBe(11);
  });

  it('is full at its high-water mark and says when it drained to its low-water mark; it never drops', async () => {
    const seen: number[] = [];
    let drained = 0;
    const queue = createInboundQueue((_t, p) => seen.push(Number(p.toString())), {
      batch: 2,
      highWater: 4,
      lowWater: 1,
      onDrained: () => drained++,
    });
    for (let i = 0; i < 5; i++) queue.deliver('a', Buffer.from(String(i)));
    expect(queue.full).toBe(false);
    queue.deliver('a', Buffer.from('5'));
    expect(queue.full).toBe(true);
    expect(queue.stats()).toMatchObject({ queued: 4, peak: 4, paused: 1 });
    // whoever feeds it goes on while full: nothing is dropped, the link is what stops
    queue.deliver('a', Buffer.from('6'));
    await nextTurn();
    expect(queue.full).toBe(true);
    expect(drained).toBe(0);
    await nextTurn();
    expect(queue.full).toBe(false);
    expect(drained).toBe(1);
    await until(() => queue.stats().queued === 0);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(queue.stats()).toMatchObject({ dropped: 0, paused: 1 });
  });

  it('is full when its payload bytes reach their bound, however few messages wait', async () => {
    const seen: string[] = [];
    let drained = 0;
    const queue = createInboundQueue((_t, p) => seen.push(p.toString()), {
      batch: 1,
      highWater: 100,
      lowWater: 50,
      highWaterBytes: 10,
      onDrained: () => drained++,
    });
    for (const p of ['aaaa', 'bbbb', 'cccc']) queue.deliver('a', Buffer.from(p));
    // the first was handled at once; 8 bytes wait
    expect(queue.full).toBe(false);
    queue.deliver('a', Buffer.from('dddd'));
    expect(queue.full).toBe(true);
    expect(queue.stats()).toMatchObject({ queued: 3, paused: 1 });
    // it resumes only once a quarter of the bytes (2.5) is left: here, when nothing waits
    await nextTurn();
    await nextTurn();
    expect(queue.full).toBe(true);
    await until(() => !queue.full);
    expect(queue.stats().queued).toBe(0);
    expect(drained).toBe(1);
    expect(seen).toEqual(['aaaa', 'bbbb', 'cccc', 'dddd']);
  });

  it('holds a burst of ten thousand small messages by default without pausing the link', () => {
    const queue = createInboundQueue(() => {});
    for (let i = 0; i < 10_000; i++) queue.deliver('poison/burst', Buffer.from(`{"n":${i}}`));
    expect(queue.full).toBe(false);
    expect(queue.stats().paused).toBe(0);
    queue.clear();
  });
});
