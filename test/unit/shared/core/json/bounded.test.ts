import { describe, expect, it } from 'vitest';
import { depthOf, parseJsonOrThrow, parseJsonWithin } from '../../../../../shared/core/json/bounded';
import { parseRfc3339 } from '../../../../../shared/core/time/rfc3339';

describe('bounded JSON', () => {
  it('parses ordinary documents and counts depth without recursion', () => {
    expect(parseJsonWithin('{"a":[1,{"b":"[[[["}]}')).toEqual({ ok: true, value: { a: [1, { b: '[[[[' }] } });
    expect(depthOf(JSON.parse(`${'['.repeat(50_000)}${']'.repeat(50_000)}`) as unknown, 64)).toBe(65);
  });

  it('refuses nesting past the limit with its line and column, before JSON.parse', () => {
    const text = `{\n  "a": ${'['.repeat(70)}${']'.repeat(70)}\n}`;
    const result = parseJsonWithin(text);
    expect(result).toMatchObject({ ok: false, problem: { reason: 'depth', line: 2, column: 71 } });
    expect(parseJsonWithin(text, { maxDepth: 80 }).ok).toBe(true);
    // Brackets inside strings, escaped quotes included, do not count.
    expect(parseJsonWithin(`{"s":"\\"${'['.repeat(100)}"}`).ok).toBe(true);
  });

  it('locates syntax errors and refuses oversized text', () => {
    expect(parseJsonWithin('{\n "a": 1,\n}')).toMatchObject({
      ok: false,
      problem: { reason: 'syntax', line: 3, column: 1 },
    });
    expect(parseJsonWithin('[1,2,3]', { maxLength: 3 })).toMatchObject({
      ok: false,
      problem: { reason: 'size' },
    });
    expect(() => parseJsonOrThrow('[', 'project.malformed_json', 'flows/a.json')).toThrow(
      /flows\/a\.json: it is not valid JSON \(line 1/,
    );
  });
});

describe('strict RFC 3339', () => {
  it('accepts real times with offsets and fractions', () => {
    expect(parseRfc3339('2026-06-01T00:00:00Z')).toBe(Date.UTC(2026, 5, 1));
    expect(parseRfc3339('2026-06-01T02:30:00.250+02:30')).toBe(Date.UTC(2026, 5, 1, 0, 0, 0, 250));
    expect(parseRfc3339('2024-02-29T23:59:59Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
  });

  it('refuses what Date.parse would turn into NaN or quietly roll over', () => {
    for (const text of [
      '2020-13-45T99:99:99Z',
      '2023-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-06-01T24:00:00Z',
      '2026-06-01',
      '2026-06-01T00:00:00',
      '2026-06-01T00:00:00+25:00',
      ' 2026-06-01T00:00:00Z',
      12345,
    ])
      expect(parseRfc3339(text), String(text)).toBeUndefined();
  });
});
