/**
 * Global context and setup code of a Node-RED function node. `global.get`/`global.set` become
 * the gateway-wide variables `global.name` (Set variable nodes of scope gateway); setup code
 * (Node-RED's "On Start") that only seeds context values becomes a Gateway started trigger into
 * those Set variable nodes, which run before any message as Node-RED runs setup code on deploy.
 */
import { graphOf, wrap, type Ended, type State } from './function-graph';
import { Untranslatable, type Sym } from './js-expr';
import type { Conversion, Piece, PieceEnd, Subgraph } from './types';
import { CEL_RESERVED as RESERVED } from './values';

/** A gateway-wide variable name as the Set variable node takes it. */
export const GLOBAL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const PART = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * `global.get(key)` as CEL: the value this path set last, else `global.name` guarded by has().
 * A dotted key (`config.events.x`) reads nested maps as Node-RED's context does: undefined (the
 * guard fails) where a level is missing or not an object. Undefined when the key has no
 * equivalent; `change` notes a name no node of the export sets (settings.js may give it).
 */
export const globalRead = (
  sets: State['sets'],
  key: string,
  globalsSet: ReadonlySet<string>,
  change: (m: string) => void,
): Sym | undefined => {
  const parts = key.split('.');
  if (!parts.every((p) => PART.test(p) && !RESERVED.has(p))) return undefined;
  const head = parts[0]!;
  const set = sets.findLast((v) => v.name === `global.${head}`);
  if (set) {
    if (parts.length > 1)
      throw new Untranslatable(`global context “${key}” read after the code set “${head}”`);
    return set.value;
  }
  if (!globalsSet.has(head))
    change(
      `No node of this export sets global context “${head}” (Node-RED's settings.js may give it); here global.${head} is missing until a flow sets it.`,
    );
  const guards: string[] = [];
  let path = 'global';
  parts.forEach((p, i) => {
    path += `.${p}`;
    guards.push(`has(${path})`);
    if (i < parts.length - 1) guards.push(`type(${path}) == map`);
  });
  return { cel: path, type: 'unknown', guard: guards.join(' && ') };
};

/**
 * The context sets after an if whose branches both carry on. Equal sets stay; a value set only
 * when the if's test found it missing (`if (context.get("n") === undefined) context.set("n", 0)`,
 * the usual seeding) keeps its current value otherwise, which the test proved is there.
 */
export const mergeSets = (c: string, yes: State['sets'], no: State['sets']): State['sets'] => {
  const same = (x: State['sets'][number], y: State['sets'][number] | undefined) =>
    y !== undefined && x.name === y.name && x.value.cel === y.value.cel;
  if (yes.length === no.length && yes.every((x, i) => same(x, no[i]))) return yes;
  const extra = yes.slice(no.length);
  const seeds = no.every((x, i) => same(x, yes[i])) && extra.every((e) => testsMissing(c, e.name));
  if (!seeds || new Set(extra.map((e) => e.name)).size !== extra.length)
    throw new Untranslatable('context set inside an if whose branches both carry on');
  return [
    ...no,
    ...extra.map(({ name, value }) => ({
      name,
      value: { cel: `${wrap(c)} ? ${wrap(value.cel)} : ${readOf(name)}`, type: 'unknown' as const },
    })),
  ];
};

const readOf = (name: string) => (name.startsWith('global.') ? name : `vars.${name}`);

/** True when `c` failing proves the variable is there (`!has(vars.n)`, `!(has(vars.n) && …)`). */
const testsMissing = (c: string, name: string): boolean => {
  const has = `has(${readOf(name)})`;
  return (
    [`!${has}`, `!(${has})`].some((t) => c === t || c.startsWith(`${t} || `)) || c.startsWith(`!(${has} && `)
  );
};

/** The `msg` reader of setup code, which has no message. */
export const noMessage = (): Sym => {
  throw new Untranslatable('msg in setup code (it runs without a message)');
};

/** The Set variable graph of setup code's paths, or why it is not only seeding context values. */
export const setupGraph = (paths: readonly Ended[]): Conversion => {
  const why = (what: string) => ({ reason: `setup code that ${what}` });
  if (paths.some((p) => p.outputs.length)) return why('returns a message');
  if (paths.some((p) => p.state.logs.length)) return why('logs');
  if (!paths.some((p) => p.state.sets.length)) return why('sets no context value');
  const graph = graphOf(paths, 0);
  return 'reason' in graph ? why('computes context values from one another') : graph;
};

const prefixed = (end: PieceEnd): PieceEnd => [`setup-${end[0]}`, end[1]];

/** The function's graph with the setup graph beside it, started by a Gateway started trigger. */
export const withSetup = (conversion: { graph: Subgraph }, setup: Subgraph): { graph: Subgraph } => {
  const start: Piece = { key: 'setup-start', kind: 'trigger.gateway-started', config: {}, dx: 0, dy: -120 };
  return {
    graph: {
      ...conversion.graph,
      pieces: [
        ...conversion.graph.pieces,
        start,
        ...setup.pieces.map((p) => ({
          ...p,
          key: `setup-${p.key}`,
          dx: (p.dx ?? 0) + 240,
          dy: (p.dy ?? 0) - 120,
        })),
      ],
      links: [
        ...conversion.graph.links,
        { from: ['setup-start', 'out'], to: [`setup-${setup.pieces[0]!.key}`, 'in'] },
        ...setup.links.map((l) => ({ from: prefixed(l.from), to: prefixed(l.to) })),
      ],
    },
  };
};
