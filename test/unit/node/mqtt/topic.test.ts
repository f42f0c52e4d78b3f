import { describe, expect, it } from 'vitest';
import { hasWildcard, topicMatches } from '../../../../shared/node/mqtt/topic';

describe('topicMatches', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['+/+/POWER', 'stat/relay/POWER', true],
    ['stat/+/POWER', 'cmnd/relay/POWER', false],
    ['#', '$SYS/broker', false],
    ['+/broker', '$SYS/broker', false],
    ['$SYS/#', '$SYS/broker', true],
    ['a/b', 'a/b/c', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it('knows which filters need matching', () => {
    expect(hasWildcard('a/+/c')).toBe(true);
    expect(hasWildcard('a/#')).toBe(true);
    expect(hasWildcard('a/b')).toBe(false);
  });
});
