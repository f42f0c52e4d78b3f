/**
 * A Node-RED function node whose JavaScript is a simple, recognisable pattern becomes CEL-based
 * nodes: the code is parsed (acorn) and run symbolically, every path from the top to a `return`
 * giving a condition, the payload it sends and the outputs it sends on. One path, or paths that
 * all send to the same outputs, become an If (when some paths send nothing) and a Transform whose
 * payload picks per condition; paths that log (`node.warn`) or send on different outputs become a
 * Switch with one port per path. Code with anything the translation does not know exactly (loops,
 * context writes, other message properties read, calls) stays a placeholder naming what it met.
 */
import { parse } from 'acorn';
import type * as A from 'acorn';
import {
  condition,
  mayThrow,
  member,
  msgPathOf,
  translate,
  Untranslatable,
  type Scope,
  type Sym,
} from './js-expr';
import { all, graphOf, pick, wrap, type Ended, type State } from './function-graph';
import { GLOBAL_NAME, globalRead, mergeSets, noMessage, setupGraph, withSetup } from './function-setup';
import { text, type Conversion, type Note, type RedNode } from './types';
import { propertyNameProblem } from '../flow/catalog/message';

interface Run {
  readonly ended: Ended[];
  going?: { cond: readonly string[]; state: State };
}

const MAX_CODE = 20_000;
const MAX_PATHS = 16;
const LOG_LEVELS: Record<string, string> = { warn: 'warn', error: 'error', log: 'info', debug: 'debug' };
const FIELD = /^[A-Za-z0-9_-]{1,64}$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const copy = (s: State): State => ({
  locals: new Map(s.locals),
  payload: s.payload,
  fields: new Map(s.fields),
  other: new Map(s.other),
  removed: new Set(s.removed),
  ...(s.topic ? { topic: s.topic } : {}),
  logs: [...s.logs],
  sets: [...s.sets],
  risky: [...s.risky],
});

/** The two states of an if's branches as one, each value picked by the branch condition. */
const merge = (c: string, a: State, b: State): State => {
  const locals = new Map<string, Sym | null>();
  for (const name of new Set([...a.locals.keys(), ...b.locals.keys()])) {
    const [x, y] = [a.locals.get(name), b.locals.get(name)];
    locals.set(name, x && y ? pick(c, x, y) : null);
  }
  const fields = new Map<string, Sym>();
  for (const name of new Set([...a.fields.keys(), ...b.fields.keys()])) {
    const [x, y] = [a.fields.get(name), b.fields.get(name)];
    if (!x || !y) throw new Untranslatable(`msg.payload.${name} set on one branch of an if only`);
    fields.set(name, pick(c, x, y));
  }
  const other = new Map<string, Sym>();
  for (const name of new Set([...a.other.keys(), ...b.other.keys()])) {
    const [x, y] = [a.other.get(name), b.other.get(name)];
    if (!x || !y) throw new Untranslatable(`msg.${name} set on one branch of an if only`);
    other.set(name, pick(c, x, y));
  }
  if ([...a.removed].join() !== [...b.removed].join())
    throw new Untranslatable('a message property deleted on one branch of an if only');
  if ((a.topic === undefined) !== (b.topic === undefined))
    throw new Untranslatable('msg.topic set on one branch of an if only');
  const topic = a.topic && b.topic ? { topic: pick(c, a.topic, b.topic) } : {};
  if (JSON.stringify(a.logs) !== JSON.stringify(b.logs))
    throw new Untranslatable('logging inside an if whose branches both carry on');
  const sets = mergeSets(c, a.sets, b.sets);
  const risky = [...new Set([...a.risky, ...b.risky])];
  return {
    locals,
    payload: pick(c, a.payload, b.payload),
    fields,
    other,
    removed: a.removed,
    ...topic,
    logs: a.logs,
    sets,
    risky,
  };
};

/** Runs function code symbolically; `change` gets what the translation changes. */
const runCode = (code: string, scopeFor: (s: State) => Scope, change: (m: string) => void): Ended[] => {
  let program: A.Program;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true });
  } catch (error) {
    throw new Untranslatable(`code that does not parse (${(error as Error).message})`);
  }
  const exec = (body: readonly A.Node[], state: State): Run => {
    const run: Run = { ended: [], going: { cond: [], state } };
    const end = (outputs: number[], s: State) => {
      run.ended.push({ cond: run.going!.cond, state: s, outputs });
      delete run.going;
    };
    for (const stmt of body) {
      if (!run.going) break;
      const s = run.going.state;
      const scope = scopeFor(s);
      const value = (n: A.Node) => translate(n, scope);
      switch (stmt.type) {
        case 'EmptyStatement':
          break;
        case 'BlockStatement': {
          const inner = exec((stmt as A.BlockStatement).body, s);
          const prefix = run.going.cond;
          run.ended.push(...inner.ended.map((e) => ({ ...e, cond: [...prefix, ...e.cond] })));
          run.going = inner.going && { cond: [...prefix, ...inner.going.cond], state: inner.going.state };
          break;
        }
        case 'VariableDeclaration':
          for (const d of (stmt as A.VariableDeclaration).declarations) {
            if (d.id.type !== 'Identifier') throw new Untranslatable('a destructuring declaration');
            if (s.locals.has(d.id.name)) throw new Untranslatable(`\`${d.id.name}\` declared twice`);
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
          const yes = exec([i.consequent], copy(s));
          const no = exec(i.alternate ? [i.alternate] : [], copy(s));
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
          if (!arg || isNothing(arg)) end([], s);
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
  const run = exec(program.body, initial);
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

/** One expression statement: an assignment, an increment, or a call to node.warn/error/log/status/done. */
const statement = (e: A.Expression, s: State, scope: Scope, change: (m: string) => void): void => {
  if (e.type === 'AssignmentExpression' || e.type === 'UpdateExpression') {
    const target = e.type === 'AssignmentExpression' ? e.left : e.argument;
    const op = e.type === 'AssignmentExpression' ? e.operator : e.operator === '++' ? '+=' : '-=';
    const right: A.Expression =
      e.type === 'AssignmentExpression'
        ? e.right
        : ({ type: 'Literal', value: 1, start: 0, end: 0, raw: '1' } as A.Literal);
    const rhs =
      op === '='
        ? right
        : ({
            type: 'BinaryExpression',
            operator: op.slice(0, -1),
            left: target,
            right,
            start: 0,
            end: 0,
          } as A.BinaryExpression);
    if (op !== '=' && !['+=', '-=', '*=', '/='].includes(op))
      throw new Untranslatable(`the \`${op}\` assignment`);
    const value = translate(rhs, scope);
    if (target.type === 'Identifier') {
      if (!s.locals.has(target.name))
        throw new Untranslatable(`an assignment to \`${target.name}\`, which is not a local variable`);
      s.locals.set(target.name, value);
      return;
    }
    const path = msgPathOf(target);
    if (!path) throw new Untranslatable('an assignment to something other than a local variable or msg');
    if (path[0] === 'payload' && path.length === 1) {
      s.payload = value;
      s.fields.clear();
    } else if (
      path[0] === 'payload' &&
      path.length === 2 &&
      s.payload.cel === 'payload' &&
      FIELD.test(path[1]!)
    )
      s.fields.set(path[1]!, value);
    else if (path[0] === 'payload') throw new Untranslatable(`an assignment to msg.${path.join('.')}`);
    else if (path.length > 1) throw new Untranslatable(`an assignment to msg.${path.join('.')}`);
    else if (path[0] === 'topic') {
      if (value.type !== 'string') throw new Untranslatable('msg.topic set to a value that may not be text');
      s.topic = value;
    } else {
      const problem = propertyNameProblem(path[0]!);
      if (problem) throw new Untranslatable(`msg.${path[0]} (${problem})`);
      s.other.set(path[0]!, value);
      s.removed.delete(path[0]!);
    }
    return;
  }
  if (e.type === 'UnaryExpression' && e.operator === 'delete') {
    const path = msgPathOf(e.argument);
    if (!path || path.length !== 1 || path[0] === 'payload' || path[0] === 'topic')
      throw new Untranslatable('a delete of something other than a whole message property');
    s.other.delete(path[0]!);
    s.removed.add(path[0]!);
    return;
  }
  if (e.type === 'CallExpression' && e.callee.type === 'MemberExpression' && !e.callee.computed) {
    const owner = e.callee.object.type === 'Identifier' ? e.callee.object.name : '';
    const name = e.callee.property.type === 'Identifier' ? e.callee.property.name : '';
    if (owner === 'node' && name === 'status') {
      change('Its node.status(…) badge was left out: Fieldgraph nodes show no status (runs show in traces).');
      return;
    }
    if (owner === 'node' && name === 'done' && e.arguments.length === 0) return;
    if ((owner === 'context' || owner === 'flow' || owner === 'global') && name === 'set') {
      const [key, value, ...more] = e.arguments;
      if (!key || !value || more.length || key.type !== 'Literal' || typeof key.value !== 'string')
        throw new Untranslatable(`a ${owner}.set() of a name picked at run time or into another store`);
      if (value.type === 'SpreadElement') throw new Untranslatable('a spread argument');
      scope.setContext(owner, key.value, translate(value, scope));
      return;
    }
    if (
      owner === 'node' &&
      LOG_LEVELS[name] &&
      e.arguments.length === 1 &&
      e.arguments[0]!.type !== 'SpreadElement'
    ) {
      const v = translate(e.arguments[0]!, scope);
      s.logs.push({ level: LOG_LEVELS[name]!, message: v.type === 'string' ? v.cel : `string(${v.cel})` });
      if (name === 'error')
        change('node.error(…) writes an error line to the log; it does not start an error trigger.');
      return;
    }
  }
  if (e.type === 'CallExpression') translate(e, scope);
  throw new Untranslatable(`a ${e.type} statement`);
};

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
  const scopeFor = (s: State): Scope => ({
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
  if ('graph' in conversion) for (const m of changes) note('changed', m);
  return conversion;
};
