import { describe, expect, it } from 'vitest';
import { diffPayloads, numericValues, publishableTopic } from '../../../../../shared/core/topics/payload';
import { createTopicStore } from '../../../../../shared/core/topics/store';

describe('the inspector topic store', () => {
  it('keeps a bounded ring per topic, oldest first, and reports only changed topics', () => {
    const store = createTopicStore({ historyPerTopic: 3 });
    for (let i = 1; i <= 5; i++) store.add('a/t', String(i), 1, false, 0, i);
    store.add('a/r', 'x', 1, true, 1, 9);
    expect(store.history('a/t').map((m) => m.text)).toEqual(['3', '4', '5']);
    const changed = store.takeChanged();
    expect(changed.map((t) => [t.topic, t.count, t.retained]).sort()).toEqual([
      ['a/r', 1, true],
      ['a/t', 5, false],
    ]);
    expect(store.takeChanged()).toEqual([]);
    // After `after`, only newer messages.
    const seq4 = store.history('a/t')[1]!.seq;
    expect(store.history('a/t', seq4).map((m) => m.text)).toEqual(['5']);
  });

  it('an empty retained delivery clears the flag; a live message leaves it as it was', () => {
    const store = createTopicStore();
    store.add('x', 'on', 2, true, 0, 1);
    store.add('x', 'off', 3, false, 0, 2);
    expect(store.summary('x')?.retained).toBe(true);
    store.add('x', '', 0, true, 0, 3);
    expect(store.summary('x')?.retained).toBe(false);
  });

  it('stays within its character budget by trimming the topics updated longest ago, and counts topics past the limit', () => {
    const store = createTopicStore({
      historyPerTopic: 50,
      maxPayloadChars: 100,
      maxStoredChars: 5000,
      maxTopics: 30,
    });
    const payload = 'p'.repeat(150);
    for (let round = 0; round < 20; round++)
      for (let t = 0; t < 40; t++) store.add(`t/${t}`, payload, 150, false, 0, round);
    const stats = store.stats();
    expect(stats.storedChars).toBeLessThanOrEqual(5000);
    // The topics updated most recently keep more history than those updated longest ago.
    expect(store.history('t/29').length).toBeGreaterThan(1);
    expect(store.history('t/0')).toHaveLength(1);
    expect(stats.topics).toBe(30);
    expect(stats.droppedTopics).toBe(10 * 20);
    expect(stats.messages).toBe(800);
    // Every kept topic still has its latest message, cut to the payload limit.
    const last = store.history('t/0').at(-1)!;
    expect(last).toMatchObject({ truncated: true, size: 150 });
    expect(last.text).toHaveLength(100);
    // A budget smaller than one message per topic still keeps every topic's latest message.
    const tight = createTopicStore({ maxPayloadChars: 100, maxStoredChars: 500 });
    for (let t = 0; t < 40; t++) for (let r = 0; r < 3; r++) tight.add(`t/${t}`, payload, 150, false, 0, r);
    expect(tight.stats().storedChars).toBe(40 * 100);
    expect(tight.history('t/39').length).toBe(1);
  });
});

describe('payload reading', () => {
  it('finds numbers in plain and JSON payloads, never in words', () => {
    expect([...numericValues('21.5')]).toEqual([['', 21.5]]);
    expect([...numericValues('{"DS18B20":{"Temperature":20.6},"TempUnit":"C","on":true}')]).toEqual([
      ['DS18B20.Temperature', 20.6],
      ['on', 1],
    ]);
    expect([...numericValues('ON')]).toEqual([]);
    expect([...numericValues('"7"')]).toEqual([['', 7]]);
  });

  it('diffs JSON objects by path and other payloads as a whole', () => {
    expect(diffPayloads('{"a":1,"b":{"c":2},"d":3}', '{"a":1,"b":{"c":4},"e":5}')).toEqual([
      { path: 'b.c', kind: 'changed', before: '2', after: '4' },
      { path: 'd', kind: 'removed', before: '3' },
      { path: 'e', kind: 'added', after: '5' },
    ]);
    expect(diffPayloads('ON', 'OFF')).toEqual([{ path: '', kind: 'changed', before: 'ON', after: 'OFF' }]);
    expect(diffPayloads('same', 'same')).toEqual([]);
  });

  it('refuses topics that cannot be published to', () => {
    expect(publishableTopic('a/b')).toBeNull();
    expect(publishableTopic('a/#')).toMatch(/wildcards/);
    expect(publishableTopic('')).toMatch(/Enter a topic/);
  });
});
