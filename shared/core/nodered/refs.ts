/**
 * Finds what a Node-RED node refers to that a Fieldgraph flow has no equivalent for: JSONata
 * expressions, flow and global context, and environment variables — in typed fields
 * (`vt: "jsonata"`), mustache templates (`{{flow.count}}`) and function code
 * (`global.get("x")`). Each is reported so the person can rebuild it; none is copied as CEL
 * (a JSONata expression is translated where the translation is exact: jsonata.ts).
 */
import { jsonataToCel } from './jsonata';
import { text, type RedNode } from './types';

const KINDS: Record<string, string> = {
  jsonata: 'a JSONata expression',
  flow: 'flow context',
  global: 'global context',
  env: 'the environment variable',
};

const shorten = (s: string, max = 80): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

/** What became of a JSONata expression: its exact CEL translation, or why there is none. */
const jsonataFate = (value: string, flowVars: ReadonlySet<string>): string => {
  const t = jsonataToCel(value, flowVars);
  if ('reason' in t) return `which was not copied (Fieldgraph expressions are CEL; it is ${t.reason})`;
  return t.maybeNone
    ? 'translated exactly to CEL as a condition or a logged text (as a value it has none when a field it reads is missing)'
    : `translated exactly to the CEL \`${shorten(t.cel)}\``;
};

/** A sentence for one reference, e.g. “reads flow context “count””. */
const describe = (type: string, value: string, flowVars: ReadonlySet<string>): string =>
  type === 'jsonata'
    ? `uses ${KINDS.jsonata} \`${shorten(value)}\`, ${jsonataFate(value, flowVars)}`
    : type === 'env'
      ? `reads ${KINDS.env} ${value || '(unnamed)'}, whose value the export does not hold (the process environment and credentials are not in an export); Fieldgraph flows have none (use the site profile or a flow variable)`
      : type === 'global'
        ? `reads ${KINDS.global} “${value}”, which is the gateway-wide variable global.${value.split(/[.[]/)[0] || 'name'} here (every flow on the gateway shares it)`
        : `reads ${KINDS[type]} “${value}”; Fieldgraph keeps flow variables (vars.${value.split(/[.[]/)[0] || 'name'}) set by Set variable nodes`;

/**
 * The references of one node, as sentences, without duplicates. Typed fields are found by
 * Node-RED's naming: a value field `X` with its type in `Xt`, `XType`, `Xtype` or `vt`/`tot`/`pt`.
 */
export const referencesOf = (node: RedNode, flowVars: ReadonlySet<string> = new Set()): string[] => [
  ...new Map(
    referencedNames(node).map(([type, value]) => [`${type}:${value}`, describe(type, value, flowVars)]),
  ).values(),
];

/**
 * What a node refers to as [kind, name] pairs: `jsonata` with its expression, `flow`, `global`
 * and `env` with the name read or written (by typed fields, templates and function code).
 */
export const referencedNames = (node: RedNode): [string, string][] => {
  const found: [string, string][] = [];
  const add = (type: string, value: string) => void found.push([type, value]);
  const scan = (obj: Record<string, unknown>, depth: number) => {
    if (depth > 4) return;
    for (const [key, value] of Object.entries(obj)) {
      if (typeof value === 'string' && value in KINDS) {
        const field = typedField(obj, key);
        if (field !== undefined) add(value, text(obj[field]));
      } else if (Array.isArray(value)) {
        for (const item of value.slice(0, 200))
          if (item && typeof item === 'object') scan(item as Record<string, unknown>, depth + 1);
      } else if (value && typeof value === 'object') scan(value as Record<string, unknown>, depth + 1);
    }
  };
  scan(node, 0);
  for (const code of [node.func, node.initialize, node.finalize]) {
    if (typeof code !== 'string') continue;
    for (const m of code.matchAll(/\b(flow|global|env)\.get\(\s*["'`]([^"'`]{1,80})["'`]/g))
      add(m[1]!, m[2]!);
  }
  if (typeof node.template === 'string') {
    for (const m of node.template.matchAll(
      /\{\{\{?\s*(flow|global|env)\.([A-Za-z0-9_.$[\]-]{1,80})\s*\}?\}\}/g,
    ))
      add(m[1]!, m[2]!);
  }
  return found;
};

// The value field a type field describes: `vt` → `v`, `tot` → `to`, `payloadType` → `payload`,
// `propertyType` → `property`, `targetType` → `complete` (the debug node's one exception).
const typedField = (obj: Record<string, unknown>, typeKey: string): string | undefined => {
  if (typeKey === 'targetType' && 'complete' in obj) return 'complete';
  for (const suffix of ['Type', 'type', 't']) {
    if (!typeKey.endsWith(suffix) || typeKey.length === suffix.length) continue;
    const field = typeKey.slice(0, -suffix.length);
    if (field in obj) return field;
  }
  return undefined;
};
