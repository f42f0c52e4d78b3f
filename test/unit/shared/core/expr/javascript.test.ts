/**
 * The js… and json… CEL functions give what JavaScript gives: each is run on a matrix of JSON
 * values (text that is and is not a number, NaN-giving input, null, objects, lists) against the
 * JavaScript built-in itself, and fails where JavaScript throws.
 */
import { describe, expect, it } from 'vitest';
import { checkExpression, compileExpression } from '../../../../../shared/core/expr/cel';
import { celLiteral } from '../../../../../shared/core/nodered/values';

const VALUES: unknown[] = [
  0,
  1,
  -1.5,
  2.5,
  1e21,
  '',
  ' ',
  '0',
  '1',
  ' 7 ',
  '2.5abc',
  '0x10',
  '1e3',
  'abc',
  'on',
  'Infinity',
  true,
  false,
  null,
  {},
  { a: 1 },
  [],
  [1],
  ['on'],
  [1, 2],
  [[]],
];

/** Evaluates `source` with payload and vars.b set; 'threw' where the expression fails. */
const run = (source: string, payload: unknown, b: unknown = null): unknown => {
  try {
    return compileExpression(source)({ payload, topic: '', vars: { b }, global: {}, roles: {}, now: 0 });
  } catch {
    return 'threw';
  }
};
const js = (f: () => unknown): unknown => {
  try {
    return f();
  } catch {
    return 'threw';
  }
};

describe('JavaScript functions in CEL', () => {
  it('jsEquals is JavaScript’s == for every pair of JSON values but two objects', () => {
    let compared = 0;
    for (const a of VALUES)
      for (const b of VALUES) {
        const objects = a !== null && typeof a === 'object' && b !== null && typeof b === 'object';
        const expected = objects ? 'threw' : a == b;
        expect(run('jsEquals(payload, vars.b)', a, b), `${JSON.stringify(a)} == ${JSON.stringify(b)}`).toBe(
          expected,
        );
        // Literals in the expression (ints, doubles, text) compare the same as values passed in.
        if (!objects)
          expect(
            run(`jsEquals(payload, ${celLiteral(b)})`, a),
            `${JSON.stringify(a)} == ${celLiteral(b)}`,
          ).toBe(expected);
        compared++;
      }
    expect(compared).toBe(VALUES.length ** 2);
    expect(run('jsEquals(payload, 1)', '1')).toBe(true);
    expect(run('jsEquals(payload, "1,2")', [1, 2])).toBe(true);
  });

  it('Number, parseInt, parseFloat and Math give JavaScript’s numbers, NaN included', () => {
    const cases: [string, (x: unknown) => unknown][] = [
      ['jsNumber(payload)', (x) => Number(x)],
      ['jsParseInt(payload)', (x) => parseInt(x as string)],
      ['jsParseInt(payload, 16)', (x) => parseInt(x as string, 16)],
      ['jsParseFloat(payload)', (x) => parseFloat(x as string)],
      ['jsRound(payload)', (x) => Math.round(x as number)],
      ['jsFloor(payload)', (x) => Math.floor(x as number)],
      ['jsCeil(payload)', (x) => Math.ceil(x as number)],
      ['jsAbs(payload)', (x) => Math.abs(x as number)],
      ['jsTrunc(payload)', (x) => Math.trunc(x as number)],
      ['jsMax(payload, 2)', (x) => Math.max(x as number, 2)],
      ['jsMin(payload, 2)', (x) => Math.min(x as number, 2)],
      ['jsPow(payload, 2)', (x) => Math.pow(x as number, 2)],
    ];
    for (const [source, f] of cases)
      for (const x of VALUES) expect(run(source, x), `${source} of ${JSON.stringify(x)}`).toEqual(f(x));
    expect(run('jsNumber(payload) == jsNumber(payload)', 'abc')).toBe(false);
    expect(run('jsRound(payload)', 2.5)).toBe(3);
  });

  it('jsonParse and jsonStringify are JSON.parse and JSON.stringify, bounded', () => {
    for (const x of [...VALUES, '{"a":[1,{"b":null}]}', '[1,', '"x"', '{"a":1}'])
      expect(run('jsonParse(payload)', x), JSON.stringify(x)).toEqual(js(() => JSON.parse(x as string)));
    for (const x of VALUES) expect(run('jsonStringify(payload)', x)).toBe(JSON.stringify(x));
    expect(run('jsonStringify(payload, 2)', { a: [1] })).toBe(JSON.stringify({ a: [1] }, null, 2));
    expect(run('jsonParse(payload).a', '{"a":2}')).toBe(2);
    // Nesting past the bound fails rather than building it.
    expect(run('jsonParse(payload)', `${'['.repeat(100)}${']'.repeat(100)}`)).toBe('threw');
  });

  it('jsMethod calls the built-in method the value has, failing where JavaScript throws', () => {
    const calls: [string, unknown[]][] = [
      ['toUpperCase', []],
      ['trim', []],
      ['includes', ['n']],
      ['includes', [1]],
      ['indexOf', ['o']],
      ['slice', [1]],
      ['substring', [0, 2]],
      ['split', [',']],
      ['replace', ['o', '$&$&']],
      ['toFixed', [1]],
      ['toString', []],
      ['join', ['-']],
      ['hasOwnProperty', ['a']],
      ['padStart', [4, '0']],
    ];
    for (const [name, args] of calls)
      for (const x of VALUES) {
        const source = `jsMethod(payload, ${JSON.stringify(name)}, ${celLiteral(args)})`;
        const expected = js(() => {
          const fn = (Object(x) as Record<string, (...a: unknown[]) => unknown>)[name];
          if (x === null) throw new TypeError('null');
          return fn!.apply(x, args);
        });
        expect(run(source, x), `${JSON.stringify(x)}.${name}(${args.join()})`).toEqual(expected);
      }
    // Nothing outside the list runs, even where JavaScript has the method.
    expect(run('jsMethod(payload, "repeat", [3])', 'ab')).toBe('threw');
    expect(run('jsMethod(payload, "padStart", [9999999, "x"])', 'ab')).toBe('threw');
  });

  it('jsGet and jsLength read as JavaScript does, failing where it gives undefined', () => {
    for (const x of VALUES)
      for (const key of ['a', 0, '0', 1, 'length', 1.5]) {
        const expected = js(() => {
          const v = (x as Record<PropertyKey, unknown>)[key];
          if (v === undefined || typeof v === 'function') throw new TypeError('undefined');
          return v;
        });
        expect(run('jsGet(payload, vars.b)', x, key), `${JSON.stringify(x)}[${JSON.stringify(key)}]`).toEqual(
          expected,
        );
      }
    for (const x of [...VALUES, '😀', { length: 'x' }, { length: 2 }])
      expect(run('jsLength(payload)', x), JSON.stringify(x)).toBe(
        js(() => {
          const n = (x as { length?: unknown }).length;
          if (typeof n !== 'number') throw new TypeError('undefined');
          return n;
        }),
      );
  });

  it('jsTruthy is JavaScript’s truthiness, NaN falsy', () => {
    for (const x of [...VALUES, NaN]) expect(run('jsTruthy(payload)', x), JSON.stringify(x)).toBe(Boolean(x));
    expect(run('jsTruthy(jsNumber(payload))', 'abc')).toBe(false);
    expect(run('jsTruthy(0)', null)).toBe(false);
  });

  it('jsDefined reads a property the way JavaScript does, throwing on null', () => {
    for (const x of VALUES)
      expect(run('jsDefined(payload, "a")', x), JSON.stringify(x)).toBe(
        js(() => (x as Record<string, unknown>).a !== undefined),
      );
    expect(run('jsDefined(payload, "length")', 'abc')).toBe(true);
  });

  it('type-checks where flows are drawn, with the result types the gateway gives', () => {
    const scope = { payload: {}, roles: [] };
    expect(checkExpression('jsEquals(payload, "on")', scope, 'bool')).toEqual({ ok: true, type: 'bool' });
    expect(checkExpression('jsRound(payload) + 1', scope)).toEqual({ ok: true, type: 'double' });
    expect(checkExpression('jsonParse(payload).temp > 3.0', scope)).toMatchObject({ ok: true });
    expect(checkExpression('jsEquals(payload)', scope)).toMatchObject({ ok: false });
  });
});
