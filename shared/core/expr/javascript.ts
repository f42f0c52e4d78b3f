/**
 * CEL functions that give JavaScript's own result for JSON values, so a Node-RED function node's
 * `msg.payload == "on"`, `parseInt(msg.payload)` or `msg.payload.toUpperCase()` converts exactly
 * instead of approximately. Each runs the JavaScript built-in itself on the plain value (CEL ints
 * as numbers, maps as objects), so coercions, NaN and errors are JavaScript's: where JavaScript
 * throws, the expression fails. Inputs and results are bounded; bytes and timestamps, which a
 * Node-RED message would hold as a Buffer or a Date, are refused rather than given a guess.
 *
 * jsEquals(a, b)            a == b                jsTruthy(x)   Boolean(x)
 * jsNumber(x)               Number(x)             jsParseInt(x[, radix]), jsParseFloat(x)
 * jsRound/jsFloor/jsCeil/jsAbs/jsTrunc/jsSign/jsSqrt(x), jsMin/jsMax/jsPow(a, b)   Math.*
 * jsDefined(object, "key")  object.key !== undefined (throws on null, as reading it does)
 * jsKeys(x)                 Object.keys(x)        jsRemainder(a, b)   a % b
 * jsGet(x, key)             x[key], jsLength(x) x.length (fail where JavaScript gives undefined)
 * jsonParse(text)           JSON.parse(text)      jsonStringify(x[, indent])
 * jsMethod(x, "name", [args])  x.name(...args) for the built-in string, number and list methods
 */
import type { Environment } from '@marcbachmann/cel-js';

/** The longest text these functions take or give (a message property is at most 16 KiB as JSON). */
export const MAX_JS_TEXT = 1 << 20;
const MAX_DEPTH = 64;

/**
 * A CEL value as the plain JSON-like value a JavaScript or JSONata evaluation holds: integers as
 * numbers, maps as objects; text and nesting bounded. Bytes and timestamps throw, naming `unlike`
 * (what they would have been in the language that is mimicked).
 */
export const plainValue = (value: unknown, unlike: string, depth = 0): unknown => {
  if (depth > MAX_DEPTH) throw new RangeError(`a value nested deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.length > MAX_JS_TEXT)
    throw new RangeError(`text longer than ${MAX_JS_TEXT} characters`);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array || value instanceof Date)
    throw new TypeError(`bytes and timestamps have no ${unlike}`);
  if (Array.isArray(value)) return value.map((v) => plainValue(v, unlike, depth + 1));
  const entries = value instanceof Map ? [...value] : Object.entries(value);
  return Object.fromEntries(entries.map(([k, v]) => [String(k), plainValue(v, unlike, depth + 1)]));
};

/** A CEL value as the plain JavaScript value Node-RED would hold. */
const plain = (value: unknown): unknown =>
  plainValue(value, 'JavaScript equivalent here (a Buffer or a Date)');

/** A result handed back to CEL: text and nesting bounded. */
const bounded = <T>(value: T): T => {
  plain(value);
  return value;
};

const isObject = (v: unknown) => v !== null && typeof v === 'object';

/** JavaScript's `==`; two objects compare by identity there, which a copied value cannot keep. */
const looseEquals = (a: unknown, b: unknown): boolean => {
  const [x, y] = [plain(a), plain(b)];
  if (isObject(x) && isObject(y))
    throw new TypeError('`==` between two objects compares their identity in JavaScript');
  return x == y;
};

/** `o[key]` as JavaScript reads it (throwing on null); only that property is read, not copied. */
const read = (o: unknown, key: unknown): unknown => {
  const self = typeof o === 'bigint' ? Number(o) : o instanceof Map ? Object.fromEntries(o) : o;
  if (self === null || self === undefined)
    throw new TypeError(`Cannot read properties of null (reading '${String(key)}')`);
  if (self instanceof Uint8Array || self instanceof Date)
    throw new TypeError('bytes and timestamps have no JavaScript equivalent here (a Buffer or a Date)');
  return (Object(self) as Record<PropertyKey, unknown>)[key as PropertyKey];
};

const PADDED = new Set(['padStart', 'padEnd']);
/** The built-in methods jsMethod may call: none takes a function or builds unbounded text. */
const METHODS = new Set<unknown>([
  ...[
    'toUpperCase',
    'toLowerCase',
    'trim',
    'trimStart',
    'trimEnd',
    'includes',
    'startsWith',
    'endsWith',
    'indexOf',
    'lastIndexOf',
    'slice',
    'substring',
    'substr',
    'split',
    'replace',
    'replaceAll',
    'charAt',
    'charCodeAt',
    'at',
    'concat',
    'padStart',
    'padEnd',
    'toString',
  ].map((m) => (String.prototype as unknown as Record<string, unknown>)[m]),
  ...['includes', 'indexOf', 'lastIndexOf', 'slice', 'join', 'at', 'concat', 'toString'].map(
    (m) => (Array.prototype as unknown as Record<string, unknown>)[m],
  ),
  Number.prototype.toFixed,
  Number.prototype.toPrecision,
  Number.prototype.toString,
  Boolean.prototype.toString,
  Object.prototype.toString,
  Object.prototype.hasOwnProperty,
]);

const callMethod = (receiver: unknown, name: string, args: unknown): unknown => {
  const self = plain(receiver);
  const list = plain(args);
  if (!Array.isArray(list)) throw new TypeError('jsMethod takes its arguments as a list');
  if (self === null || self === undefined)
    throw new TypeError(`Cannot read properties of null (reading '${name}')`);
  const fn = (Object(self) as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new TypeError(`${name} is not a function`);
  if (!METHODS.has(fn)) throw new TypeError(`${name}() is not one of the methods Fieldgraph runs`);
  // Text grows only by these: refuse what would pass the bound before building it.
  const text = typeof self === 'string' ? self.length : 0;
  if (PADDED.has(name) && Number(list[0]) > MAX_JS_TEXT) throw new RangeError('padding past the bound');
  if (name === 'replaceAll' && (text + 1) * String(list[1] ?? '').length > MAX_JS_TEXT)
    throw new RangeError('a replacement past the bound');
  return bounded((fn as (...a: unknown[]) => unknown).apply(self, list));
};

const number = (f: (x: number) => number) => (x: unknown) => f(plain(x) as number);
const numbers = (f: (a: number, b: number) => number) => (a: unknown, b: unknown) =>
  f(plain(a) as number, plain(b) as number);

/** Registers the functions on an environment (both the gateway's and the design-time checker's). */
export const withJavaScript = (env: Environment): Environment => {
  env
    .registerFunction('jsEquals(dyn, dyn): bool', looseEquals)
    // Truthiness reads no property: a CEL value's own is JavaScript's (a map is an object, 0n is 0).
    .registerFunction('jsTruthy(dyn): bool', (x: unknown) => Boolean(x))
    .registerFunction('jsNumber(dyn): double', (x: unknown) => Number(plain(x)))
    .registerFunction('jsParseInt(dyn): double', (x: unknown) => parseInt(plain(x) as string))
    .registerFunction('jsParseInt(dyn, dyn): double', (x: unknown, radix: unknown) =>
      parseInt(plain(x) as string, plain(radix) as number),
    )
    .registerFunction('jsParseFloat(dyn): double', (x: unknown) => parseFloat(plain(x) as string))
    .registerFunction('jsDefined(dyn, string): bool', (o: unknown, key: string) => read(o, key) !== undefined)
    .registerFunction('jsGet(dyn, dyn): dyn', (o: unknown, key: unknown) => {
      const value = read(o, plain(key));
      // JavaScript carries on with undefined (or a method); CEL has no such value: the run fails.
      if (value === undefined || typeof value === 'function')
        throw new TypeError(`no property ${String(plain(key))} (undefined in JavaScript)`);
      return value;
    })
    .registerFunction('jsLength(dyn): double', (o: unknown) => {
      const value = read(o, 'length');
      if (typeof value !== 'number')
        throw new TypeError('a length that is not a number (undefined in JavaScript)');
      return value;
    })
    .registerFunction('jsKeys(dyn): list', (o: unknown) => Object.keys(plain(o) as object))
    .registerFunction(
      'jsRemainder(dyn, dyn): double',
      (a: unknown, b: unknown) => Number(plain(a)) % Number(plain(b)),
    )
    .registerFunction('jsonParse(dyn): dyn', (x: unknown) => bounded(JSON.parse(plain(x) as string)))
    .registerFunction('jsonStringify(dyn): string', (x: unknown) => bounded(JSON.stringify(plain(x))))
    .registerFunction('jsonStringify(dyn, dyn): string', (x: unknown, indent: unknown) =>
      bounded(JSON.stringify(plain(x), null, plain(indent) as number)),
    )
    .registerFunction('jsMethod(dyn, string, list): dyn', callMethod);
  const unary: Record<string, (x: number) => number> = {
    jsRound: Math.round,
    jsFloor: Math.floor,
    jsCeil: Math.ceil,
    jsAbs: Math.abs,
    jsTrunc: Math.trunc,
    jsSign: Math.sign,
    jsSqrt: Math.sqrt,
  };
  for (const [name, f] of Object.entries(unary)) env.registerFunction(`${name}(dyn): double`, number(f));
  const binary: Record<string, (a: number, b: number) => number> = {
    jsMin: Math.min,
    jsMax: Math.max,
    jsPow: Math.pow,
  };
  for (const [name, f] of Object.entries(binary))
    env.registerFunction(`${name}(dyn, dyn): double`, numbers(f));
  return env;
};
