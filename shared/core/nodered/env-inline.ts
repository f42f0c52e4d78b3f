/**
 * Environment variables the export defines, written into a node as the constants Node-RED would
 * read: a typed field of type `env` becomes a field of the value's own type (str, num, bool,
 * json), a whole property `${NAME}` becomes the value (as Node-RED substitutes it when it creates
 * the node), and `env.get("NAME")` in function code becomes the value as a literal. Names the
 * export does not define (the process environment) are left as they are, for the reports.
 */
import type { EnvLookup, EnvValue } from './env';
import type { RedNode } from './types';

/** A node with the variables it reads inlined, and one sentence per variable inlined or not. */
export interface Inlined {
  readonly node: RedNode;
  readonly inlined: readonly string[];
  readonly unresolved: readonly string[];
}

const SKIP = new Set([
  'id',
  'type',
  'z',
  'g',
  'x',
  'y',
  'wires',
  'links',
  'env',
  'func',
  'initialize',
  'finalize',
]);
const MAX_DEPTH = 5;

const typeOf = (v: EnvValue['value']): 'str' | 'num' | 'bool' | 'json' =>
  typeof v === 'string' ? 'str' : typeof v === 'number' ? 'num' : typeof v === 'boolean' ? 'bool' : 'json';

const shown = (v: EnvValue['value']): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? 'null');
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
};

// The value field a type field describes (as refs.ts reads Node-RED's naming).
const typedField = (obj: Record<string, unknown>, typeKey: string): string | undefined => {
  if (typeKey === 'targetType' && 'complete' in obj) return 'complete';
  for (const suffix of ['Type', 'type', 't']) {
    if (!typeKey.endsWith(suffix) || typeKey.length === suffix.length) continue;
    const field = typeKey.slice(0, -suffix.length);
    if (field in obj) return field;
  }
  return undefined;
};

/** Writes the variables `resolve` knows into a copy of `node`; the node itself is not changed. */
export const inlineEnv = (node: RedNode, resolve: (name: string) => EnvLookup): Inlined => {
  const inlined = new Map<string, string>();
  const unresolved = new Map<string, string>();
  const use = (name: string): EnvValue | undefined => {
    const r = resolve(name);
    if (r && 'value' in r) {
      const how = r.where.startsWith('the ')
        ? `Node-RED sets it to ${r.where}`
        : `the export defines it ${r.where}`;
      inlined.set(
        name,
        `reads environment variable ${name}: ${how}, ${shown(r.value)}, and that value is used as a constant`,
      );
      return r;
    }
    if (r)
      unresolved.set(
        name,
        `reads environment variable ${name}, which the export defines but whose value it does not hold exactly (${r.reason})`,
      );
    return undefined;
  };
  let changed = false;
  const walk = (obj: Record<string, unknown>, depth: number, top: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...obj };
    for (const [key, value] of Object.entries(obj)) {
      if (top && SKIP.has(key)) continue;
      if (value === 'env') {
        const field = typedField(obj, key);
        const name = field === undefined ? undefined : obj[field];
        if (typeof name === 'string' && name) {
          const r = use(name);
          if (r) {
            const type = typeOf(r.value);
            out[key] = type;
            out[field!] =
              type === 'str' ? r.value : type === 'json' ? JSON.stringify(r.value) : String(r.value);
            changed = true;
          }
        }
        continue;
      }
      if (typeof value === 'string') {
        // Node-RED replaces a whole `${NAME}` (or `$(NAME)`) property when it creates the node.
        const m = /^\$\{(\S+)\}$/.exec(value) ?? /^\$\((\S+)\)$/.exec(value);
        if (m) {
          const r = use(m[1]!);
          if (r && r.value !== '') {
            out[key] = r.value;
            changed = true;
          } else if (!r && resolve(m[1]!) === undefined)
            unresolved.set(
              m[1]!,
              `has ${value.slice(0, 80)} as ${key.slice(0, 40)}, which Node-RED replaces with environment variable ${m[1]} from the process environment; the export does not hold it, so the text was kept as it is`,
            );
        }
      } else if (depth < MAX_DEPTH && Array.isArray(value)) {
        out[key] = value.map((item: unknown) =>
          item && typeof item === 'object' && !Array.isArray(item)
            ? walk(item as Record<string, unknown>, depth + 1, false)
            : item,
        );
      } else if (depth < MAX_DEPTH && value && typeof value === 'object') {
        out[key] = walk(value as Record<string, unknown>, depth + 1, false);
      }
    }
    return out;
  };
  const result = walk(node, 0, true);
  for (const key of ['func', 'initialize', 'finalize']) {
    const code = node[key];
    if (typeof code !== 'string') continue;
    const next = code.replace(
      /(?<![\w$.])env\.get\(\s*(["'])([A-Za-z0-9_$.-]{1,200})\1\s*\)/g,
      (call, _q: string, name: string) => {
        const r = use(name);
        if (!r) return call;
        changed = true;
        return typeof r.value === 'object' && r.value !== null
          ? `(${JSON.stringify(r.value)})`
          : JSON.stringify(r.value);
      },
    );
    result[key] = next;
  }
  return {
    node: changed ? (result as RedNode) : node,
    inlined: [...inlined.values()],
    unresolved: [...unresolved.values()],
  };
};
