/**
 * The nodes a translated function node becomes, from the paths its code takes (see function.ts):
 * an If and a Transform when every path that sends sends on the same outputs, otherwise a Switch
 * with one port per path, each with its Log nodes and Transform.
 */
import { isWrapped, type Sym } from './js-expr';
import type { Conversion, Piece, PieceEnd } from './types';

/** What the code has computed so far on one path. */
export interface State {
  readonly locals: Map<string, Sym | null>;
  payload: Sym;
  /** Top-level fields set on the incoming payload (`msg.payload.alert = true`). */
  readonly fields: Map<string, Sym>;
  /** Other message properties set here (`msg.command = "on"`), carried on as message properties. */
  readonly other: Map<string, Sym>;
  /** Message properties deleted here (`delete msg.command`). */
  readonly removed: Set<string>;
  /** The topic set here, when it was. */
  topic?: Sym;
  readonly logs: { level: string; message: string }[];
  /**
   * Context values set here, in order (`context.set("count", n)` → a flow variable; a name
   * `global.x` is the gateway-wide variable x).
   */
  readonly sets: { name: string; value: Sym }[];
  /** Values computed on the way whose reading may throw in JavaScript (CEL text). */
  readonly risky: string[];
}

/** A path that returned: its condition (conjuncts), its state then, and the outputs it sends on. */
export interface Ended {
  readonly cond: readonly string[];
  readonly state: State;
  readonly outputs: readonly number[];
  /** In a local function's body (function-inline.ts), the value the path returns. */
  readonly value?: Sym;
}

/** A condition or value in parentheses unless it is one already. */
export const wrap = (c: string) => (/^[A-Za-z0-9_.]+$/.test(c) || isWrapped(c) ? c : `(${c})`);
/** The conjuncts of a path's condition as one CEL condition. */
export const all = (cond: readonly string[]) =>
  cond.length === 1 ? cond[0]! : cond.length ? cond.map(wrap).join(' && ') : 'true';
/** `a` where `c` holds, otherwise `b` (a CEL ternary). */
export const pick = (c: string, a: Sym, b: Sym): Sym =>
  a.cel === b.cel
    ? a
    : { cel: `${wrap(c)} ? ${wrap(a.cel)} : ${wrap(b.cel)}`, type: a.type === b.type ? a.type : 'unknown' };

/** The transform a path's state needs, or undefined when the message goes on unchanged. */
const transformOf = (s: State): Record<string, unknown> | undefined => {
  const config: Record<string, unknown> = {};
  if (s.fields.size) config.set = Object.fromEntries([...s.fields].map(([k, v]) => [k, v.cel]));
  else if (s.payload.cel !== 'payload') config.payload = s.payload.cel;
  if (s.topic) config.topic = s.topic.cel;
  if (s.other.size) config.properties = Object.fromEntries([...s.other].map(([k, v]) => [k, v.cel]));
  if (s.removed.size) config.remove = [...s.removed];
  return Object.keys(config).length ? config : undefined;
};

/** What a path does to the message besides its payload, to tell whether paths can share one Transform. */
const besidesPayload = (s: State): string =>
  JSON.stringify([s.topic?.cel, [...s.other].map(([k, v]) => [k, v.cel]), [...s.removed]]);

/**
 * Why a path's Set variable nodes, which run after its Transform and after each other, would not
 * see what their values mean (the payload before the Transform, a variable before it was set).
 */
const lateReads = (s: State): string | undefined => {
  const t = transformOf(s) ?? {};
  const changed = [
    ...(t.payload !== undefined || t.set !== undefined ? ['payload'] : []),
    ...(t.topic !== undefined ? ['topic'] : []),
    ...(t.properties !== undefined || t.remove !== undefined || Object.keys(t).length ? ['msg'] : []),
  ];
  const written: string[] = [];
  for (const { name, value } of s.sets) {
    const read = [...changed, ...written.map((w) => (w.startsWith('global.') ? w : `vars.${w}`))].find((r) =>
      new RegExp(`(^|[^A-Za-z0-9_.])${r.replace('.', '\\.')}([^A-Za-z0-9_]|$)`).test(value.cel),
    );
    if (read) return `a context value computed from ${read} after the code changed it`;
    written.push(name);
  }
  return undefined;
};

/** Builds the graph for the paths of a function; `outputs` is the node's number of outputs. */
export const graphOf = (paths: readonly Ended[], outputs: number): Conversion => {
  for (const p of paths) {
    const late = lateReads(p.state);
    if (late)
      return {
        reason: `Its JavaScript was not translated (no exact CEL equivalent): it uses ${late}. Rebuild it with If, Switch and Transform nodes.`,
      };
  }
  const sends = paths.filter((p) => p.outputs.length);
  if (!paths.some((p) => p.outputs.length || p.state.logs.length || p.state.sets.length))
    return {
      reason:
        'It sends no message and logs nothing; what it does (node status, context) has no Fieldgraph equivalent.',
    };
  const pieces: Piece[] = [];
  const links: { from: PieceEnd; to: PieceEnd }[] = [];
  const outs: PieceEnd[][] = Array.from({ length: outputs }, () => []);
  const sameOutputs = sends.every((p) => p.outputs.join() === sends[0]!.outputs.join());
  const sameFields = sends.every(
    (p) => JSON.stringify([...p.state.fields]) === JSON.stringify([...sends[0]!.state.fields]),
  );
  const noLogs = paths.every((p) => p.state.logs.length === 0 && p.state.sets.length === 0);
  const sameRest = sends.every((p) => besidesPayload(p.state) === besidesPayload(sends[0]!.state));
  if (noLogs && sameOutputs && sameFields && sameRest && sends[0]!.state.fields.size === 0) {
    let end: PieceEnd | undefined;
    if (sends.length < paths.length) {
      pieces.push({
        key: 'main',
        kind: 'logic.if',
        config: { condition: sends.map((p) => wrap(all(p.cond))).join(' || ') },
      });
      end = ['main', 'true'];
    }
    let payload = sends[sends.length - 1]!.state.payload;
    for (const p of sends.slice(0, -1).reverse()) payload = pick(all(p.cond), p.state.payload, payload);
    const t = transformOf({ ...sends[0]!.state, payload });
    if (t || !end) {
      pieces.push({
        key: pieces.length ? 'set' : 'main',
        kind: 'logic.transform',
        config: t ?? {},
        dx: pieces.length ? 240 : 0,
      });
      if (end) links.push({ from: end, to: ['set', 'in'] });
      end = [pieces[pieces.length - 1]!.key, 'out'];
    }
    for (const o of sends[0]!.outputs) if (o < outputs) outs[o]!.push(end);
    return { graph: { pieces, links, outputs: outs } };
  }
  const rules: { port: string; when: string }[] = [];
  pieces.push({ key: 'main', kind: 'logic.switch', config: { rules, firstMatch: true } });
  paths.forEach((p, i) => {
    const t = transformOf(p.state);
    if (!p.outputs.length && !p.state.logs.length && !p.state.sets.length) return;
    const port = `path-${i + 1}`;
    rules.push({ port, when: all(p.cond) });
    let end: PieceEnd = ['main', port];
    const step = (key: string, kind: string, config: Record<string, unknown>) => {
      pieces.push({
        key,
        kind,
        config,
        dx: 240 * (pieces.filter((x) => x.key.startsWith(`p${i}-`)).length + 1),
        dy: 80 * rules.length,
      });
      links.push({ from: end, to: [key, 'in'] });
      end = [key, 'out'];
    };
    p.state.logs.forEach((l, k) =>
      step(`p${i}-log${k}`, 'action.log', { level: l.level, message: l.message }),
    );
    if (t) step(`p${i}-set`, 'logic.transform', t);
    // Set variable nodes come last: every value is in terms of the message and variables as they
    // came in, which the nodes before them must still see.
    p.state.sets.forEach((v, k) =>
      step(
        `p${i}-var${k}`,
        'logic.set-variable',
        v.name.startsWith('global.')
          ? { name: v.name.slice('global.'.length), value: v.value.cel, scope: 'gateway' }
          : { name: v.name, value: v.value.cel },
      ),
    );
    for (const o of p.outputs) if (o < outputs) outs[o]!.push(end);
  });
  return { graph: { pieces, links, outputs: outs } };
};
