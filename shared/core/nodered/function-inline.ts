/**
 * Local functions of a Node-RED function node (`function isInt(n) {…}`, `const f = (a, b) => …`)
 * inlined where they are called: the body runs symbolically with its parameters bound to the
 * arguments' values, every path's returned value becoming one CEL value picked by the paths'
 * conditions. Only pure functions are inlined: one that changes the message, a variable outside
 * it or context, logs, recurses, may end without returning a value, or takes default, rest or
 * destructured parameters keeps the code a placeholder with that reason.
 */
import type * as A from 'acorn';
import { all, wrap, type Ended, type State } from './function-graph';
import { copy } from './function-state';
import { translate, Untranslatable, type Scope, type Sym } from './js-expr';

/** What running statements gives: the paths that ended and, if one goes on, its condition and state. */
export interface Run {
  readonly ended: Ended[];
  going?: { cond: readonly string[]; state: State };
}

/** Runs statements on a state; `inFunction` makes `return x` end the path with x's value. */
export type Exec = (body: readonly A.Node[], state: State, inFunction: boolean) => Run;

type Fn = A.FunctionDeclaration | A.FunctionExpression | A.ArrowFunctionExpression;

const MAX_DEPTH = 8;
const MAX_CEL = 20_000;

/** The names declared with var/let/const anywhere in `node`, nested functions left out. */
const declaredIn = (node: unknown, out = new Set<string>()): Set<string> => {
  if (!node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const x of node) declaredIn(x, out);
    return out;
  }
  const n = node as A.Node;
  if (/Function/.test(n.type)) return out;
  if (n.type === 'VariableDeclarator') {
    const id = (n as A.VariableDeclarator).id;
    if (id.type === 'Identifier') out.add(id.name);
  }
  for (const [k, v] of Object.entries(n)) if (k !== 'type' && v && typeof v === 'object') declaredIn(v, out);
  return out;
};

const cels = (m: ReadonlyMap<string, Sym | null>) =>
  JSON.stringify([...m].map(([k, v]) => [k, v?.cel ?? null]));

/** Why a path through a function body did more than compute its value, or undefined. */
const sideEffect = (before: State, after: State, own: ReadonlySet<string>): string | undefined => {
  if (after.logs.length !== before.logs.length) return 'logs';
  if (after.sets.length !== before.sets.length) return 'sets context';
  if (
    after.payload.cel !== before.payload.cel ||
    after.topic?.cel !== before.topic?.cel ||
    cels(after.fields) !== cels(before.fields) ||
    cels(after.other) !== cels(before.other) ||
    [...after.removed].join() !== [...before.removed].join()
  )
    return 'changes the message';
  for (const [name, v] of before.locals)
    if (!own.has(name) && after.locals.get(name)?.cel !== v?.cel)
      return `changes \`${name}\`, declared outside it`;
  return undefined;
};

/** The local functions of one run of code: declared as met, inlined where called. */
export const localFunctions = (exec: Exec) => {
  const functions = new Map<string, Fn>();
  const inlining: string[] = [];
  return {
    /** Registers a function declaration or a variable holding a function expression. */
    declare: (name: string, fn: Fn) => {
      if (functions.has(name)) throw new Untranslatable(`\`${name}\` declared twice`);
      functions.set(name, fn);
    },
    has: (name: string) => functions.has(name),
    /** The value of `name(args)` on state `s`, or undefined when `name` is no local function. */
    call: (name: string, args: readonly A.Expression[], s: State, scope: Scope): Sym | undefined => {
      const f = functions.get(name);
      if (!f || s.locals.has(name)) return undefined;
      if (inlining.includes(name)) throw new Untranslatable(`a recursive function (\`${name}\`)`);
      if (inlining.length >= MAX_DEPTH)
        throw new Untranslatable(`functions calling functions ${MAX_DEPTH} deep`);
      if (f.async || f.generator) throw new Untranslatable('an async or generator function');
      const params = f.params.map((p) => {
        if (p.type !== 'Identifier')
          throw new Untranslatable('a function with default, rest or destructured parameters');
        return p.name;
      });
      // A missing argument is undefined, an extra one still evaluated: neither is translated.
      if (args.length !== params.length)
        throw new Untranslatable(
          `\`${name}\` called with ${args.length} arguments where it takes ${params.length}`,
        );
      const values = args.map((a) => translate(a, scope));
      const body: readonly A.Node[] =
        f.body.type === 'BlockStatement'
          ? f.body.body
          : [
              {
                type: 'ReturnStatement',
                argument: f.body,
                start: f.body.start,
                end: f.body.end,
              } as A.ReturnStatement,
            ];
      const own = new Set([...params, ...declaredIn(body)]);
      const inner = copy(s);
      for (const n of own) inner.locals.delete(n);
      params.forEach((p, i) => inner.locals.set(p, values[i]!));
      inlining.push(name);
      let run: Run;
      try {
        run = exec(body, inner, true);
      } finally {
        inlining.pop();
      }
      if (run.going) throw new Untranslatable(`\`${name}\`, which may end without returning a value`);
      const paths = run.ended as (Ended & { value?: Sym })[];
      for (const p of paths) {
        const effect = sideEffect(s, p.state, own);
        if (effect) throw new Untranslatable(`a function that ${effect} (\`${name}\`)`);
        if (!p.value) throw new Untranslatable(`\`${name}\`, which may return undefined`);
        // Values the body computes whose reading may throw are the caller's to check as well.
        for (const r of p.state.risky) if (!s.risky.includes(r)) s.risky.push(r);
      }
      let value = paths[paths.length - 1]!.value!;
      for (const p of paths.slice(0, -1).reverse()) {
        const v = p.value!;
        if (v.cel !== value.cel)
          value = {
            cel: `${wrap(all(p.cond))} ? ${wrap(v.cel)} : ${wrap(value.cel)}`,
            type: v.type === value.type ? v.type : 'unknown',
          };
      }
      if (value.cel.length > MAX_CEL)
        throw new Untranslatable(`\`${name}\` inlined into too long an expression`);
      return value;
    },
  };
};
