import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasWildcard, topicMatches } from '../../../../../shared/core/topics/match';

describe('topicMatches (MQTT 3.1.1 and 5.0 §4.7)', () => {
  it.each([
    // Exact levels, compared case-sensitively.
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
    ['ACCOUNTS', 'Accounts', false],
    // `+` is exactly one level, an empty one too.
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['+/+/POWER', 'stat/relay/POWER', true],
    ['stat/+/POWER', 'cmnd/relay/POWER', false],
    // `#` is its parent level and everything below it.
    ['sport/#', 'sport', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/tennis/#', 'sport/football', false],
    ['#', 'x/y', true],
    ['#', '/', true],
    // A filter starting with a wildcard never matches a topic starting with `$`.
    ['#', '$SYS/broker', false],
    ['+/monitor/Clients', '$SYS/monitor/Clients', false],
    ['+', '$SYS', false],
    ['$SYS/#', '$SYS/broker/clients', true],
    ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
    ['$SYS/broker', '$SYS/broker', true],
    // `$` further down a topic is an ordinary character.
    ['a/+', 'a/$b', true],
    ['a/#', 'a/$b/c', true],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  const level = fc.constantFrom('a', 'b', '', '$x');
  const topic = fc.array(level, { minLength: 1, maxLength: 5 }).map((levels) => levels.join('/'));

  it('matches every topic with itself, `#` every one not starting with `$`', () => {
    fc.assert(
      fc.property(topic, (t) => {
        expect(topicMatches(t, t)).toBe(true);
        expect(topicMatches('#', t)).toBe(!t.startsWith('$'));
      }),
    );
  });

  it('matches a topic with any filter made by putting `+` for some of its levels', () => {
    fc.assert(
      fc.property(topic, fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), (t, wild) => {
        const levels = t.split('/');
        const filter = levels.map((l, i) => (wild[i] ? '+' : l)).join('/');
        expect(topicMatches(filter, t)).toBe(!(wild[0] && t.startsWith('$')));
        expect(topicMatches(`${filter}/#`, t)).toBe(!(wild[0] && t.startsWith('$')));
        expect(topicMatches(`${filter}/+`, t)).toBe(false);
      }),
    );
  });

  it('knows which filters need matching', () => {
    expect(hasWildcard('a/+/c')).toBe(true);
    expect(hasWildcard('a/#')).toBe(true);
    expect(hasWildcard('a/b')).toBe(false);
  });
});
