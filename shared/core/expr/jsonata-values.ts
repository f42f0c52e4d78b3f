/**
 * CEL functions that give JSONata's own results, so a Node-RED JSONata expression translates to
 * CEL exactly (shared/core/nodered/jsonata.ts). JSONata has a value CEL lacks: "no value" (a path
 * to a missing field), which an operator passes on and an object constructor leaves out. These
 * functions carry a JSONata value as a list of none or one value (`[]` is no value, `[x]` is x),
 * and where JSONata throws (adding text, comparing a number with text) they throw. Inputs and
 * results are bounded like the JavaScript functions' (javascript.ts); bytes and timestamps are
 * refused.
 *
 * jsonataPath(root, ["a", "b"])    root.a.b with JSONata's mapping over lists and flattening
 * jsonataGet(map, "key")           one key of vars or global, or no value
 * jsonataArith("+", a, b)          + - * / % on numbers; no value when either has none
 * jsonataNegate(a)                 -a           jsonataEquals("=", a, b)   = and !=
 * jsonataOrder("<", a, b)          < <= > >= of numbers or texts; no value when either has none
 * jsonataIn(a, [x, y])             a in [x, y], of written scalars (compared with ===)
 * jsonataTruthy(a)                 the truth of a as `and`, `or` and `? :` read it
 * jsonataIsTrue(a)                 a is the boolean true (a switch's JSONata rule)
 * jsonataConcat(a, b)              a & b        jsonataObject({"k": a})   {"k": a} without empty keys
 * jsonataItems(a)                  what `[a]` holds of a (a list is spliced in)
 * jsonataString/Number/Boolean/Not/Round/Floor/Ceil/Abs/Uppercase/Lowercase/Length/
 * Substring/SubstringBefore/SubstringAfter/Trim/Contains/Count/Join/Sum/Max/Min/Average(a, …)
 *                                  the function of the same name, `$string(a)` …
 * jsonataNow(now)                  `$now()`: the time as ISO 8601 text
 */
import type { Environment } from '@marcbachmann/cel-js';
import { MAX_JS_TEXT, plainValue } from './javascript';

/** A CEL value as the plain JSON value JSONata would hold. */
const plain = (value: unknown): unknown => plainValue(value, 'JSONata equivalent here');

/** The value a JSONata value list holds, or undefined for none. */
const valueOf = (list: unknown): unknown => {
  if (!Array.isArray(list) || list.length > 1) throw new TypeError('not a JSONata value (a list of 0 or 1)');
  return list.length ? plain(list[0]) : undefined;
};

const some = (value: unknown): unknown[] => (value === undefined ? [] : [value]);

const fail = (code: string, message: string): never => {
  throw new TypeError(`${message} (JSONata ${code})`);
};

const SEQUENCE = Symbol('sequence');
type Sequence = unknown[] & { [SEQUENCE]?: true };
const sequence = (items: unknown[]): Sequence => Object.assign(items, { [SEQUENCE]: true as const });
const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

// A field of a value: of an object its own key; of a list the field of each item, flattened
// into a sequence; of anything else no value.
const lookup = (input: unknown, key: string): unknown => {
  if (Array.isArray(input)) {
    const out: unknown[] = [];
    for (const item of input) {
      const r = lookup(item, key);
      if (r === undefined) continue;
      if (Array.isArray(r)) out.push(...(r as unknown[]));
      else out.push(r);
    }
    return sequence(out);
  }
  if (input !== null && typeof input === 'object')
    return own(input, key) ? (input as Record<string, unknown>)[key] : undefined;
  return undefined;
};

/** A path of field names from a value, as JSONata steps through it. */
const path = (root: unknown, names: unknown): unknown[] => {
  const steps = plain(names);
  if (!Array.isArray(steps) || steps.some((s) => typeof s !== 'string'))
    throw new TypeError('a path is a list of field names');
  let inputs: unknown[] = [plain(root)];
  for (let i = 0; i < steps.length; i++) {
    const results = inputs.map((item) => lookup(item, steps[i] as string)).filter((r) => r !== undefined);
    const only = results[0];
    // The last step's one list (not a sequence of several) is the result as it is.
    if (
      i === steps.length - 1 &&
      results.length === 1 &&
      Array.isArray(only) &&
      !(only as Sequence)[SEQUENCE]
    )
      return [only];
    inputs = results.flatMap((r) => (Array.isArray(r) ? r : [r]));
  }
  if (inputs.length === 0) return [];
  return inputs.length === 1 ? [inputs[0]] : [[...inputs]];
};

const isNumber = (v: unknown): v is number => {
  if (typeof v !== 'number' || Number.isNaN(v)) return false;
  if (!Number.isFinite(v)) fail('D1001', `number out of range: ${v}`);
  return true;
};

const ARITH: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};

const arith = (op: string, a: unknown, b: unknown): unknown[] => {
  const f = ARITH[op] ?? fail('-', `no operator ${op}`);
  const [x, y] = [valueOf(a), valueOf(b)];
  if (x !== undefined && !isNumber(x)) fail('T2001', `the left side of ${op} is not a number`);
  if (y !== undefined && !isNumber(y)) fail('T2002', `the right side of ${op} is not a number`);
  return x === undefined || y === undefined ? [] : [f(x as number, y as number)];
};

const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const list = b as unknown[];
    return a.length === list.length && a.every((v, i) => deepEqual(v, list[i]));
  }
  const [ka, kb] = [Object.keys(a), Object.keys(b)];
  return ka.length === kb.length && ka.every((k) => own(b, k) && deepEqual((a as never)[k], (b as never)[k]));
};

const ORDER: Record<string, (a: never, b: never) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** `=` and `!=`: false where either side has no value. */
const equality = (op: string, a: unknown, b: unknown): boolean => {
  const [x, y] = [valueOf(a), valueOf(b)];
  if (op !== '=' && op !== '!=') fail('-', `no comparison ${op}`);
  if (x === undefined || y === undefined) return false;
  return deepEqual(x, y) === (op === '=');
};

/** `<`, `<=`, `>`, `>=`: of two numbers or two texts; no value where either side has none. */
const order = (op: string, a: unknown, b: unknown): unknown[] => {
  const [x, y] = [valueOf(a), valueOf(b)];
  const f = ORDER[op] ?? fail('-', `no comparison ${op}`);
  const comparable = (v: unknown) => v === undefined || typeof v === 'string' || isNumber(v);
  if (!comparable(x) || !comparable(y)) fail('T2010', `${op} compares only numbers and text`);
  if (x === undefined || y === undefined) return [];
  if (typeof x !== typeof y) fail('T2009', `${op} between a number and text`);
  return [f(x as never, y as never)];
};

/** JSONata's truth of a value (`$boolean`); undefined for no value. */
const truth = (v: unknown): boolean | undefined => {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.length === 1 ? truth(v[0]) : v.some((x) => truth(x) === true);
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return false;
};

/** JSONata's text of a value (`$string`): numbers to 15 significant digits, the rest as JSON. */
const text = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && !Number.isFinite(v)) fail('D3001', 'a number that is not finite has no text');
  const out = JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'number' && !Number.isNaN(x) ? Number(x.toPrecision(15)) : x,
  );
  return bounded(out);
};

const bounded = (s: string): string => {
  if (s.length > MAX_JS_TEXT) throw new RangeError(`text longer than ${MAX_JS_TEXT} characters`);
  return s;
};

const DECIMAL = /^-?(0|([1-9][0-9]*))(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;
const PREFIXED = /^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/;

const toNumber = (v: unknown): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && DECIMAL.test(v) && Number.isFinite(parseFloat(v))) return parseFloat(v);
  if (typeof v === 'string' && PREFIXED.test(v)) return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return fail('D3030', 'the value cannot be read as a number');
};

/** Moves the decimal point `places` to the right in decimal text, so rounding sees the digits written. */
const shift = (n: number, places: number): number => {
  const [mantissa, exponent] = String(n).split('e');
  return Number(`${mantissa}e${Number(exponent ?? 0) + places}`);
};

/** Rounds half to even at `places` decimals, as `$round` does. */
const round = (n: number, places: number): number => {
  const scaled = places ? shift(n, places) : n;
  let r = Math.round(scaled);
  if (Math.abs(r - scaled) === 0.5 && Math.abs(r % 2) === 1) r -= 1;
  const out = places ? shift(r, -places) : r;
  return Object.is(out, -0) ? 0 : out;
};

const numberArg = (v: unknown, name: string): number =>
  isNumber(v) ? v : fail('T0410', `$${name} takes a number`);
const textArg = (v: unknown, name: string): string =>
  typeof v === 'string' ? v : fail('T0410', `$${name} takes text`);

/** A one-argument JSONata function: no value gives no value. */
const unary = (f: (v: unknown) => unknown) => (a: unknown) => {
  const v = valueOf(a);
  return v === undefined ? [] : [f(v)];
};

const substring = (a: unknown, start: unknown, length?: unknown): unknown[] => {
  const s = valueOf(a);
  if (s === undefined) return [];
  const chars = Array.from(textArg(s, 'substring'));
  let from = numberArg(valueOf(start), 'substring');
  if (chars.length + from < 0) from = 0;
  if (length === undefined) return [chars.slice(from).join('')];
  const n = numberArg(valueOf(length), 'substring');
  if (n <= 0) return [''];
  const end = from >= 0 ? from + n : chars.length + from + n;
  return [chars.slice(from, end).join('')];
};

const before = (v: unknown, chars: string): string => {
  const s = textArg(v, 'substringBefore');
  const at = s.indexOf(chars);
  return at > -1 ? s.slice(0, at) : s;
};

const after = (v: unknown, chars: string): string => {
  const s = textArg(v, 'substringAfter');
  const at = s.indexOf(chars);
  return at > -1 ? s.slice(at + chars.length) : s;
};

/** Runs of spaces, tabs and line breaks become one space, none at either end (`$trim`). */
const trim = (v: unknown): string =>
  textArg(v, 'trim')
    .replace(/[ \t\n\r]+/gm, ' ')
    .replace(/^ | $/g, '');

/** A value as the list a list-taking function reads: one value is a list of it; each item checked. */
const itemsOf = <T>(v: unknown, name: string, ok: (x: unknown) => x is T): T[] => {
  const list = Array.isArray(v) ? v : [v];
  if (!list.every(ok)) fail('T0412', `$${name} takes a list of ${name === 'join' ? 'texts' : 'numbers'}`);
  return list as T[];
};
const isText = (x: unknown): x is string => typeof x === 'string';

/** `$max`, `$min`, `$average` of numbers: no value for an empty list. */
const numbersTo = (name: string, f: (xs: number[]) => number) => (a: unknown) => {
  const v = valueOf(a);
  if (v === undefined) return [];
  const xs = itemsOf(v, name, isNumber);
  return xs.length ? [f(xs)] : [];
};

const object = (entries: unknown): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  const pairs = entries instanceof Map ? [...entries] : Object.entries(entries as object);
  for (const [k, v] of pairs) {
    const value = valueOf(v);
    if (value !== undefined) out[String(k)] = value;
  }
  return out;
};

/** Registers the functions on an environment (both the gateway's and the design-time checker's). */
export const withJsonata = (env: Environment): Environment =>
  env
    .registerFunction('jsonataPath(dyn, list): list', path)
    .registerFunction('jsonataGet(dyn, string): list', (o: unknown, key: string) => {
      const map = plain(o);
      return map !== null && typeof map === 'object' && own(map, key)
        ? some((map as Record<string, unknown>)[key])
        : [];
    })
    .registerFunction('jsonataArith(string, list, list): list', arith)
    .registerFunction(
      'jsonataNegate(list): list',
      unary((v) => (isNumber(v) ? -v : fail('D1002', 'only a number can be negated'))),
    )
    .registerFunction('jsonataEquals(string, list, list): bool', equality)
    .registerFunction('jsonataOrder(string, list, list): list', order)
    // `in` compares with ===; the translation passes only written texts, numbers, booleans and null.
    .registerFunction('jsonataIn(list, list): bool', (a: unknown, b: unknown) => {
      const x = valueOf(a);
      return x !== undefined && (plain(b) as unknown[]).some((y) => y === x);
    })
    .registerFunction('jsonataTruthy(list): bool', (a: unknown) => truth(valueOf(a)) === true)
    .registerFunction('jsonataIsTrue(list): bool', (a: unknown) => valueOf(a) === true)
    .registerFunction('jsonataConcat(list, list): string', (a: unknown, b: unknown) => {
      const [x, y] = [valueOf(a), valueOf(b)];
      return bounded((x === undefined ? '' : text(x)) + (y === undefined ? '' : text(y)));
    })
    .registerFunction('jsonataObject(map): map', object)
    .registerFunction('jsonataItems(list): list', (a: unknown) => {
      const v = valueOf(a);
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    })
    .registerFunction('jsonataString(list): list', unary(text))
    .registerFunction('jsonataNumber(list): list', unary(toNumber))
    .registerFunction('jsonataBoolean(list): list', unary(truth))
    .registerFunction(
      'jsonataNot(list): list',
      unary((v) => !truth(v)),
    )
    .registerFunction('jsonataRound(list, double): list', (a: unknown, places: unknown) =>
      unary((v) => round(numberArg(v, 'round'), Number(places)))(a),
    )
    .registerFunction(
      'jsonataFloor(list): list',
      unary((v) => Math.floor(numberArg(v, 'floor'))),
    )
    .registerFunction(
      'jsonataCeil(list): list',
      unary((v) => Math.ceil(numberArg(v, 'ceil'))),
    )
    .registerFunction(
      'jsonataAbs(list): list',
      unary((v) => Math.abs(numberArg(v, 'abs'))),
    )
    .registerFunction(
      'jsonataUppercase(list): list',
      unary((v) => textArg(v, 'uppercase').toUpperCase()),
    )
    .registerFunction(
      'jsonataLowercase(list): list',
      unary((v) => textArg(v, 'lowercase').toLowerCase()),
    )
    .registerFunction(
      'jsonataLength(list): list',
      unary((v) => Array.from(textArg(v, 'length')).length),
    )
    .registerFunction('jsonataSubstring(list, list): list', substring)
    .registerFunction('jsonataSubstring(list, list, list): list', substring)
    .registerFunction('jsonataContains(list, list): list', (a: unknown, b: unknown) => {
      const pattern = textArg(valueOf(b), 'contains');
      return unary((v) => textArg(v, 'contains').includes(pattern))(a);
    })
    .registerFunction('jsonataSubstringBefore(list, string): list', (a: unknown, c: string) =>
      unary((v) => before(v, c))(a),
    )
    .registerFunction('jsonataSubstringAfter(list, string): list', (a: unknown, c: string) =>
      unary((v) => after(v, c))(a),
    )
    .registerFunction('jsonataTrim(list): list', unary(trim))
    .registerFunction('jsonataCount(list): double', (a: unknown) => {
      const v = valueOf(a);
      return v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
    })
    .registerFunction('jsonataJoin(list, string): list', (a: unknown, sep: string) =>
      unary((v) => bounded(itemsOf(v, 'join', isText).join(sep)))(a),
    )
    .registerFunction(
      'jsonataSum(list): list',
      unary((v) => itemsOf(v, 'sum', isNumber).reduce((x, y) => x + y, 0)),
    )
    .registerFunction(
      'jsonataMax(list): list',
      numbersTo('max', (xs) => Math.max(...xs)),
    )
    .registerFunction(
      'jsonataMin(list): list',
      numbersTo('min', (xs) => Math.min(...xs)),
    )
    .registerFunction(
      'jsonataAverage(list): list',
      numbersTo('average', (xs) => xs.reduce((x, y) => x + y, 0) / xs.length),
    )
    .registerFunction('jsonataNow(double): string', (now: unknown) => new Date(Number(now)).toISOString());
