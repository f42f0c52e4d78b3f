/**
 * How the inspector reads payloads: as JSON when they parse, the numbers in them for the plot,
 * and what changed between two consecutive payloads. Pure functions over payload text.
 */

/** A payload understood as far as it goes: JSON when it parses, the text otherwise. */
export type ParsedPayload = { readonly kind: 'json'; readonly value: unknown } | { readonly kind: 'text' };

const MAX_PARSE_CHARS = 64 * 1024;

/** Parses `text` as JSON when it looks like JSON (and is not too long to parse per frame). */
export const parsePayload = (text: string): ParsedPayload => {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > MAX_PARSE_CHARS) return { kind: 'text' };
  const first = trimmed[0];
  if (
    first !== '{' &&
    first !== '[' &&
    first !== '"' &&
    !/^-?\d/.test(trimmed) &&
    !/^(true|false|null)$/.test(trimmed)
  )
    return { kind: 'text' };
  try {
    return { kind: 'json', value: JSON.parse(trimmed) as unknown };
  } catch {
    return { kind: 'text' };
  }
};

const MAX_PATHS = 50;
const MAX_DEPTH = 6;

/**
 * The numeric values of a payload by path: `''` for a payload that is a number itself
 * (`21.5`, `"21.5"`), else dotted paths of the numeric leaves of a JSON object
 * (`DS18B20.Temperature`, `Wifi.RSSI`), at most 50 paths and 6 levels deep. Booleans count as
 * 0/1 and `ON`/`OFF`-style words are left out, so a plot never guesses.
 */
export const numericValues = (text: string): Map<string, number> => {
  const out = new Map<string, number>();
  const trimmed = text.trim();
  if (trimmed !== '' && Number.isFinite(Number(trimmed))) {
    out.set('', Number(trimmed));
    return out;
  }
  const parsed = parsePayload(text);
  if (parsed.kind !== 'json') return out;
  const walk = (value: unknown, path: string, depth: number): void => {
    if (out.size >= MAX_PATHS) return;
    if (typeof value === 'number' && Number.isFinite(value)) out.set(path, value);
    else if (typeof value === 'boolean') out.set(path, value ? 1 : 0);
    else if (
      typeof value === 'string' &&
      path === '' &&
      value.trim() !== '' &&
      Number.isFinite(Number(value))
    )
      out.set(path, Number(value));
    else if (value && typeof value === 'object' && !Array.isArray(value) && depth < MAX_DEPTH) {
      for (const [key, child] of Object.entries(value as Record<string, unknown>))
        walk(child, path ? `${path}.${key}` : key, depth + 1);
    }
  };
  walk(parsed.value, '', 0);
  return out;
};

/** One difference between two payloads. */
export interface PayloadChange {
  /** Dotted path into the JSON (`''` for the payload as a whole). */
  readonly path: string;
  readonly kind: 'added' | 'removed' | 'changed';
  /** The values as compact JSON (or the text, for a non-JSON payload). */
  readonly before?: string;
  readonly after?: string;
}

const MAX_CHANGES = 200;
const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
};
const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * What changed from `before` to `after`: for two JSON objects, the leaves added, removed and
 * changed by path (nested objects are walked, arrays compared whole); otherwise the payload as
 * a whole, when the text differs. At most 200 changes.
 */
export const diffPayloads = (before: string, after: string): PayloadChange[] => {
  if (before === after) return [];
  const a = parsePayload(before);
  const b = parsePayload(after);
  if (a.kind !== 'json' || b.kind !== 'json' || !isObject(a.value) || !isObject(b.value))
    return [{ path: '', kind: 'changed', before, after }];
  const changes: PayloadChange[] = [];
  const walk = (
    x: Record<string, unknown>,
    y: Record<string, unknown>,
    prefix: string,
    depth: number,
  ): void => {
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const key of keys) {
      if (changes.length >= MAX_CHANGES) return;
      const path = prefix ? `${prefix}.${key}` : key;
      const inX = Object.hasOwn(x, key);
      const inY = Object.hasOwn(y, key);
      if (!inY) changes.push({ path, kind: 'removed', before: show(x[key]) });
      else if (!inX) changes.push({ path, kind: 'added', after: show(y[key]) });
      else if (isObject(x[key]) && isObject(y[key]) && depth < MAX_DEPTH)
        walk(x[key] as Record<string, unknown>, y[key] as Record<string, unknown>, path, depth + 1);
      else if (JSON.stringify(x[key]) !== JSON.stringify(y[key]))
        changes.push({ path, kind: 'changed', before: show(x[key]), after: show(y[key]) });
    }
  };
  walk(a.value, b.value, '', 0);
  return changes;
};

/** True when `topic` can be published to: not empty, no wildcards, no NUL, at most 1,024 characters. */
export const publishableTopic = (topic: string): string | null => {
  if (topic === '') return 'Enter a topic to publish to.';
  if (topic.length > 1024) return 'The topic is longer than 1,024 characters.';
  if (/[+#]/.test(topic)) return 'A topic to publish to cannot contain the wildcards + or #.';
  if (topic.includes('\u0000')) return 'A topic cannot contain a NUL character.';
  return null;
};
