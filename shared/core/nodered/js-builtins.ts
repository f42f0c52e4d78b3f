/**
 * Calls to JavaScript built-ins in a Node-RED function node as CEL: `Math.round`, `Number`,
 * `parseInt`, `JSON.parse`, `Object.keys`, and the methods of text, numbers and lists
 * (`msg.payload.toUpperCase()`, `.split(",")`, `.toFixed(1)`). Each becomes the CEL function
 * that runs the built-in itself (shared/core/expr/javascript.ts), so coercion, NaN and errors are
 * JavaScript's; a few text methods on a value known to be text stay CEL's own (`contains`).
 */
import type * as A from 'acorn';
import {
  atom,
  condition,
  sym,
  translate,
  Untranslatable,
  type JsType,
  type Scope,
  type Sym,
} from './js-expr';
import { celString } from './values';

/** Text methods whose CEL counterpart gives the same result for text arguments. */
const CEL_STRING_METHODS: Record<string, { cel: string; args: number; type: JsType }> = {
  includes: { cel: 'contains', args: 1, type: 'bool' },
  startsWith: { cel: 'startsWith', args: 1, type: 'bool' },
  endsWith: { cel: 'endsWith', args: 1, type: 'bool' },
  trim: { cel: 'trim', args: 0, type: 'string' },
};

/**
 * The methods jsMethod runs (see javascript.ts), with the type of their result: where only text
 * has the method, a result means the value was text; `includes` and `indexOf` lists have too.
 */
const METHODS = new Map<string, JsType>([
  ...(
    [
      'toUpperCase',
      'toLowerCase',
      'trim',
      'trimStart',
      'trimEnd',
      'substring',
      'substr',
      'replace',
      'replaceAll',
      'charAt',
      'padStart',
      'padEnd',
      'toString',
      'toFixed',
      'toPrecision',
      'join',
    ] as const
  ).map((m) => [m, 'string'] as const),
  ...(['includes', 'startsWith', 'endsWith', 'hasOwnProperty'] as const).map((m) => [m, 'bool'] as const),
  ...(['indexOf', 'lastIndexOf', 'charCodeAt'] as const).map((m) => [m, 'number'] as const),
  ...(['slice', 'at', 'concat'] as const).map((m) => [m, 'unknown'] as const),
  ...(['split'] as const).map((m) => [m, 'list'] as const),
]);

const MATH_ONE: Record<string, string> = {
  round: 'jsRound',
  floor: 'jsFloor',
  ceil: 'jsCeil',
  abs: 'jsAbs',
  trunc: 'jsTrunc',
  sign: 'jsSign',
  sqrt: 'jsSqrt',
};
const MATH_FOLD: Record<string, string> = { min: 'jsMin', max: 'jsMax' };

/** NaN as CEL: what a numeric built-in gives for undefined. */
const NAN = 'double("NaN")';

/**
 * A numeric built-in of one value. A message property the message may lack is undefined in
 * JavaScript, which every one of them turns into NaN.
 */
const numeric = (fn: string, arg: Sym, rest: readonly Sym[] = []): Sym => {
  const call = `${fn}(${[arg, ...rest].map((a) => a.cel).join(', ')})`;
  return sym(arg.guard ? `${arg.guard} ? ${call} : ${NAN}` : call, 'number');
};

const noGuards = (args: readonly Sym[], what: string) => {
  if (args.some((a) => a.guard))
    throw new Untranslatable(`${what} of a message property the message may lack (undefined)`);
};

/** A call to a built-in as CEL, or undefined when the call names none of them. */
export const builtinCall = (
  callee: A.Node,
  nodes: readonly A.Expression[],
  scope: Scope,
): Sym | undefined => {
  const args = () => nodes.map((a) => translate(a, scope));
  if (callee.type === 'Identifier') {
    const name = (callee as A.Identifier).name;
    if (nodes.length === 1 && (name === 'Number' || name === 'parseFloat'))
      return numeric(name === 'Number' ? 'jsNumber' : 'jsParseFloat', args()[0]!);
    if (name === 'parseInt' && (nodes.length === 1 || nodes.length === 2)) {
      const [x, ...radix] = args();
      noGuards(radix, 'parseInt() with a radix');
      return numeric('jsParseInt', x!, radix);
    }
    if (name === 'isNaN' && nodes.length === 1) {
      const x = numeric('jsNumber', args()[0]!);
      return sym(`${atom(x)} != ${atom(x)}`, 'bool');
    }
    return undefined;
  }
  if (callee.type !== 'MemberExpression') return undefined;
  const m = callee as A.MemberExpression;
  if (m.computed || m.property.type !== 'Identifier') return undefined;
  const name = m.property.name;
  const owner = m.object.type === 'Identifier' ? (m.object as A.Identifier).name : '';
  if (owner === 'Math' && scope.local('Math') === undefined) {
    if (name === 'random' && nodes.length === 0 && scope.draw)
      return sym(`jsRandom(${scope.draw()})`, 'number');
    const list = args();
    if (MATH_ONE[name] && list.length === 1) return numeric(MATH_ONE[name], list[0]!);
    if ((MATH_FOLD[name] || name === 'pow') && list.length >= 2) {
      noGuards(list, `Math.${name}()`);
      if (name === 'pow' && list.length !== 2) return undefined;
      const fn = MATH_FOLD[name] ?? 'jsPow';
      return sym(
        list.slice(1).reduce((acc, b) => `${fn}(${acc}, ${b.cel})`, list[0]!.cel),
        'number',
      );
    }
    return undefined;
  }
  if (owner === 'JSON' && scope.local('JSON') === undefined) {
    const list = args();
    noGuards(list, `JSON.${name}()`);
    if (name === 'parse' && list.length === 1) return sym(`jsonParse(${list[0]!.cel})`, 'unknown');
    if (name === 'stringify' && list.length === 1) return sym(`jsonStringify(${list[0]!.cel})`, 'string');
    if (name === 'stringify' && list.length === 3 && list[1]!.type === 'null')
      return sym(`jsonStringify(${list[0]!.cel}, ${list[2]!.cel})`, 'string');
    return undefined;
  }
  if (owner === 'Object' && scope.local('Object') === undefined) {
    const list = args();
    noGuards(list, `Object.${name}()`);
    if (name === 'keys' && list.length === 1) return sym(`jsKeys(${list[0]!.cel})`, 'list');
    return undefined;
  }
  if (owner === 'Array' && name === 'isArray' && nodes.length === 1 && scope.local('Array') === undefined) {
    const [x] = args();
    const test = `type(${x!.cel}) == list`;
    return sym(x!.guard ? `${x!.guard} && ${test}` : test, 'bool');
  }
  return method(m.object, name, nodes, scope);
};

/** The one parameter and returned expression of `x => expr`, `x => { return expr; }` or `function (x) { return expr; }`. */
const callback = (node: A.Node | undefined): { param: string; body: A.Expression } | undefined => {
  if (!node || (node.type !== 'ArrowFunctionExpression' && node.type !== 'FunctionExpression'))
    return undefined;
  const f = node as A.ArrowFunctionExpression | A.FunctionExpression;
  if (f.async || f.generator || f.params.length !== 1 || f.params[0]!.type !== 'Identifier') return undefined;
  const param = (f.params[0] as A.Identifier).name;
  if (f.body.type !== 'BlockStatement') return { param, body: f.body };
  const [only, ...more] = f.body.body;
  if (more.length || only?.type !== 'ReturnStatement' || !only.argument) return undefined;
  return { param, body: only.argument };
};

/**
 * `list.map(x => …)`, `.filter`, `.some` and `.every` as CEL's macros, over a list only: a map
 * has no such method in JavaScript (it throws, as jsMethod does), where CEL would run over its
 * keys. `some` and `every` read every element (CEL's exists() would swallow an element's error
 * JavaScript throws on): an element JavaScript never reaches can fail the run here.
 */
const iteration = (
  object: A.Node,
  name: string,
  nodes: readonly A.Expression[],
  scope: Scope,
): Sym | undefined => {
  if (!['map', 'filter', 'some', 'every'].includes(name) || nodes.length !== 1) return undefined;
  const f = callback(nodes[0]);
  if (!f)
    throw new Untranslatable(`a \`.${name}()\` whose callback is not one parameter returning one expression`);
  const list = translate(object, scope);
  const v = `e_${f.param}`;
  const inner: Scope = { ...scope, local: (n) => (n === f.param ? sym(v, 'unknown') : scope.local(n)) };
  const per =
    name === 'map'
      ? `${atom(list)}.map(${v}, ${translate(f.body, inner).cel})`
      : `${atom(list)}.filter(${v}, ${name === 'every' ? `!${atom(sym(condition(f.body, inner), 'bool'))}` : condition(f.body, inner)})`;
  const value = name === 'some' ? `${per}.size() > 0` : name === 'every' ? `${per}.size() == 0` : per;
  const type = name === 'some' || name === 'every' ? 'bool' : 'list';
  if (list.type === 'list') return sym(value, type);
  return sym(
    `type(${list.cel}) == list ? ${atom(sym(value, type))} : jsMethod(${list.cel}, ${celString(name)}, [])`,
    type,
  );
};

/** `value.name(args)`: CEL's own text function where it agrees, otherwise jsMethod. */
const method = (
  object: A.Node,
  name: string,
  nodes: readonly A.Expression[],
  scope: Scope,
): Sym | undefined => {
  const iterated = iteration(object, name, nodes, scope);
  if (iterated) return iterated;
  const type = METHODS.get(name);
  if (!type) return undefined;
  // The value is read first: a method of a missing property fails in JavaScript as in CEL.
  const base = translate(object, scope);
  const list = nodes.map((a) => translate(a, scope));
  noGuards(list, `\`.${name}()\``);
  const own = Object.hasOwn(CEL_STRING_METHODS, name) ? CEL_STRING_METHODS[name] : undefined;
  if (own && base.type === 'string' && list.length === own.args && list.every((a) => a.type === 'string'))
    return sym(`${atom(base)}.${own.cel}(${list.map((a) => a.cel).join(', ')})`, own.type);
  return sym(`jsMethod(${base.cel}, ${celString(name)}, [${list.map((a) => a.cel).join(', ')}])`, type);
};
