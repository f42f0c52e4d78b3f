import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotJsonError, canonicalize, stableStringify } from '../../../../../shared/core/project';

describe('stableStringify', () => {
  it('sorts keys at every depth, keeps array order, indents by two and ends with a newline', () => {
    const text = stableStringify({ b: 1, a: { d: [3, 1, 2], c: null } });
    expect(text).toBe(
      '{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      1,\n      2\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  it('gives the same bytes whatever order keys were inserted in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (dict) => {
        const reversed = Object.fromEntries(Object.entries(dict).reverse());
        expect(stableStringify(reversed)).toBe(stableStringify(dict));
      }),
    );
  });

  it('round-trips every JSON value: parse(stringify(v)) is v with keys sorted', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = stableStringify(value);
        expect(stableStringify(JSON.parse(text))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('drops undefined members and refuses values JSON cannot hold, naming where', () => {
    expect(stableStringify({ a: undefined, b: 1 })).toBe('{\n  "b": 1\n}\n');
    expect(() => canonicalize({ a: { b: Number.NaN } })).toThrow(
      new NotJsonError('/a/b', 'NaN is not a JSON number'),
    );
    expect(() => canonicalize({ when: new Date(0) })).toThrow(/\/when: only plain objects/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic)).toThrow(/\/self: the value refers to itself/);
  });
});
