/**
 * A test bench for the engine: a fake clock that only moves when told, in-memory devices,
 * MQTT, HTTP and persistence that record what they get, and helpers to build tiny flows.
 */
import {
  createEngine,
  type EngineLogSource,
  type EnginePorts,
  type EngineSnapshot,
  type FlowEngine,
  type RunTrace,
} from '../../../../../shared/core/engine';
import type { Flow, FlowEdge, FlowNode, RunModeName } from '../../../../../shared/core/flow/schema';

/** A clock whose time moves only through `advance`, firing due timers in order. */
export class FakeClock {
  time: number;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #seq = 0;
  constructor(start = Date.UTC(2026, 5, 1, 12, 0, 0)) {
    this.time = start;
  }
  now = () => this.time;
  setTimer = (callback: () => void, delayMs: number) => {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.time + delayMs, callback });
    return id;
  };
  clearTimer = (handle: unknown) => void this.#timers.delete(handle as number);
  get pending() {
    return this.#timers.size;
  }
  /** Moves time forward, firing every timer that comes due on the way. */
  advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers)
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].callback();
    }
    this.time = end;
  }
}

/** Everything the bench records. */
export interface Bench {
  engine: FlowEngine;
  clock: FakeClock;
  traces: RunTrace[];
  published: { topic: string; payload: unknown; qos: number; retain: boolean }[];
  writes: { role: string; property: string; value: unknown }[];
  actions: { role: string; action: string; input: unknown }[];
  logs: { level: string; text: string; source?: EngineLogSource }[];
  subscribed: Set<string>;
  store: { snapshot?: EngineSnapshot; saves: number };
  ports: EnginePorts;
}

/** Options for `bench`. */
export interface BenchOptions {
  clock?: FakeClock;
  store?: { snapshot?: EngineSnapshot; saves: number };
  invokeAction?: (role: string, action: string, input: unknown) => unknown;
  writeProperty?: (role: string, property: string, value: unknown) => void | Promise<void>;
  http?: EnginePorts['http']['request'];
  maxHops?: number;
  observer?: EnginePorts['observer'];
  panel?: EnginePorts['panel'];
}

/** Builds an engine over recording ports and deploys `flows` (throws on deploy problems). */
export const bench = (flows: Flow[], options: BenchOptions = {}): Bench => {
  const clock = options.clock ?? new FakeClock();
  const store = options.store ?? { saves: 0 };
  const b = {
    clock,
    traces: [] as RunTrace[],
    published: [] as Bench['published'],
    writes: [] as Bench['writes'],
    actions: [] as Bench['actions'],
    logs: [] as Bench['logs'],
    subscribed: new Set<string>(),
    store,
  };
  const ports: EnginePorts = {
    clock,
    devices: {
      writeProperty: (role, property, value) => {
        b.writes.push({ role, property, value });
        return options.writeProperty?.(role, property, value);
      },
      invokeAction: (role, action, input) => {
        b.actions.push({ role, action, input });
        return options.invokeAction?.(role, action, input);
      },
    },
    mqtt: {
      publish: (topic, payload, o) => void b.published.push({ topic, payload, ...o }),
      subscribe: (filter) => void b.subscribed.add(filter),
      unsubscribe: (filter) => void b.subscribed.delete(filter),
    },
    http: {
      request: options.http ?? (() => Promise.reject(new Error('no HTTP in this test'))),
    },
    persistence: {
      load: () => (store.snapshot ? structuredClone(store.snapshot) : undefined),
      save: (snapshot) => {
        store.snapshot = structuredClone(snapshot);
        store.saves++;
      },
    },
    traces: { write: (trace) => void b.traces.push(trace) },
    log: (level, text, source) => void b.logs.push({ level, text, ...(source ? { source } : {}) }),
    ...(options.observer ? { observer: options.observer } : {}),
    ...(options.panel ? { panel: options.panel } : {}),
  };
  const engine = createEngine(ports, { maxHops: options.maxHops ?? 64 });
  const problems = engine.deploy(flows);
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  return { ...b, engine, ports };
};

/** A node at a dummy position. */
export const node = (id: string, kind: string, config: Record<string, unknown> = {}): FlowNode => ({
  id,
  kind,
  config,
  position: { x: 0, y: 0 },
});

/** An edge `from:port → to:port` (ports default to out → in). */
export const edge = (from: string, to: string, fromPort = 'out', toPort = 'in'): FlowEdge => ({
  id: `${from}-${fromPort}-${to}-${toPort}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64),
  from: { node: from, port: fromPort },
  to: { node: to, port: toPort },
});

/** A flow from nodes and edges. */
export const flow = (
  id: string,
  nodes: FlowNode[],
  edges: FlowEdge[],
  mode: RunModeName = 'parallel',
  max = 10,
  roles: string[] = [],
): Flow => ({ schemaVersion: 1, id, name: id, roles, runMode: { mode, max }, nodes, edges });

/** A manual trigger wired into `kind` (configured by `config`) wired into a probe (a Log node). */
export const probeFlow = (
  kind: string,
  config: Record<string, unknown>,
  outPort = 'out',
  inPort = 'in',
): Flow =>
  flow(
    'f',
    [
      node('t', 'trigger.manual'),
      node('n', kind, config),
      node('probe', 'action.log', { message: '"probe"' }),
    ],
    [edge('t', 'n', 'out', inPort), edge('n', 'probe', outPort)],
  );

/** Steps of the last trace that ran node `id`. */
export const stepsOf = (trace: RunTrace | undefined, id: string) =>
  trace?.steps.filter((s) => s.nodeId === id) ?? [];

/** The last trace written. */
export const lastTrace = (b: Bench): RunTrace | undefined => b.traces.at(-1);
