/**
 * Node-RED typed values ("str", "num", "bool", "json", "date", "msg", …) as CEL source text,
 * so rules and values from a Node-RED export become Fieldgraph expressions.
 */
import { propertyNameProblem } from '../flow/catalog/message';
import { jsonataValue } from './jsonata-uses';

/** A CEL expression, or the reason the value cannot be expressed in CEL. */
/** Words CEL will not read after a dot (`global.if` does not parse). */
export const CEL_RESERVED: ReadonlySet<string> = new Set(
  'as break const continue else false for function if import in let loop namespace null package return true var void while'.split(
    ' ',
  ),
);

/**
 * Whether a Node-RED global context key is one gateway-wide variable CEL reads as
 * `global.<key>`: one plain name (no dots or brackets), not a word CEL reserves.
 */
export const isGatewayVariable = (key: string): boolean =>
  /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key) && !CEL_RESERVED.has(key);

export type CelOrReason = { readonly cel: string } | { readonly reason: string };

/** A CEL string literal for `text` (JSON string escaping is valid CEL). */
export const celString = (text: string): string => JSON.stringify(text);

/** A CEL literal for a JSON value. */
export const celLiteral = (value: unknown): string => {
  if (value === null) return 'null';
  if (typeof value === 'string') return celString(value);
  if (typeof value === 'number')
    return Number.isInteger(value) && !/e/.test(String(value)) ? `${value}.0` : String(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(celLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${celString(k)}: ${celLiteral(v)}`)
      .join(', ')}}`;
  }
  return 'null';
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A `msg` property path ("payload", "payload.temp", "payload['a b']", "command", "data.x") as a
 * CEL path: `payload…` and `topic` as they are, any other named property as `msg.<name>…` (see
 * the engine's message properties); null when the path does not parse or names no property a
 * Fieldgraph message can carry.
 */
export const msgPath = (path: string): string | null => {
  const trimmed = path.trim();
  if (trimmed === 'topic') return 'topic';
  const head = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(trimmed)?.[0] ?? '';
  let out: string;
  if (head === 'payload') out = 'payload';
  else if (head && propertyNameProblem(head) === undefined) out = `msg.${head}`;
  else return null;
  const parts = trimmed.slice(head.length);
  // Node-RED also accepts `payload.data.0.id` for `payload.data[0].id`.
  const re = /\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*(?:"([^"]*)"|'([^']*)'|(\d+))\s*\]|\.(\d+)(?![A-Za-z_])/gy;
  let match: RegExpExecArray | null;
  let at = 0;
  while (at < parts.length && (match = re.exec(parts))) {
    at = re.lastIndex;
    const name = match[1] ?? match[2] ?? match[3];
    if (name !== undefined) out += IDENT.test(name) ? `.${name}` : `[${celString(name)}]`;
    else out += `[${match[4] ?? match[5]}]`;
  }
  return at === parts.length ? out : null;
};

/**
 * The test that a message carries the property a CEL path starts at (`has(msg.command)` for
 * `msg.command.x`), or undefined for payload and topic, which every message has. Node-RED reads a
 * missing property as undefined where CEL fails, so conditions on it test this first.
 */
export const msgGuard = (path: string): string | undefined => {
  const head = /^msg\.([A-Za-z_][A-Za-z0-9_]*)/.exec(path)?.[1];
  return head === undefined ? undefined : `has(msg.${head})`;
};

/** The message property a CEL path names as a whole (`msg.command` → "command"), if it is one. */
export const wholeProperty = (path: string): string | undefined =>
  /^msg\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(path)?.[1];

/**
 * A Node-RED typed value (`value` of type `type`) as CEL. `flowVars` names the flow context
 * values that are flow variables here (see flowVariables): those read as `vars.name`.
 */
export const typedValue = (
  value: unknown,
  type: string | undefined,
  flowVars: ReadonlySet<string> = new Set(),
): CelOrReason => {
  const text = value === undefined || value === null ? '' : String(value);
  switch (type ?? 'str') {
    case 'str':
      return { cel: celString(text) };
    case 'num': {
      const n = Number(text);
      return Number.isFinite(n) && text.trim() !== ''
        ? { cel: celLiteral(n) }
        : { reason: `“${text}” is not a number` };
    }
    case 'bool':
      return text === 'true' || text === 'false'
        ? { cel: text }
        : { reason: `“${text}” is not true or false` };
    case 'json':
      try {
        return { cel: celLiteral(JSON.parse(text)) };
      } catch {
        return { reason: `the JSON value “${text.slice(0, 40)}” does not parse` };
      }
    case 'date':
      return { cel: 'now' };
    case 'msg': {
      const path = msgPath(text);
      return path ? { cel: path } : { reason: `msg.${text}, which is not a property name here` };
    }
    case 'env':
      return {
        reason: `environment variable ${text}, whose value the export does not hold (use a flow variable or the site profile)`,
      };
    case 'flow':
      if (flowVars.has(text)) return { cel: `vars.${text}` };
      return { reason: `${type} context “${text}” (use a Set variable node and vars.${text})` };
    case 'global':
      // Node-RED's global context is the gateway-wide variables: read while the flow runs.
      if (isGatewayVariable(text)) return { cel: `global.${text}` };
      return { reason: `global context “${text}” (a gateway-wide variable is one plain name)` };
    case 'jsonata': {
      const value = jsonataValue(text, flowVars);
      return 'cel' in value ? value : { reason: `${value.reason} (rewrite it as a CEL expression)` };
    }
    default:
      return { reason: `a value of type “${type}”` };
  }
};
