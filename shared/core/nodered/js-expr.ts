/**
 * JavaScript expressions of a Node-RED function node as CEL, for the few forms whose meaning is
 * the same in both: literals, `msg.payload` paths, local variables, arithmetic on numbers,
 * comparisons (js-compare.ts), boolean logic, ternaries, text joined with `+` or a template
 * literal, and calls to JavaScript built-ins (js-builtins.ts). Anything else throws Untranslatable
 * naming what it met, so the node stays a placeholder instead of getting a guess.
 */
import type * as A from 'acorn';
import { celLiteral, celString } from './values';
import { builtinCall } from './js-builtins';
import { binary } from './js-compare';

/** The type a translated value is known to have ('unknown': a message value of any type). */
export type JsType = 'number' | 'string' | 'bool' | 'null' | 'map' | 'list' | 'unknown';

/** A JavaScript value as a CEL expression, with its type where known. */
export interface Sym {
  readonly cel: string;
  readonly type: JsType;
  /**
   * For a message property the message may lack (`msg.command`), the CEL test that it is there:
   * JavaScript reads a missing one as undefined where CEL fails, so tests of it test this first.
   */
  readonly guard?: string;
}

/** Thrown for JavaScript that has no exact CEL translation; the message says what it was. */
export class Untranslatable extends Error {
  override readonly name = 'Untranslatable';
}

/** What an expression can read: local variables, the message, and where to report changes. */
export interface Scope {
  /** A local variable's value; undefined when it has none. */
  readonly local: (name: string) => Sym | undefined;
  /** The value at `msg.<path...>`; path[0] is the property after `msg`. */
  readonly msg: (path: readonly string[]) => Sym;
  /** Records a difference the translation brings (a 'changed' note). */
  readonly change: (message: string) => void;
  /** A node, flow or global context value read with `flow.get("name")`; undefined when it has no equivalent. */
  readonly context: (store: string, name: string) => Sym | undefined;
  /** Records `context.set("name", value)` (or flow.set); throws Untranslatable where it has no equivalent. */
  readonly setContext: (store: string, name: string, value: Sym) => void;
  /** A call to a local function of the code, inlined; undefined when `name` is none. */
  readonly call?: (name: string, args: readonly A.Expression[], from: Scope) => Sym | undefined;
  /** Numbers one `Math.random()` draw of the code (`jsRandom(n)`); without it Math.random is refused. */
  readonly draw?: () => number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** True when `cel` is one parenthesised whole: `(a) || (b)` is not, `(a || b)` is. */
export const isWrapped = (cel: string): boolean => {
  if (!cel.startsWith('(') || !cel.endsWith(')')) return false;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < cel.length; i++) {
    const ch = cel[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0 && i < cel.length - 1) return false;
  }
  return true;
};
/** A value's CEL text as an operand: parenthesised unless it is one name, literal or group. */
export const atom = (s: Sym): string =>
  /^[A-Za-z_][A-Za-z0-9_.]*$|^"[^"\\]*"$|^-?[\d.]+(e[+-]?\d+)?$/.test(s.cel) || isWrapped(s.cel)
    ? s.cel
    : `(${s.cel})`;

/** A value with its CEL text and type. */
export const sym = (cel: string, type: JsType): Sym => ({ cel, type });

/** Appends a property name to a CEL path (`payload` + `temp` → `payload.temp`). */
export const member = (base: Sym, name: string): Sym =>
  sym(IDENT.test(name) ? `${atom(base)}.${name}` : `${atom(base)}[${celString(name)}]`, 'unknown');

/** JavaScript truthiness as a CEL condition (NaN included: jsNumber("x") and 0 / 0 are falsy). */
export const truthy = (s: Sym): string => {
  if (s.guard) return `${s.guard} && ${atom(sym(truthy({ cel: s.cel, type: s.type }), 'bool'))}`;
  if (s.type === 'bool') return s.cel;
  const v = atom(s);
  if (s.type === 'string') return `${v} != ""`;
  // NaN (jsNumber("x"), 0 / 0) is falsy too, and the one number not equal to itself.
  if (s.type === 'number')
    return /^-?[\d.]+(e[+-]?\d+)?$/.test(v) ? `${v} != 0.0` : `${v} != 0.0 && ${v} == ${v}`;
  if (s.type === 'map' || s.type === 'list') return 'true';
  if (s.type === 'null') return 'false';
  return `jsTruthy(${s.cel})`;
};

const describe = (node: A.Node): string => {
  const names: Record<string, string> = {
    FunctionExpression: 'a function',
    ArrowFunctionExpression: 'a function',
    NewExpression: 'a `new` object',
    AssignmentExpression: 'an assignment inside an expression',
    UpdateExpression: 'an increment inside an expression',
    SequenceExpression: 'a comma expression',
    AwaitExpression: 'await',
    ThisExpression: '`this`',
  };
  return names[node.type] ?? `a ${node.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`;
};

/** The `msg.a.b` path of a member expression, or null when it does not start at `msg`. */
export const msgPathOf = (node: A.Node): string[] | null => {
  const path: string[] = [];
  let at: A.Node = node;
  while (at.type === 'MemberExpression') {
    const m = at as A.MemberExpression;
    if (!m.computed && m.property.type === 'Identifier') path.unshift(m.property.name);
    else if (m.computed && m.property.type === 'Literal' && typeof m.property.value === 'string')
      path.unshift(m.property.value);
    else return null;
    at = m.object;
  }
  return at.type === 'Identifier' && (at as A.Identifier).name === 'msg' && path.length > 0 ? path : null;
};

/** An expression used as a condition (an if test), with JavaScript's truthiness, as a CEL bool. */
export const condition = (node: A.Node, scope: Scope): string => {
  if (node.type === 'LogicalExpression' && (node as A.LogicalExpression).operator !== '??') {
    const l = node as A.LogicalExpression;
    return `${atom(sym(condition(l.left, scope), 'bool'))} ${l.operator} ${atom(sym(condition(l.right, scope), 'bool'))}`;
  }
  if (node.type === 'UnaryExpression' && (node as A.UnaryExpression).operator === '!')
    return `!${atom(sym(condition((node as A.UnaryExpression).argument, scope), 'bool'))}`;
  if (node.type === 'MemberExpression' && !(node as A.MemberExpression).computed) {
    // A missing key reads as undefined (falsy) in JavaScript, where CEL fails: has() first.
    const value = translate(node, scope);
    if (!value.guard && /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(value.cel))
      return `has(${value.cel}) && ${atom(sym(truthy(value), 'bool'))}`;
    return truthy(value);
  }
  return truthy(translate(node, scope));
};

/** The name a call is made to (`Math.round`, `msg.payload.toFixed`), for the report. */
const calleeName = (n: A.Node): string =>
  n.type === 'Identifier'
    ? (n as A.Identifier).name
    : n.type === 'MemberExpression' &&
        !(n as A.MemberExpression).computed &&
        (n as A.MemberExpression).property.type === 'Identifier'
      ? `${calleeName((n as A.MemberExpression).object)}.${((n as A.MemberExpression).property as A.Identifier).name}`
      : '…';

const SAFE_CALLS = new Set([
  'Number',
  'parseInt',
  'parseFloat',
  'isNaN',
  'String',
  'Array.isArray',
  'JSON.stringify',
  ...['round', 'floor', 'ceil', 'abs', 'trunc', 'sign', 'sqrt', 'min', 'max', 'pow', 'random'].map(
    (f) => `Math.${f}`,
  ),
]);

/** True when evaluating `node` in JavaScript may throw (it reads a property or calls something). */
export const mayThrow = (node: A.Node | null | undefined): boolean => {
  if (!node || typeof node !== 'object') return false;
  // msg is always an object: reading one of its own properties (msg.topic) cannot throw.
  if (node.type === 'MemberExpression') {
    const m = node as A.MemberExpression;
    return !(m.object.type === 'Identifier' && (m.object as A.Identifier).name === 'msg' && !m.computed);
  }
  // These built-ins give a value for every JSON value (NaN at worst): only their arguments may throw.
  if (node.type === 'CallExpression' && !SAFE_CALLS.has(calleeName((node as A.CallExpression).callee)))
    return true;
  return Object.values(node).some((v) =>
    Array.isArray(v)
      ? v.some((x) => x && typeof x === 'object' && 'type' in x && mayThrow(x as A.Node))
      : v && typeof v === 'object' && 'type' in v && mayThrow(v as A.Node),
  );
};

/** Translates one expression. */
export const translate = (node: A.Node, scope: Scope): Sym => {
  const t = (n: A.Node) => translate(n, scope);
  switch (node.type) {
    case 'Literal': {
      const { value } = node as A.Literal;
      if (typeof value === 'number') return sym(celLiteral(value), 'number');
      if (typeof value === 'string') return sym(celString(value), 'string');
      if (typeof value === 'boolean') return sym(String(value), 'bool');
      if (value === null) return sym('null', 'null');
      throw new Untranslatable('a regular expression');
    }
    case 'Identifier': {
      const name = (node as A.Identifier).name;
      const local = scope.local(name);
      if (local) return local;
      throw new Untranslatable(
        name === 'msg' ? 'the whole message object' : `\`${name}\` (not a local variable set here)`,
      );
    }
    case 'MemberExpression': {
      const m = node as A.MemberExpression;
      if (!m.computed && m.property.type === 'Identifier' && m.property.name === 'length') {
        const base = t(m.object);
        if (base.type === 'list') return sym(`size(${base.cel})`, 'number');
        if (base.type !== 'string' && base.type !== 'unknown')
          throw new Untranslatable('`.length` of a value that is not text or a list');
        // JavaScript counts UTF-16 units (an emoji is 2); where it gives undefined the run fails.
        return sym(`jsLength(${base.cel})`, 'number');
      }
      const path = msgPathOf(node);
      if (path) return scope.msg(path);
      const base = t(m.object);
      if (!m.computed && m.property.type === 'Identifier') return member(base, m.property.name);
      if (m.computed && m.property.type === 'Literal') {
        const key = (m.property as A.Literal).value;
        if (typeof key === 'string') return member(base, key);
        if (typeof key === 'number' && Number.isInteger(key) && key >= 0)
          return sym(`${atom(base)}[${key}]`, 'unknown');
      }
      if (!m.computed || m.property.type === 'PrivateIdentifier') throw new Untranslatable('a private name');
      // A key picked at run time is JavaScript's own read (a number or text key, as JavaScript
      // converts it); where JavaScript gives undefined the run fails.
      const key = t(m.property);
      if (key.guard) throw new Untranslatable('a property picked by a message property the message may lack');
      return sym(`jsGet(${base.cel}, ${key.cel})`, 'unknown');
    }
    case 'TemplateLiteral': {
      const tl = node as A.TemplateLiteral;
      const parts: string[] = [];
      tl.quasis.forEach((q, i) => {
        if (q.value.cooked) parts.push(celString(q.value.cooked));
        const e = tl.expressions[i];
        if (e) parts.push(asText(t(e), scope));
      });
      return sym(parts.length ? parts.join(' + ') : '""', 'string');
    }
    case 'UnaryExpression': {
      const u = node as A.UnaryExpression;
      const arg = t(u.argument);
      if (u.operator === '!') return sym(`!${atom(sym(condition(u.argument, scope), 'bool'))}`, 'bool');
      if (u.operator === '-' && arg.type === 'number') return sym(`-${atom(arg)}`, 'number');
      throw new Untranslatable(`the \`${u.operator}\` operator`);
    }
    case 'LogicalExpression': {
      const l = node as A.LogicalExpression;
      const [a, b] = [t(l.left), t(l.right)];
      if (a.type === 'bool' && b.type === 'bool') return sym(`${atom(a)} ${l.operator} ${atom(b)}`, 'bool');
      // JavaScript gives one of the two values: `x || 27` is x when x is truthy.
      const type = a.type === b.type ? a.type : 'unknown';
      if (l.operator === '||') return sym(`${atom(sym(truthy(a), 'bool'))} ? ${atom(a)} : ${atom(b)}`, type);
      if (l.operator === '&&') return sym(`${atom(sym(truthy(a), 'bool'))} ? ${atom(b)} : ${atom(a)}`, type);
      return sym(`${a.guard ? `${a.guard} && ` : ''}${atom(a)} != null ? ${atom(a)} : ${atom(b)}`, type);
    }
    case 'BinaryExpression':
      return binary(node as A.BinaryExpression, scope);
    case 'ConditionalExpression': {
      const c = node as A.ConditionalExpression;
      const [a, b] = [t(c.consequent), t(c.alternate)];
      const test = sym(condition(c.test, scope), 'bool');
      return sym(`${atom(test)} ? ${atom(a)} : ${atom(b)}`, a.type === b.type ? a.type : 'unknown');
    }
    case 'ObjectExpression': {
      const entries = (node as A.ObjectExpression).properties.map((p) => {
        if (p.type !== 'Property' || p.computed || p.kind !== 'init' || p.method)
          throw new Untranslatable('an object with computed keys, methods or spread');
        const key =
          p.key.type === 'Identifier'
            ? p.key.name
            : p.key.type === 'Literal' && typeof p.key.value === 'string'
              ? p.key.value
              : null;
        if (key === null) throw new Untranslatable('an object key that is not a name');
        return `${celString(key)}: ${t(p.value).cel}`;
      });
      return sym(`{${entries.join(', ')}}`, 'map');
    }
    case 'ArrayExpression': {
      const items = (node as A.ArrayExpression).elements.map((e) => {
        if (!e || e.type === 'SpreadElement') throw new Untranslatable('a list with holes or spread');
        return t(e).cel;
      });
      return sym(`[${items.join(', ')}]`, 'list');
    }
    case 'CallExpression':
      return call(node as A.CallExpression, scope);
    default:
      throw new Untranslatable(describe(node));
  }
};

/** A value as text the way JavaScript's `+` and template literals write it. */
export const asText = (s: Sym, scope: Scope): string => {
  if (s.type === 'string') return atom(s);
  if (s.type === 'map' || s.type === 'list' || s.type === 'unknown')
    scope.change(
      'An object or list joined into text is written as JSON, where JavaScript writes [object Object] or 1,2.',
    );
  return `string(${s.cel})`;
};

const call = (c: A.CallExpression, scope: Scope): Sym => {
  const callee = c.callee;
  const args = c.arguments.map((a) => {
    if (a.type === 'SpreadElement') throw new Untranslatable('a spread argument');
    return a;
  });
  if (callee.type === 'Identifier' && scope.call) {
    const inlined = scope.call(callee.name, args, scope);
    if (inlined) return inlined;
  }
  if (callee.type === 'Identifier' && callee.name === 'String' && args.length === 1)
    return sym(asText(translate(args[0]!, scope), scope), 'string');
  if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') {
    const name = callee.property.name;
    const owner = callee.object.type === 'Identifier' ? callee.object.name : '';
    if (owner === 'Date' && name === 'now' && args.length === 0) return sym('now', 'number');
    if ((owner === 'flow' || owner === 'global' || owner === 'context') && name === 'get') {
      const key = args.length === 1 && args[0]!.type === 'Literal' ? (args[0] as A.Literal).value : null;
      const value = typeof key === 'string' ? scope.context(owner, key) : undefined;
      if (value) return value;
      throw new Untranslatable(
        `${owner} context${typeof key === 'string' ? ` “${key}”` : ''}${
          owner === 'global'
            ? ' (a name picked at run time, or a key that is not plain names joined by dots)'
            : owner === 'flow'
              ? ' (not one flow variable: set outside this tab, by a name picked at run time, or never)'
              : ''
        }`,
      );
    }
    if (name === 'toString' && args.length === 0) {
      const base = translate(callee.object, scope);
      // A known number, text or boolean reads best as CEL's string(); any other value (null
      // throws, an object gives "[object Object]") goes to jsMethod with the rest.
      if (base.type === 'number' || base.type === 'string' || base.type === 'bool')
        return sym(asText(base, scope), 'string');
    }
  }
  const builtin = builtinCall(callee, args, scope);
  if (builtin) return builtin;
  throw new Untranslatable(`a call to ${calleeName(callee)}()`);
};
