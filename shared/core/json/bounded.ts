/**
 * The one way to parse JSON that came from outside (packages, project files, API arguments,
 * MQTT and HTTP bodies): size and nesting depth are checked before JSON.parse runs, so a
 * deeply nested document is refused with its location instead of crashing whatever walks it
 * later ("Maximum call stack size exceeded"), and a syntax error names its line and column.
 */
import { FieldgraphError, type ErrorCode } from '../errors';
import { jsonErrorPosition } from '../project/json-position';

/** Deepest nesting of arrays and objects accepted by default (real documents stay far below). */
export const MAX_JSON_DEPTH = 64;

/** Limits of one parse. */
export interface JsonLimits {
  /** Deepest nesting of `[` and `{` (default MAX_JSON_DEPTH). */
  readonly maxDepth?: number;
  /** Longest text, in UTF-16 code units (default: no limit beyond the caller's own). */
  readonly maxLength?: number;
}

/** Why a text was refused, and where. */
export interface JsonProblem {
  readonly reason: 'syntax' | 'depth' | 'size';
  /** 1-based; 0 when the whole text is the problem (size). */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const locate = (text: string, offset: number): { line: number; column: number } => {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++)
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  return { line, column: offset - lineStart + 1 };
};

/** The offset where nesting first passes `maxDepth`, or -1. Strings are skipped, escapes honoured. */
const tooDeepAt = (text: string, maxDepth: number): number => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth) return i;
    } else if (c === 125 || c === 93) depth--;
  }
  return -1;
};

/** Parses `text` within `limits`: the value, or the problem with its location. Never throws. */
export const parseJsonWithin = (
  text: string,
  limits: JsonLimits = {},
): { ok: true; value: unknown } | { ok: false; problem: JsonProblem } => {
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  if (limits.maxLength !== undefined && text.length > limits.maxLength) {
    return {
      ok: false,
      problem: {
        reason: 'size',
        line: 0,
        column: 0,
        message: `it is ${text.length} characters long, more than the ${limits.maxLength} allowed`,
      },
    };
  }
  const deep = tooDeepAt(text, maxDepth);
  if (deep >= 0) {
    const at = locate(text, deep);
    return {
      ok: false,
      problem: {
        reason: 'depth',
        ...at,
        message: `it nests arrays and objects more than ${maxDepth} levels deep (line ${at.line}, column ${at.column})`,
      },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const at = jsonErrorPosition(text) ?? { line: 1, column: 1 };
    return {
      ok: false,
      problem: {
        reason: 'syntax',
        ...at,
        message: `it is not valid JSON (line ${at.line}, column ${at.column})`,
      },
    };
  }
};

/**
 * Parses `text` within `limits` or throws a FieldgraphError with `code`, whose message names
 * `what` and the location ("flows/a.json is not valid JSON (line 3, column 7)…").
 */
export const parseJsonOrThrow = (
  text: string,
  code: ErrorCode,
  what: string,
  limits: JsonLimits = {},
): unknown => {
  const result = parseJsonWithin(text, limits);
  if (result.ok) return result.value;
  throw new FieldgraphError(code, `${what}: ${result.problem.message}.`, {
    reason: result.problem.reason,
    line: result.problem.line,
    column: result.problem.column,
  });
};

/** The deepest nesting of an already-parsed value, stopping once past `limit` (no recursion). */
export const depthOf = (value: unknown, limit = MAX_JSON_DEPTH): number => {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) stack.push([child, depth]);
  }
  return deepest;
};
