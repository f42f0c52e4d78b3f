/**
 * Stable serialisation of project files: two-space indentation, object keys sorted by code
 * point at every depth, arrays in their given order, one trailing newline. The same value
 * always gives the same bytes, so saving an unchanged project changes nothing on disk.
 */

/** A JSON value as it is stored in project files. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Thrown when a value cannot be stored as JSON (NaN, Infinity, functions, cycles, …); names the path. */
export class NotJsonError extends Error {
  override readonly name = 'NotJsonError';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path || '/'}: ${reason}`);
  }
}

const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Returns a deep copy of `value` with keys sorted and `undefined` members dropped; throws
 * NotJsonError naming the JSON pointer of anything JSON cannot represent.
 */
export const canonicalize = (value: unknown, path = '', seen: Set<unknown> = new Set()): JsonValue => {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotJsonError(path, `${value} is not a JSON number`);
    return value;
  }
  if (typeof value !== 'object') throw new NotJsonError(path, `a ${typeof value} cannot be stored in JSON`);
  if (seen.has(value)) throw new NotJsonError(path, 'the value refers to itself');
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item, i) => canonicalize(item === undefined ? null : item, `${path}/${i}`, seen));
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new NotJsonError(path, 'only plain objects can be stored in JSON');
    }
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort(compareKeys)) {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined) continue;
      const copy = canonicalize(member, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, seen);
      // defineProperty, not assignment: a "__proto__" key in a file is data and must survive.
      Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    }
    return out;
  } finally {
    seen.delete(value);
  }
};

/** The exact text Fieldgraph writes for `value`: sorted keys, two-space indent, trailing newline. */
export const stableStringify = (value: unknown): string =>
  JSON.stringify(canonicalize(value), null, 2) + '\n';
