/**
 * Comparisons in a Node-RED function node's JavaScript as CEL: strict ones as CEL's `==` and
 * `<`, loose `==` between values that may differ in type as `jsEquals` (JavaScript's own `==`),
 * `typeof x === "name"` as CEL type tests, and tests of undefined (a property the message or an
 * object may lack) as `has()` or `jsDefined`.
 */
import type * as A from 'acorn';
import { asText, atom, sym, translate, Untranslatable, type Scope, type Sym } from './js-expr';

const COMPARE: Record<string, string> = {
  '===': '==',
  '!==': '!=',
  '<': '<',
  '>': '>',
  '<=': '<=',
  '>=': '>=',
};

// What `typeof v === name` tests, as CEL over v's value (message values are JSON, text or bytes).
const TYPEOF: Record<string, (v: string) => string> = {
  string: (v) => `type(${v}) == string`,
  number: (v) => `(type(${v}) == double || type(${v}) == int)`,
  boolean: (v) => `type(${v}) == bool`,
  object: (v) => `(${v} == null || type(${v}) == map || type(${v}) == list || type(${v}) == bytes)`,
};

/** `typeof x === "string"` (either way round, also `!==`, `==`, `!=`) as CEL, or undefined when it is not that form. */
const typeofTest = (b: A.BinaryExpression, scope: Scope): Sym | undefined => {
  if (!['===', '!==', '==', '!='].includes(b.operator)) return undefined;
  const [u, lit] =
    b.left.type === 'UnaryExpression' && b.left.operator === 'typeof'
      ? [b.left, b.right]
      : b.right.type === 'UnaryExpression' && b.right.operator === 'typeof'
        ? [b.right, b.left]
        : [undefined, undefined];
  if (!u || lit.type !== 'Literal' || typeof lit.value !== 'string') return undefined;
  const value = translate(u.argument, scope);
  const name = lit.value;
  let test: string;
  if (name === 'undefined') {
    if (!value.guard)
      throw new Untranslatable('`typeof … === "undefined"` of a value that is never undefined here');
    test = `!${value.guard}`;
  } else {
    const of = TYPEOF[name];
    // Functions, symbols and bigints never travel in a message: such a test is false.
    const inner = of ? of(atom(bare(value))) : 'false';
    test = value.guard ? `${value.guard} && ${atom(sym(inner, 'bool'))}` : inner;
  }
  return sym(b.operator.startsWith('!') ? `!${atom(sym(test, 'bool'))}` : test, 'bool');
};

/** A binary expression (comparison or arithmetic) as CEL. */
export const binary = (b: A.BinaryExpression, scope: Scope): Sym => {
  if (b.left.type === 'PrivateIdentifier') throw new Untranslatable('a private name');
  const typed = typeofTest(b, scope) ?? undefinedTest(b, scope);
  if (typed) return typed;
  const [l, r] = [translate(b.left, scope), translate(b.right, scope)];
  const op = b.operator;
  if ((l.guard || r.guard) && (COMPARE[op] || op === '==' || op === '!=')) {
    if (l.guard && r.guard)
      throw new Untranslatable('a comparison of two message properties either may lack');
    const guard = (l.guard ?? r.guard)!;
    const other = l.guard ? r : l;
    // The shortcut below takes the other side to be defined: a property read (payload.a) may not be.
    if (other.type === 'unknown' && other.cel !== 'payload')
      throw new Untranslatable(
        'a comparison of a message property the message may lack with a value that may be undefined',
      );
    const inner = atom(compare(op, bare(l), bare(r), scope));
    // undefined equals nothing but undefined (and null, loosely) and is neither < nor > anything.
    if ((op === '==' && other.type === 'null') || op === '!==' || (op === '!=' && other.type !== 'null'))
      return sym(`!${guard} || ${inner}`, 'bool');
    return sym(`${guard} && ${inner}`, 'bool');
  }
  return compare(op, l, r, scope);
};

const bare = (s: Sym): Sym => ({ cel: s.cel, type: s.type });

const isUndefined = (n: A.Node): boolean =>
  (n.type === 'Identifier' && (n as A.Identifier).name === 'undefined') ||
  (n.type === 'UnaryExpression' &&
    (n as A.UnaryExpression).operator === 'void' &&
    (n as A.UnaryExpression).argument.type === 'Literal');

/**
 * `x === undefined` (and `!==`, `==`, `!=`, either way round) as CEL, or undefined when it is not
 * that form: for a message property the message may lack its has() test, for a property of an
 * object `jsDefined` (JavaScript's own read, which throws on null as JavaScript does).
 */
const undefinedTest = (b: A.BinaryExpression, scope: Scope): Sym | undefined => {
  if (!['===', '!==', '==', '!='].includes(b.operator)) return undefined;
  const other = isUndefined(b.right) ? b.left : isUndefined(b.left) ? b.right : undefined;
  if (!other || other.type === 'PrivateIdentifier') return undefined;
  if (isUndefined(other)) throw new Untranslatable('a comparison of undefined with undefined');
  const value = translate(other, scope);
  let defined: string;
  if (value.guard) defined = value.guard;
  else {
    const m = other as A.MemberExpression;
    const key =
      m.type !== 'MemberExpression'
        ? undefined
        : !m.computed && m.property.type === 'Identifier'
          ? m.property.name
          : m.computed && m.property.type === 'Literal' && typeof m.property.value !== 'boolean'
            ? String(m.property.value)
            : undefined;
    // msg.payload and msg.topic: every Fieldgraph message has them, a Node-RED one may not.
    if (key === undefined || (m.object.type === 'Identifier' && (m.object as A.Identifier).name === 'msg'))
      throw new Untranslatable('a test of undefined on a value that is never undefined here');
    defined = `jsDefined(${translate(m.object, scope).cel}, ${JSON.stringify(key)})`;
  }
  const loose = b.operator.length === 2;
  const equal = b.operator.startsWith('=');
  // Loosely, null equals undefined too.
  const test = equal
    ? loose
      ? `!${atom(sym(defined, 'bool'))} || ${atom(value)} == null`
      : `!${atom(sym(defined, 'bool'))}`
    : loose
      ? `${defined} && ${atom(value)} != null`
      : defined;
  return sym(test, 'bool');
};

/** A binary operator on two translated values. */
const compare = (op: string, l: Sym, r: Sym, scope: Scope): Sym => {
  if (op === '==' || op === '!=') {
    // Loose equality converts types ("1" == 1, 0 == false, [1] == "1"): CEL's == only where both
    // are known to be the same scalar type or one is null, JavaScript's own (jsEquals) otherwise.
    for (const s of [l, r])
      if (s.type === 'map' || s.type === 'list')
        throw new Untranslatable(`\`${op}\` with an object or list (JavaScript compares their identity)`);
    const sameKind = l.type === r.type && l.type !== 'unknown';
    if (sameKind || l.type === 'null' || r.type === 'null') return sym(`${atom(l)} ${op} ${atom(r)}`, 'bool');
    return sym(`${op === '!=' ? '!' : ''}jsEquals(${l.cel}, ${r.cel})`, 'bool');
  }
  if (COMPARE[op]) return sym(`${atom(l)} ${COMPARE[op]} ${atom(r)}`, 'bool');
  if (op === '+') {
    if (l.type === 'number' && r.type === 'number') return sym(`${atom(l)} + ${atom(r)}`, 'number');
    if (l.type === 'string' || r.type === 'string')
      return sym(`${asText(l, scope)} + ${asText(r, scope)}`, 'string');
    if (
      (l.type === 'number' || l.type === 'unknown') &&
      (r.type === 'number' || r.type === 'unknown') &&
      l.type !== r.type
    )
      return sym(`${atom(l)} + ${atom(r)}`, 'number');
    throw new Untranslatable('`+` on two values of unknown type (JavaScript adds numbers but joins text)');
  }
  if (op === '-' || op === '*' || op === '/') {
    for (const s of [l, r])
      if (s.type !== 'number' && s.type !== 'unknown') throw new Untranslatable(`\`${op}\` on a ${s.type}`);
    return sym(`${atom(l)} ${op} ${atom(r)}`, 'number');
  }
  // JavaScript's remainder works on doubles and converts its operands; CEL's % takes ints only.
  if (op === '%') return sym(`jsRemainder(${l.cel}, ${r.cel})`, 'number');
  throw new Untranslatable(`the \`${op}\` operator`);
};
