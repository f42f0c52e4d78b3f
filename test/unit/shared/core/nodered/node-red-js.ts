/**
 * The Node-RED side of the function differential test: function code run in node:vm as
 * Node-RED's function node runs it, with context stores that behave like its memory store, and
 * how those stores map onto the engine's flow and gateway-wide variables.
 */
import { Script } from 'node:vm';
import type { Flow } from '../../../../../shared/core/flow/schema';

/** A function node as the export holds it. */
export interface RedFunction {
  id: string;
  type: string;
  func: string;
  outputs?: number;
  initialize?: string;
  finalize?: string;
  libs?: unknown[];
  wires?: string[][];
}

/** How a value shows in a Log line: text as is, everything else as JSON. */
export const shown = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'null'));

/** A message as the comparison sees it: everything but Node-RED's _msgid, as plain JSON. */
export const view = (m: Record<string, unknown>) => {
  const { _msgid, ...rest } = m;
  void _msgid;
  return JSON.parse(JSON.stringify(rest)) as unknown;
};

/** Node-RED's context stores for one function node: its own, its tab's and the global one. */
export interface Stores {
  context: Map<string, unknown>;
  flow: Map<string, unknown>;
  global: Map<string, unknown>;
}
export const newStores = (): Stores => ({ context: new Map(), flow: new Map(), global: new Map() });

/** The stores as the engine's flow variables name them (node context of node `fn` as node_fn_<key>). */
export const asVariables = (stores: Stores): Record<string, unknown> =>
  JSON.parse(
    JSON.stringify({
      ...Object.fromEntries(stores.flow),
      ...Object.fromEntries([...stores.context].map(([k, v]) => [`node_fn_${k}`, v])),
    }),
  ) as Record<string, unknown>;

/** The global store as the engine's gateway-wide variables hold it. */
export const asGlobals = (stores: Stores): Record<string, unknown> =>
  JSON.parse(JSON.stringify(Object.fromEntries(stores.global))) as Record<string, unknown>;

/** Puts the engine's flow and gateway-wide variables back into the stores, so the next run starts from the same state. */
export const syncStores = (
  stores: Stores,
  variables: Record<string, unknown>,
  globals: Record<string, unknown>,
) => {
  stores.flow.clear();
  stores.context.clear();
  stores.global.clear();
  for (const [k, v] of Object.entries(variables))
    if (k.startsWith('node_fn_')) stores.context.set(k.slice('node_fn_'.length), structuredClone(v));
    else stores.flow.set(k, structuredClone(v));
  for (const [k, v] of Object.entries(globals)) stores.global.set(k, structuredClone(v));
};

/** Global context names the code reads (the part before a dot) and the dotted keys it reads. */
export const globalReads = (code: string): string[] => [
  ...new Set(
    [...code.matchAll(/\bglobal\.get\(\s*["'`]([A-Za-z_][\w.]{0,80})["'`]\s*\)/g)].map((m) => m[1]!),
  ),
];

/** Global stores to start from: empty, then every global the code reads holding one value (nested along a dotted key). */
export const globalVariants = (code: string): Record<string, unknown>[] => {
  const keys = globalReads(code);
  if (keys.length === 0) return [{}];
  const seeded = (leaf: unknown) => {
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const [head, ...rest] = key.split('.');
      let at = out;
      let name = head!;
      for (const part of rest) {
        const inner = (at[name] ??= {}) as Record<string, unknown>;
        if (typeof inner !== 'object') break;
        at = inner;
        name = part;
      }
      at[name] ??= structuredClone(leaf);
    }
    return out;
  };
  return [{}, ...[1, 'on', { a: 1, on: true }].map(seeded)];
};

/** A flow that sets the gateway-wide variables of `globals` from its payload, as another flow on the gateway would. */
export const seedFlow = (names: readonly string[]): Flow => ({
  schemaVersion: 1,
  id: 'seed-globals',
  name: 'seed',
  roles: [],
  runMode: { mode: 'parallel', max: 10 },
  nodes: [
    { id: 'seed-t', kind: 'trigger.manual', config: {}, position: { x: 0, y: 0 } },
    ...names.map((name, i) => ({
      id: `seed-${i}`,
      kind: 'logic.set-variable',
      config: { name, value: `payload.${name}`, scope: 'gateway' },
      position: { x: 0, y: 0 },
    })),
  ],
  edges: names.map((_, i) => ({
    id: `seed-e${i}`,
    from: { node: i === 0 ? 'seed-t' : `seed-${i - 1}`, port: 'out' },
    to: { node: `seed-${i}`, port: 'in' },
  })),
});

/** Runs a function node's setup code the way Node-RED does on deploy (no msg). */
export const runSetup = (fn: RedFunction, stores: Stores) => {
  if (!fn.initialize?.trim()) return;
  const store = contextStore;
  const code = new Script(`(function (node, flow, global, context, env) {\n${fn.initialize}\n})`);
  const run = code.runInNewContext({}) as (...args: unknown[]) => unknown;
  run(
    { warn: () => undefined },
    store(stores.flow),
    store(stores.global),
    store(stores.context),
    store(new Map()),
  );
};

let fixedDraw: number | undefined;
/** Makes Math.random() in function code give `draw` (undefined: a real draw again), to compare runs with the engine's. */
export const drawFixed = (draw: number | undefined) => void (fixedDraw = draw);

const contexts = new WeakMap<RedFunction, (...args: unknown[]) => unknown>();
/** The function's code compiled once in a context of its own, as Node-RED keeps one per node. */
const compiled = (fn: RedFunction) => {
  let run = contexts.get(fn);
  if (!run) {
    const code = new Script(
      `Math.random = function () { return draw(); };\n(function (msg, node, flow, global, context, env) {\n${fn.func}\n})`,
    );
    run = code.runInNewContext({ draw: () => fixedDraw ?? Math.random() }) as (...args: unknown[]) => unknown;
    contexts.set(fn, run);
  }
  return run;
};

/**
 * A context store as Node-RED's memory store behaves: a dotted key reads nested properties, and
 * reads undefined where a level is missing or cannot hold properties.
 */
export const contextStore = (map: Map<string, unknown>) => ({
  get: (key: string) => {
    const [head, ...rest] = key.split('.');
    try {
      return rest.reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], map.get(head!));
    } catch {
      return undefined;
    }
  },
  set: (key: string, value: unknown) => void map.set(key, value),
  keys: () => [...map.keys()],
});

/** Runs function code the way Node-RED's function node does; the payloads per output and the warnings. */
export const runJs = (
  fn: RedFunction,
  payload: unknown,
  outputs: number,
  properties: Record<string, unknown> = {},
  stores: Stores = newStores(),
) => {
  const warnings: string[] = [];
  const node = {
    warn: (v: unknown) => void warnings.push(shown(v)),
    error: (v: unknown) => void warnings.push(shown(v)),
    log: (v: unknown) => void warnings.push(shown(v)),
    debug: (v: unknown) => void warnings.push(shown(v)),
    status: () => undefined,
    done: () => undefined,
    send: () => {
      throw new Error('node.send');
    },
  };
  const store = contextStore;
  const run = compiled(fn);
  try {
    const result = run(
      { _msgid: 'm', topic: '', payload: structuredClone(payload), ...structuredClone(properties) },
      node,
      store(stores.flow),
      store(stores.global),
      store(stores.context),
      store(new Map()),
    );
    const list = result === undefined || result === null ? [] : Array.isArray(result) ? result : [result];
    const ports = Array.from({ length: outputs }, (_, i) => {
      const m = list[i] as Record<string, unknown> | null | undefined;
      return m ? [view(m)] : [];
    });
    return { ports, warnings };
  } catch {
    return { threw: true as const };
  }
};
