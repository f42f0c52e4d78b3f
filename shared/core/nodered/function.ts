/**
 * A Node-RED function node whose JavaScript is a simple, recognisable pattern becomes CEL-based
 * nodes: the code is parsed (acorn) and run symbolically, every path from the top to a `return`
 * giving a condition, the payload it sends and the outputs it sends on. One path, or paths that
 * all send to the same outputs, become an If (when some paths send nothing) and a Transform whose
 * payload picks per condition; paths that log (`node.warn`) or send on different outputs become a
 * Switch with one port per path. A `switch` runs as its if chain (function-switch.ts), local
 * functions are inlined where called (function-inline.ts). Code with anything the translation
 * does not know exactly (loops, calls it has no equivalent for) stays a placeholder naming it.
 */
import { parse } from 'acorn';
import type * as A from 'acorn';
import { condition, mayThrow, member, translate, Untranslatable, type Scope, type Sym } from './js-expr';
import { all, graphOf, wrap, type Ended, type State } from './function-graph';
import { GLOBAL_NAME, globalRead, noMessage, setupGraph, withSetup } from './function-setup';
import { copy, merge } from './function-state';
import { statement } from './function-statement';
import { switchAsIf } from './function-switch';
import { localFunctions, type Run } from './function-inline';
import { text, type Conversion, type Note, type RedNode } from './types';
import { propertyNameProblem } from '../flow/catalog/message';

const MAX_CODE = 20_000;
const MAX_PATHS = 16;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Runs function code symbolically; `change` gets what the translation changes. */
const runCode = (code: string, scopeFor: (s: State) => Scope, change: (m: string) => void): Ended[] => {
  let program: A.Program;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true });
  } catch (error) {
    throw new Untranslatable(`code that does not parse (${(error as Error).message})`);
  }
  const functions = localFunctions((body, state, inFunction) => exec(body, state, inFunction));
  const exec = (body: readonly A.Node[], state: State, inFunction: boolean): Run => {
    const run: Run = { ended: [], going: { cond: [], state } };
    const end = (outputs: number[], s: State, returned?: Sym) => {
      run.ended.push({ cond: run.going!.cond, state: s, outputs, ...(returned ? { value: returned } : {}) });
      delete run.going;
    };
    // Function declarations are hoisted: callable from the top of the block they are in.
    for (const stmt of body)
      if (stmt.type === 'FunctionDeclaration') {
        const f = stmt as A.FunctionDeclaration;
        functions.declare(f.id.name, f);
      }
    for (const written of body) {
      if (!run.going) break;
      const stmt = written.type === 'SwitchStatement' ? switchAsIf(written as A.SwitchStatement) : written;
      const s = run.going.state;
      const scope: Scope = {
        ...scopeFor(s),
        call: (name, args, from) => functions.call(name, args, s, from),
      };
      const value = (n: A.Node) => translate(n, scope);
      switch (stmt.type) {
        case 'EmptyStatement':
        case 'FunctionDeclaration':
          break;
        case 'BlockStatement': {
          const inner = exec((stmt as A.BlockStatement).body, s, inFunction);
          const prefix = run.going.cond;
          run.ended.push(...inner.ended.map((e) => ({ ...e, cond: [...prefix, ...e.cond] })));
          run.going = inner.going && { cond: [...prefix, ...inner.going.cond], state: inner.going.state };
          break;
        }
        case 'VariableDeclaration':
          for (const d of (stmt as A.VariableDeclaration).declarations) {
            if (d.id.type !== 'Identifier') throw new Untranslatable('a destructuring declaration');
            if (s.locals.has(d.id.name) || functions.has(d.id.name))
              throw new Untranslatable(`\`${d.id.name}\` declared twice`);
            if (d.init?.type === 'ArrowFunctionExpression' || d.init?.type === 'FunctionExpression') {
              functions.declare(d.id.name, d.init);
              continue;
            }
            s.locals.set(d.id.name, d.init ? value(d.init) : null);
            if (mayThrow(d.init)) s.risky.push(s.locals.get(d.id.name)!.cel);
          }
          break;
        case 'ExpressionStatement':
          statement((stmt as A.ExpressionStatement).expression, s, scope, change);
          break;
        case 'IfStatement': {
          const i = stmt as A.IfStatement;
          const c = condition(i.test, scope);
          const yes = exec([i.consequent], copy(s), inFunction);
          const no = exec(i.alternate ? [i.alternate] : [], copy(s), inFunction);
          const prefix = run.going.cond;
          run.ended.push(
            ...yes.ended.map((e) => ({ ...e, cond: [...prefix, c, ...e.cond] })),
            ...no.ended.map((e) => ({ ...e, cond: [...prefix, `!${wrap(c)}`, ...e.cond] })),
          );
          if (yes.going && no.going) {
            const both = !yes.going.cond.length && !no.going.cond.length;
            run.going = {
              cond: both
                ? prefix
                : [
                    ...prefix,
                    `(${wrap(c)} && ${wrap(all(yes.going.cond))}) || (!${wrap(c)} && ${wrap(all(no.going.cond))})`,
                  ],
              state: withRisk(merge(c, yes.going.state, no.going.state), mayThrow(i.test) ? c : undefined),
            };
          } else if (yes.going)
            run.going = { cond: [...prefix, c, ...yes.going.cond], state: yes.going.state };
          else if (no.going)
            run.going = { cond: [...prefix, `!${wrap(c)}`, ...no.going.cond], state: no.going.state };
          else delete run.going;
          break;
        }
        case 'ReturnStatement': {
          const arg = (stmt as A.ReturnStatement).argument;
          if (inFunction) {
            if (!arg) throw new Untranslatable('a local function that returns nothing');
            end([], s, value(arg));
          } else if (!arg || isNothing(arg)) end([], s);
          else if (arg.type === 'Identifier' && arg.name === 'msg') end([0], s);
          else if (arg.type === 'ArrayExpression') {
            const outputs = arg.elements.flatMap((e, i) => {
              if (!e || isNothing(e)) return [];
              if (e.type === 'Identifier' && e.name === 'msg') return [i];
              throw new Untranslatable('a returned list with something other than msg or null');
            });
            end(outputs, s);
          } else if (
            arg.type === 'ObjectExpression' &&
            arg.properties.length === 1 &&
            arg.properties[0]!.type === 'Property' &&
            !arg.properties[0]!.computed &&
            arg.properties[0]!.key.type === 'Identifier' &&
            arg.properties[0]!.key.name === 'payload'
          ) {
            change(
              'It returned a new message { payload }; the message sent on keeps the incoming topic and properties.',
            );
            const next = copy(s);
            next.payload = value(arg.properties[0]!.value);
            next.fields.clear();
            end([0], next);
          } else
            throw new Untranslatable('a return of something other than msg, a list of msg/null, or null');
          break;
        }
        default:
          throw new Untranslatable(
            `a ${stmt.type
              .replace(/Statement|Declaration/, '')
              .replace(/([a-z])([A-Z])/g, '$1 $2')
              .toLowerCase()} statement`,
          );
      }
      if (run.ended.length > MAX_PATHS) throw new Untranslatable(`more than ${MAX_PATHS} paths`);
    }
    return run;
  };
  const initial: State = {
    locals: new Map(),
    payload: { cel: 'payload', type: 'unknown' },
    fields: new Map(),
    other: new Map(),
    removed: new Set(),
    logs: [],
    sets: [],
    risky: [],
  };
  const run = exec(program.body, initial, false);
  // Falling off the end returns undefined: Node-RED sends nothing.
  const ended = run.going ? [...run.ended, { ...run.going, outputs: [] }] : run.ended;
  // A value JavaScript computes may throw (msg.payload.a.b of a payload without a) and so stop the
  // message; one the translation leaves out because nothing uses it would not: such code stays a
  // placeholder.
  for (const e of ended) {
    const used = [
      ...e.cond,
      e.state.payload.cel,
      ...[...e.state.fields.values()].map((f) => f.cel),
      ...[...e.state.other.values()].map((f) => f.cel),
      e.state.topic?.cel ?? '',
      ...e.state.logs.map((l) => l.message),
      ...e.state.sets.map((v) => v.value.cel),
    ].join('\n');
    const unused = e.state.risky.filter((r) => !used.includes(r));
    if (unused.length)
      throw new Untranslatable(`a value it computes and never uses (${unused[0]}), whose reading may throw`);
  }
  return ended;
};

/** True for code with no statements (Node-RED's default setup code is only comments). */
const isEmptyCode = (code: string): boolean => {
  try {
    return (
      parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true }).body
        .length === 0
    );
  } catch {
    return false;
  }
};

const withRisk = (s: State, cel: string | undefined): State => (cel ? { ...s, risky: [...s.risky, cel] } : s);

const isNothing = (n: A.Node) =>
  (n.type === 'Literal' && (n as A.Literal).value === null && !('regex' in n)) ||
  (n.type === 'Identifier' && (n as A.Identifier).name === 'undefined');

/**
 * Converts a function node whose code the translation understands exactly; otherwise gives the
 * reason it stays a placeholder. `flowVars` are the tab's flow variables (`flow.get` reads them).
 */
export const convertFunction = (
  n: RedNode,
  note: Note,
  flowVars: ReadonlySet<string>,
  globalsSet: ReadonlySet<string> = new Set(),
): Conversion => {
  const code = text(n.func);
  const why = (what: string): Conversion => ({
    reason: `Its JavaScript was not translated (no exact CEL equivalent): it uses ${what}. Rebuild it with If, Switch and Transform nodes.`,
  });
  if (code.length > MAX_CODE) return why(`${code.length} characters of code`);
  if (!isEmptyCode(text(n.finalize))) return why('close code');
  if (Array.isArray(n.libs) && n.libs.length) return why('modules');
  const setup = text(n.initialize);
  const changes = new Set<string>();
  const change = (m: string) => void changes.add(m);
  let draws = 0;
  const scopeFor = (s: State): Scope => ({
    draw: () => {
      change(
        "Math.random() is jsRandom(), a uniform double in [0, 1) drawn by the gateway's JavaScript engine each time, as Node-RED draws it.",
      );
      return ++draws;
    },
    local: (name) => {
      const v = s.locals.get(name);
      if (v === null) throw new Untranslatable(`\`${name}\` before it has a value`);
      return v;
    },
    msg: ([head, ...rest]) => {
      let base: Sym;
      if (head === 'payload') {
        const field = rest[0] !== undefined ? s.fields.get(rest[0]) : undefined;
        if (field) return rest.slice(1).reduce(member, field);
        if (s.fields.size && rest.length === 0)
          throw new Untranslatable('the whole payload after setting a field of it');
        base = s.payload;
      } else if (head === 'topic') base = s.topic ?? { cel: 'topic', type: 'string' };
      else if (s.other.has(head!)) base = s.other.get(head!)!;
      else if (s.removed.has(head!)) throw new Untranslatable(`msg.${head} read after it was deleted`);
      else if (propertyNameProblem(head!))
        throw new Untranslatable(`msg.${head}, which is not a property name here`);
      else base = { cel: `msg.${head}`, type: 'unknown', guard: `has(msg.${head})` };
      return rest.reduce(member, base);
    },
    change,
    context: (store, key) => {
      if (store === 'global') return globalRead(s.sets, key, globalsSet, change);
      const name = variableOf(store, key);
      if (name === undefined) return undefined;
      const set = s.sets.findLast((v) => v.name === name);
      // context.get of a value never set is undefined in Node-RED: tests of it test has() first.
      return set?.value ?? { cel: `vars.${name}`, type: 'unknown', guard: `has(vars.${name})` };
    },
    setContext: (store, key, value) => {
      if (store === 'global') {
        if (!GLOBAL_NAME.test(key))
          throw new Untranslatable(`global context “${key}” set (a nested or unusual key)`);
        s.sets.push({ name: `global.${key}`, value });
        return;
      }
      const name = variableOf(store, key);
      if (name === undefined) throw new Untranslatable(`${store} context “${key}” set`);
      s.sets.push({ name, value });
    },
  });
  // Node context is a flow variable only this node uses: its name carries the node's id, and a
  // flow context value of the same name (which could only be a copy of the pattern) is refused.
  const nodeKey = `node_${String(n.id).replace(/[^A-Za-z0-9_]/g, '_')}_`;
  const variableOf = (store: string, key: string): string | undefined => {
    if (store === 'flow') return flowVars.has(key) ? key : undefined;
    if (store !== 'context' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return undefined;
    const name = `${nodeKey}${key}`;
    if (!VARIABLE.test(name) || flowVars.has(name)) return undefined;
    change(
      `Its node context “${key}” is the flow variable ${name}, which a gateway keeps across restarts (Node-RED's memory context starts empty).`,
    );
    return name;
  };
  let conversion: Conversion;
  try {
    const wired = Array.isArray(n.wires) ? n.wires.length : 0;
    const outputs = Math.max(
      1,
      Math.min(32, Math.max(wired, Number.isInteger(n.outputs) ? Number(n.outputs) : 1)),
    );
    conversion = graphOf(runCode(code, scopeFor, change), outputs);
    if ('graph' in conversion && !isEmptyCode(setup)) {
      const seeded = setupGraph(runCode(setup, (s) => ({ ...scopeFor(s), msg: noMessage }), change));
      if ('reason' in seeded) return why(seeded.reason);
      conversion = withSetup(conversion, seeded.graph);
      change(
        'Its setup code runs when the gateway starts (a Gateway started trigger), before any message, as Node-RED runs it on deploy.',
      );
    }
  } catch (error) {
    if (error instanceof Untranslatable) return why(error.message);
    throw error;
  }
  if ('graph' in conversion && draws) {
    // A draw read twice (a variable used twice, a condition on two paths) would be two draws here.
    const seen = [
      ...JSON.stringify(conversion.graph.pieces.map((p) => p.config)).matchAll(/jsRandom\((\d+)\)/g),
    ];
    if (new Set(seen.map((m) => m[1])).size !== seen.length)
      return why('a Math.random() value read more than once (each read would be a new draw)');
  }
  if ('graph' in conversion) for (const m of changes) note('changed', m);
  return conversion;
};
