/**
 * The common subset of Home Assistant's Jinja value and command templates, read without eval:
 * `{{ … }}` blocks around literal text, where a block is `value`, `value_json` with `.key`,
 * `['key']` or `[0]` accessors, or a string or number literal; followed by any of the filters
 * `float`, `int`, `round`, `lower`, `upper`, `default` (also `d`), `string`, `trim`; optionally
 * ending in the test `is defined` / `is not defined`. Anything else (`{% %}` statements,
 * arithmetic, comparisons, other filters) is refused at compile time with a reason naming it,
 * so a template we do not understand is reported as unsupported, never guessed.
 * Rendering follows Jinja: the result is text (`True`/`False` for booleans, `''` for undefined),
 * which is what Home Assistant compares with `payload_on` or parses as a sensor's number.
 */

/** A literal argument of a filter. */
type Literal = string | number | boolean | null;

type Access = { readonly key: string | number };

interface Filter {
  readonly name: string;
  readonly args: readonly Literal[];
}

interface Expression {
  readonly root:
    | { readonly kind: 'var'; readonly name: 'value' | 'value_json' }
    | { readonly kind: 'literal'; readonly value: Literal };
  readonly path: readonly Access[];
  readonly filters: readonly Filter[];
  /** `is defined` (true) / `is not defined` (false). */
  readonly defined?: boolean;
}

type Part = { readonly text: string } | { readonly expr: Expression };

/** A template compiled once, rendered per message. */
export interface HaTemplate {
  readonly source: string;
  readonly parts: readonly Part[];
  /** Whether any block reads `value_json` (the payload must then be JSON). */
  readonly usesJson: boolean;
}

/** The filters this subset evaluates. */
export const SUPPORTED_FILTERS = [
  'float',
  'int',
  'round',
  'lower',
  'upper',
  'default',
  'd',
  'string',
  'trim',
] as const;

/** Why a template could not be compiled: the construct it uses that the subset does not read. */
export class UnsupportedTemplate extends Error {
  override readonly name = 'UnsupportedTemplate';
}

const UNDEFINED = Symbol('undefined');
type Value = unknown | typeof UNDEFINED;

const tokenize = (src: string): string[] => {
  const tokens: string[] = [];
  const re = /\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\S))/gy;
  let at = 0;
  for (;;) {
    re.lastIndex = at;
    const m = re.exec(src);
    if (!m) break;
    at = re.lastIndex;
    const tok = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (tok !== undefined) tokens.push(tok);
  }
  // A failed sticky match resets lastIndex, so what is left is counted from the last match.
  if (src.slice(at).trim() !== '') throw new UnsupportedTemplate(`cannot read "${src.trim()}"`);
  return tokens;
};

const literalOf = (tok: string | undefined): Literal | undefined => {
  if (tok === undefined) return undefined;
  if (/^'.*'$|^".*"$/s.test(tok)) return tok.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^-?\d+(?:\.\d+)?$/.test(tok)) return Number(tok);
  if (tok === 'true' || tok === 'True') return true;
  if (tok === 'false' || tok === 'False') return false;
  if (tok === 'none' || tok === 'None') return null;
  return undefined;
};

const parseExpression = (src: string): Expression => {
  const t = tokenize(src);
  let i = 0;
  const peek = () => t[i];
  const next = () => t[i++];
  const expect = (tok: string) => {
    if (next() !== tok) throw new UnsupportedTemplate(`expected "${tok}" in "${src.trim()}"`);
  };
  const first = next();
  let root: Expression['root'];
  if (first === 'value' || first === 'value_json') root = { kind: 'var', name: first };
  else {
    const lit = literalOf(first);
    if (lit === undefined)
      throw new UnsupportedTemplate(
        first === undefined ? 'an empty {{ }} block' : `"${first}" (only value and value_json are read)`,
      );
    root = { kind: 'literal', value: lit };
  }
  const path: Access[] = [];
  for (;;) {
    if (peek() === '.') {
      next();
      const key = next();
      if (!key || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
        throw new UnsupportedTemplate(`a bad attribute in "${src.trim()}"`);
      path.push({ key });
    } else if (peek() === '[') {
      next();
      const lit = literalOf(next());
      if (typeof lit !== 'string' && typeof lit !== 'number')
        throw new UnsupportedTemplate(`an index that is not a literal in "${src.trim()}"`);
      expect(']');
      path.push({ key: lit });
    } else break;
  }
  if (root.kind === 'literal' && path.length)
    throw new UnsupportedTemplate(`indexing a literal in "${src.trim()}"`);
  const filters: Filter[] = [];
  while (peek() === '|') {
    next();
    const name = next() ?? '';
    if (!(SUPPORTED_FILTERS as readonly string[]).includes(name))
      throw new UnsupportedTemplate(`the filter "${name}"`);
    const args: Literal[] = [];
    if (peek() === '(') {
      next();
      while (peek() !== ')') {
        const tok = next();
        // Keyword arguments (round(1, method='floor'), default(0, true)) keep their value only.
        if (peek() === '=' && tok && /^[A-Za-z_]/.test(tok)) {
          next();
          continue;
        }
        const lit = literalOf(tok);
        if (lit === undefined)
          throw new UnsupportedTemplate(`the argument "${tok ?? ''}" of filter "${name}"`);
        args.push(lit);
        if (peek() === ',') next();
        else if (peek() !== ')') throw new UnsupportedTemplate(`the arguments of filter "${name}"`);
      }
      next();
    }
    filters.push({ name, args });
  }
  let defined: boolean | undefined;
  if (peek() === 'is') {
    next();
    const negate = peek() === 'not';
    if (negate) next();
    if (next() !== 'defined')
      throw new UnsupportedTemplate(`a test other than "is defined" in "${src.trim()}"`);
    defined = !negate;
  }
  if (i < t.length) throw new UnsupportedTemplate(`"${t.slice(i).join(' ')}" in "${src.trim()}"`);
  return { root, path, filters, ...(defined === undefined ? {} : { defined }) };
};

/** Compiles a template; throws UnsupportedTemplate naming what the subset does not read. */
export const compileHaTemplate = (source: string): HaTemplate => {
  if (source.length > 2000) throw new UnsupportedTemplate('a template over 2,000 characters');
  if (/\{%|\{#/.test(source)) throw new UnsupportedTemplate('Jinja statements ({% … %})');
  const parts: Part[] = [];
  let rest = source;
  let usesJson = false;
  while (rest.length) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      parts.push({ text: rest });
      break;
    }
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw new UnsupportedTemplate('a {{ block that is not closed');
    const expr = parseExpression(rest.slice(open + 2, close).replace(/^-|-$/g, ''));
    if (expr.root.kind === 'var' && expr.root.name === 'value_json') usesJson = true;
    parts.push({ expr });
    rest = rest.slice(close + 2);
  }
  return { source, parts, usesJson };
};

/** Compiles a template, or gives the reason it is not read ("uses the filter \"timestamp_custom\", which is not supported"). */
export const checkHaTemplate = (
  source: string,
): { ok: true; template: HaTemplate } | { ok: false; reason: string } => {
  try {
    return { ok: true, template: compileHaTemplate(source) };
  } catch (error) {
    if (error instanceof UnsupportedTemplate)
      return { ok: false, reason: `uses ${error.message}, which the template subset does not read` };
    throw error;
  }
};

const toNumber = (v: Value): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') return Number(v.trim());
  return Number.NaN;
};

/** Rounds half away from zero, as Jinja's `round` (method "common") does. */
const roundCommon = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return (Math.sign(x) * Math.round(Math.abs(x) * f)) / f;
};

const applyFilter = (v: Value, f: Filter): Value => {
  switch (f.name) {
    case 'float': {
      const n = toNumber(v);
      if (Number.isFinite(n)) return n;
      if (f.args.length) return f.args[0];
      throw new TemplateError(`${show(v)} is not a number (float)`);
    }
    case 'int': {
      const n = toNumber(v);
      if (Number.isFinite(n)) return Math.trunc(n);
      if (f.args.length) return f.args[0];
      throw new TemplateError(`${show(v)} is not a number (int)`);
    }
    case 'round': {
      const n = toNumber(v);
      if (!Number.isFinite(n)) throw new TemplateError(`${show(v)} is not a number (round)`);
      const digits = typeof f.args[0] === 'number' ? f.args[0] : 0;
      return roundCommon(n, digits);
    }
    case 'lower':
      return render(v).toLowerCase();
    case 'upper':
      return render(v).toUpperCase();
    case 'string':
      return render(v);
    case 'trim':
      return render(v).trim();
    case 'default':
    case 'd': {
      const falsy = f.args[1] === true && (v === '' || v === 0 || v === false || v === null);
      return v === UNDEFINED || falsy ? (f.args[0] ?? '') : v;
    }
  }
  throw new TemplateError(`the filter "${f.name}"`);
};

/** Why one rendering failed (a payload that is not JSON, a value a filter cannot take). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const show = (v: Value): string => (v === UNDEFINED ? 'nothing' : (JSON.stringify(v) ?? String(v)));

/** Jinja's text for a value: Python spellings of booleans and None, '' for undefined. */
const render = (v: Value): string => {
  if (v === UNDEFINED) return '';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
};

const evaluate = (expr: Expression, value: unknown, json: () => unknown): Value => {
  let v: Value = expr.root.kind === 'literal' ? expr.root.value : expr.root.name === 'value' ? value : json();
  for (const { key } of expr.path) {
    if (v !== null && typeof v === 'object' && Object.hasOwn(v, key)) {
      v = (v as Record<string | number, unknown>)[key];
    } else v = UNDEFINED;
  }
  for (const f of expr.filters) v = applyFilter(v, f);
  if (expr.defined !== undefined) return (v !== UNDEFINED) === expr.defined;
  return v;
};

/**
 * Renders a compiled template for one value (`value` is the payload text for value templates, the
 * value to send for command templates). Throws TemplateError when the payload is not JSON but the
 * template reads `value_json`, when a filter cannot take its input, or when the single block of
 * the template reads nothing (an attribute the payload lacks, with no default).
 */
export const renderHaTemplate = (template: HaTemplate, value: unknown): string => {
  let parsed: { ok: boolean; value?: unknown } | undefined;
  const json = (): unknown => {
    if (!parsed) {
      try {
        parsed = { ok: true, value: typeof value === 'string' ? JSON.parse(value) : value };
      } catch {
        parsed = { ok: false };
      }
    }
    if (!parsed.ok) throw new TemplateError('the payload is not JSON');
    return parsed.value;
  };
  const single = template.parts.length === 1 && 'expr' in template.parts[0]!;
  let out = '';
  for (const part of template.parts) {
    if ('text' in part) {
      out += part.text;
      continue;
    }
    const v = evaluate(part.expr, value, json);
    // A template that is one block and reads nothing has no state to give (HA logs and skips it).
    if (single && v === UNDEFINED)
      throw new TemplateError(`the payload has nothing at ${template.source.trim()}`);
    out += render(v);
  }
  return out;
};

/**
 * The dotted path a template reads when it is exactly `{{ value_json.a.b }}` (or `['a']` forms,
 * no filters): the binding runtime then reads the path directly instead of rendering. `''` for
 * `{{ value }}`; undefined for anything else.
 */
export const plainPathOf = (template: HaTemplate): string | undefined => {
  if (template.parts.length !== 1 || !('expr' in template.parts[0]!)) return undefined;
  const { root, path, filters, defined } = template.parts[0].expr;
  if (filters.length || defined !== undefined || root.kind !== 'var') return undefined;
  if (root.name === 'value') return path.length ? undefined : '';
  const keys = path.map((p) => String(p.key));
  return keys.some((k) => k.includes('.')) || keys.length === 0 ? undefined : keys.join('.');
};
