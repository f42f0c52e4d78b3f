/**
 * Node-RED JSONata expressions as CEL, where the translation is exact for every message. The
 * `jsonata` library only parses the text into its syntax tree; the flow then runs CEL, whose
 * `jsonata…` functions (expr/jsonata-values.ts) give JSONata's results: a missing field is "no
 * value" that operators pass on and object constructors leave out, `&` writes numbers to 15
 * digits, `$round` rounds half to even. Node-RED evaluates an expression with the message as
 * its input, so `payload.temp` and `$$.payload.temp` read `msg.payload.temp`.
 *
 * Paths of plain field names, literals, arithmetic, comparisons, `and`/`or`, `? :`, `&`, object
 * and array constructors, `$flowContext`/`$globalContext` of a name this export keeps as a
 * variable, `$now()`, `$millis()` and the functions in FUNCTIONS translate. Anything else
 * (filters, functions of lists, regular expressions, variables, `~>`, blocks of several
 * expressions) gives a reason naming the construct.
 */
import jsonata from 'jsonata';
import { syntaxErrorOf } from '../expr/cel';
import { propertyNameProblem } from '../flow/catalog/message';
import { celLiteral, celString, isGatewayVariable } from './values';

type Kind = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array' | 'any';

/**
 * A translated expression. With `maybeNone` the CEL gives a JSONata value list (`[]` for no
 * value, `[x]`); without it the CEL gives the value itself, which JSONata always has.
 */
interface Translated {
  readonly cel: string;
  readonly maybeNone: boolean;
  readonly kind: Kind;
}

/** A translation that always has a value, or one that may have none, or why it does not translate. */
export type JsonataTranslation = Translated | { readonly reason: string };

interface Node {
  readonly type: string;
  readonly value?: unknown;
  readonly steps?: Node[];
  readonly lhs?: Node | [Node, Node][];
  readonly rhs?: Node;
  readonly expression?: Node;
  readonly expressions?: Node[];
  readonly condition?: Node;
  readonly then?: Node;
  readonly else?: Node;
  readonly arguments?: Node[];
  readonly procedure?: Node;
  readonly [other: string]: unknown;
}

interface Context {
  readonly flowVars: ReadonlySet<string>;
  readonly legacy: boolean;
}

/** Node-RED's test for an expression written against {msg: message} instead of the message. */
const LEGACY = /(^|[^a-zA-Z0-9_'".])msg([^a-zA-Z0-9_'"]|$)/;

class Refused extends Error {}
const refuse = (reason: string): never => {
  throw new Refused(reason);
};

const MAX_SOURCE = 4000;
const MAX_DEPTH = 24;
/** Stages, filters, grouping and focus change what a step reads: none translates. */
const STAGED = ['stages', 'predicate', 'group', 'focus', 'index', 'tuple', 'keepArray', 'consarray'];
/** Whether a node carries one of STAGED (the parser leaves some as undefined or empty). */
const staged = (node: Node, except = ''): boolean =>
  STAGED.some((k) => {
    const v = node[k];
    return k !== except && v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
  });

const some = (t: Translated): string => (t.maybeNone ? t.cel : `[${t.cel}]`);
const always = (cel: string, kind: Kind): Translated => ({ cel, maybeNone: false, kind });
const maybe = (cel: string, kind: Kind = 'any'): Translated => ({ cel, maybeNone: true, kind });
/** A function's result list: the value itself where every argument has one. */
const result = (call: string, args: readonly Translated[], kind: Kind, none = false): Translated =>
  !none && args.every((a) => !a.maybeNone) ? always(`${call}[0]`, kind) : maybe(call, kind);

const fieldName = (name: unknown): string => {
  const key = String(name);
  // JSONata reads inherited members of an object too (`constructor`); a message has none.
  if (key in Object.prototype || key === '__proto__') refuse(`the field name “${key}”`);
  return key;
};

const path = (node: Node, ctx: Context, depth: number): Translated => {
  const steps = [...(node.steps ?? [])];
  const first = steps[0];
  if (first?.type === 'variable' && (first.value === '$' || first.value === '')) steps.shift();
  if (steps.length === 0) refuse('the whole message (`$` or `$$`)');
  const names = steps.map((s) => {
    if (s.type === 'function') translate(s, ctx, depth);
    if (s.type !== 'name')
      refuse(
        s.type === 'variable'
          ? `the variable $${String(s.value)}`
          : s.type === 'function'
            ? 'a path through the result of a function'
            : 'a path step that is not a field name',
      );
    if (staged(s)) refuse('a filter or index in a path (`[…]`)');
    return fieldName(s.value);
  });
  // Node-RED reads an expression naming `msg` with the input {msg: message} (its "legacy mode").
  if (ctx.legacy && (names.shift() !== 'msg' || names.length === 0))
    refuse('a field beside msg.… in an expression that names msg (Node-RED reads it from {msg})');
  const head = names[0]!;
  if (head !== 'payload' && head !== 'topic' && propertyNameProblem(head) !== undefined)
    refuse(`msg.${head}, which is not a property name a Fieldgraph message carries`);
  return maybe(`jsonataPath(msg, [${names.map(celString).join(', ')}])`);
};

const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);
const ORDER = new Set(['<', '<=', '>', '>=']);

const SCALAR = new Set(['string', 'number', 'value']);

/** `x in [written scalars]`: JSONata compares with ===, which a copied object could not keep. */
const includes = (node: Node, ctx: Context, depth: number): Translated => {
  const rhs = node.rhs!;
  const items = rhs.type === 'unary' && rhs.value === '[' ? (rhs.expressions ?? []) : [rhs];
  if (!items.every((i) => SCALAR.has(i.type)))
    refuse(
      '`in` of something other than a list of texts, numbers, booleans or null written in the expression',
    );
  const lhs = translate(node.lhs as Node, ctx, depth);
  return always(
    `jsonataIn(${some(lhs)}, [${items.map((i) => translate(i, ctx, depth).cel).join(', ')}])`,
    'boolean',
  );
};

const binary = (node: Node, ctx: Context, depth: number): Translated => {
  const op = String(node.value);
  if (op === 'in') return includes(node, ctx, depth);
  const lhs = translate(node.lhs as Node, ctx, depth);
  const rhs = translate(node.rhs as Node, ctx, depth);
  if (ARITHMETIC.has(op))
    return result(`jsonataArith(${celString(op)}, ${some(lhs)}, ${some(rhs)})`, [lhs, rhs], 'number');
  if (op === '=' || op === '!=')
    return always(`jsonataEquals(${celString(op)}, ${some(lhs)}, ${some(rhs)})`, 'boolean');
  if (ORDER.has(op))
    return result(`jsonataOrder(${celString(op)}, ${some(lhs)}, ${some(rhs)})`, [lhs, rhs], 'boolean');
  // JSONata reads the right side only when the left does not decide; CEL's && and || would not
  // fail where the left side fails, so a conditional keeps JSONata's order.
  if (op === 'and')
    return always(`(jsonataTruthy(${some(lhs)}) ? jsonataTruthy(${some(rhs)}) : false)`, 'boolean');
  if (op === 'or')
    return always(`(jsonataTruthy(${some(lhs)}) ? true : jsonataTruthy(${some(rhs)}))`, 'boolean');
  if (op === '&') return always(`jsonataConcat(${some(lhs)}, ${some(rhs)})`, 'string');
  return refuse(`the operator “${op}”`);
};

const objectOf = (node: Node, ctx: Context, depth: number): Translated => {
  const pairs = node.lhs as [Node, Node][];
  const seen = new Set<string>();
  const entries = pairs.map(([key, value]) => {
    if (key.type !== 'string') refuse('an object key computed from the message');
    const name = String(key.value);
    if (seen.has(name)) refuse(`the key “${name}” written twice in one object`);
    seen.add(name);
    return [celString(name), translate(value, ctx, depth)] as const;
  });
  if (entries.every(([, v]) => !v.maybeNone))
    return always(`{${entries.map(([k, v]) => `${k}: ${v.cel}`).join(', ')}}`, 'object');
  return always(`jsonataObject({${entries.map(([k, v]) => `${k}: ${some(v)}`).join(', ')}})`, 'object');
};

const arrayOf = (node: Node, ctx: Context, depth: number): Translated => {
  // A list among the items is spliced in, except one written as `[…]` here.
  const parts = (node.expressions ?? []).map((item) => {
    const t = translate(item, ctx, depth);
    const literalList = item.type === 'unary' && item.value === '[';
    if (literalList || (!t.maybeNone && t.kind !== 'array' && t.kind !== 'any')) return `[${t.cel}]`;
    return `jsonataItems(${some(t)})`;
  });
  return always(parts.length ? parts.join(' + ') : '[]', 'array');
};

const condition = (node: Node, ctx: Context, depth: number): Translated => {
  const test = `jsonataTruthy(${some(translate(node.condition!, ctx, depth))})`;
  const then = translate(node.then!, ctx, depth);
  const otherwise = node.else ? translate(node.else, ctx, depth) : undefined;
  if (otherwise && !then.maybeNone && !otherwise.maybeNone) {
    if (then.kind === otherwise.kind && then.kind !== 'any')
      return always(`(${test} ? ${then.cel} : ${otherwise.cel})`, then.kind);
    return always(`(${test} ? dyn(${then.cel}) : dyn(${otherwise.cel}))`, 'any');
  }
  return maybe(`(${test} ? ${some(then)} : ${otherwise ? some(otherwise) : '[]'})`, 'any');
};

/**
 * The functions that translate, by name: their CEL function, the kind of their result, how many
 * arguments they take, and whether they may have no value even where every argument has one.
 */
const FUNCTIONS: Record<string, readonly [string, Kind, number, number, boolean?]> = {
  string: ['jsonataString', 'string', 1, 1],
  number: ['jsonataNumber', 'number', 1, 1],
  boolean: ['jsonataBoolean', 'boolean', 1, 1],
  not: ['jsonataNot', 'boolean', 1, 1],
  floor: ['jsonataFloor', 'number', 1, 1],
  ceil: ['jsonataCeil', 'number', 1, 1],
  abs: ['jsonataAbs', 'number', 1, 1],
  uppercase: ['jsonataUppercase', 'string', 1, 1],
  lowercase: ['jsonataLowercase', 'string', 1, 1],
  length: ['jsonataLength', 'number', 1, 1],
  substring: ['jsonataSubstring', 'string', 2, 3],
  contains: ['jsonataContains', 'boolean', 2, 2],
  substringBefore: ['jsonataSubstringBefore', 'string', 2, 2],
  substringAfter: ['jsonataSubstringAfter', 'string', 2, 2],
  trim: ['jsonataTrim', 'string', 1, 1],
  join: ['jsonataJoin', 'string', 1, 2],
  sum: ['jsonataSum', 'number', 1, 1],
  max: ['jsonataMax', 'number', 1, 1, true],
  min: ['jsonataMin', 'number', 1, 1, true],
  average: ['jsonataAverage', 'number', 1, 1, true],
};

/** Functions whose second argument is text written in the expression, passed to CEL as text. */
const TEXT_SECOND = new Set(['contains', 'substringBefore', 'substringAfter', 'join']);

const contextName = (node: Node | undefined, what: string): string => {
  if (node?.type !== 'string') refuse(`${what} of a name computed from the message`);
  return String(node!.value);
};

const call = (node: Node, ctx: Context, depth: number): Translated => {
  if (node.type === 'partial') refuse('a partly applied function');
  const name = node.procedure?.type === 'variable' ? String(node.procedure.value) : '';
  const args = node.arguments ?? [];
  switch (name) {
    case 'now':
      if (args.length) refuse('$now with a picture or time zone');
      return always('jsonataNow(now)', 'string');
    case 'millis':
      if (args.length) refuse('$millis with arguments');
      return always('now', 'number');
    case 'exists':
      if (args.length !== 1) refuse('$exists without one argument');
      return always(`(size(${some(translate(args[0]!, ctx, depth))}) > 0)`, 'boolean');
    case 'round': {
      const places = args[1];
      if (args.length < 1 || args.length > 2) refuse('$round without one or two arguments');
      if (
        places &&
        (places.type !== 'number' || !Number.isInteger(places.value) || Math.abs(places.value as number) > 15)
      )
        refuse('$round to a number of places that is not a whole number written in the expression');
      const x = translate(args[0]!, ctx, depth);
      return result(`jsonataRound(${some(x)}, ${celLiteral(places ? places.value : 0)})`, [x], 'number');
    }
    case 'flowContext': {
      const key = contextName(args[0], '$flowContext');
      if (args.length !== 1) refuse('$flowContext of a context store');
      if (!ctx.flowVars.has(key)) refuse(`flow context “${key}” (use a Set variable node and vars.${key})`);
      return maybe(`jsonataGet(vars, ${celString(key)})`);
    }
    case 'globalContext': {
      const key = contextName(args[0], '$globalContext');
      if (args.length !== 1) refuse('$globalContext of a context store');
      if (!isGatewayVariable(key))
        refuse(`global context “${key}” (a gateway-wide variable is one plain name)`);
      return maybe(`jsonataGet(global, ${celString(key)})`);
    }
    case 'count':
      if (args.length !== 1) refuse('$count without one argument');
      return always(`jsonataCount(${some(translate(args[0]!, ctx, depth))})`, 'number');
    case 'env':
      return refuse(
        `the environment variable ${String(args[0]?.value ?? '')} (use a flow variable or the site profile)`,
      );
  }
  const known = FUNCTIONS[name];
  if (!known) return refuse(`the function $${name}`);
  const [fn, kind, min, max, none] = known;
  if (args.length < min || args.length > max) refuse(`$${name} with ${args.length} arguments`);
  const first = translate(args[0]!, ctx, depth);
  const rest = args.slice(1).map((a) => translate(a, ctx, depth));
  // Only the first argument may have no value: JSONata's checks of the others differ.
  if (rest.some((a) => a.maybeNone)) refuse(`$${name} of a second argument that may be missing`);
  if (TEXT_SECOND.has(name)) {
    if (args[1] && args[1].type !== 'string')
      refuse(`$${name} of a second argument that is not text written in the expression`);
    const text = celString(args[1] ? String(args[1].value) : '');
    if (name !== 'contains') return result(`${fn}(${some(first)}, ${text})`, [first], kind, none);
  }
  return result(`${fn}(${[first, ...rest].map(some).join(', ')})`, [first, ...rest], kind, none);
};

const translate = (node: Node, ctx: Context, depth: number): Translated => {
  if (depth > MAX_DEPTH) refuse(`an expression nested deeper than ${MAX_DEPTH} levels`);
  const next = depth + 1;
  if (node.type !== 'path' && staged(node, 'consarray'))
    refuse('a filter, grouping or focus (`[…]`, `{…}` or `@`) after a value');
  switch (node.type) {
    case 'string':
      return always(celString(String(node.value)), 'string');
    case 'number': {
      const n = node.value as number;
      if (!Number.isFinite(n)) refuse('a number out of range');
      return always(celLiteral(n), 'number');
    }
    case 'value':
      return always(String(node.value), node.value === null ? 'null' : 'boolean');
    case 'path':
      if (staged(node)) refuse('a filter or grouping on a path');
      return path(node, ctx, next);
    case 'binary':
      return binary(node, ctx, next);
    case 'condition':
      return condition(node, ctx, next);
    case 'function':
    case 'partial':
      return call(node, ctx, next);
    case 'block':
      if (node.expressions?.length !== 1) refuse('a block of several expressions (`;`) or none');
      return translate(node.expressions![0]!, ctx, next);
    case 'unary':
      if (node.value === '-') {
        const x = translate(node.expression!, ctx, next);
        return result(`jsonataNegate(${some(x)})`, [x], 'number');
      }
      if (node.value === '{') return objectOf(node, ctx, next);
      if (node.value === '[') return arrayOf(node, ctx, next);
      return refuse(`the operator “${String(node.value)}”`);
    case 'variable':
      return refuse(
        node.value === '' || node.value === '$'
          ? 'the whole message (`$` or `$$`)'
          : `the variable $${String(node.value)}`,
      );
    case 'regex':
      return refuse('a regular expression');
    case 'bind':
      return refuse('a variable assignment (`:=`)');
    case 'apply': {
      // `x ~> $f(a)` is `$f(x, a)`.
      const rhs = node.rhs;
      if (rhs?.type !== 'function') return refuse('the `~>` chain into something other than a function call');
      return call({ ...rhs, arguments: [node.lhs as Node, ...(rhs.arguments ?? [])] }, ctx, next);
    }
    case 'lambda':
      return refuse('a function definition');
    case 'transform':
      return refuse('a transform (`|…|…|`)');
    default:
      return refuse(`the ${node.type} construct`);
  }
};

/**
 * A JSONata expression as CEL, or why not. `flowVars` names the flow context values that are flow
 * variables here (context.ts): `$flowContext("count")` reads `vars.count` only for those.
 */
export const jsonataToCel = (
  source: string,
  flowVars: ReadonlySet<string> = new Set(),
): JsonataTranslation => {
  if (source.length > MAX_SOURCE)
    return { reason: `a JSONata expression longer than ${MAX_SOURCE} characters` };
  let ast: Node;
  try {
    ast = jsonata(source).ast() as unknown as Node;
  } catch (error) {
    return {
      reason: `a JSONata expression that does not parse (${String((error as Error).message ?? error)})`,
    };
  }
  try {
    const out = translate(ast, { flowVars, legacy: LEGACY.test(source) }, 0);
    if (syntaxErrorOf(out.cel) !== undefined)
      return { reason: 'a JSONata expression too large to translate' };
    return out;
  } catch (error) {
    if (error instanceof Refused) return { reason: `a JSONata expression with ${error.message}` };
    throw error;
  }
};
