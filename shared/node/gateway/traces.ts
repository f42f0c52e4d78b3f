import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import writeFileAtomic from 'write-file-atomic';
import { TraceQuery as TraceQuerySchema, type StoredRun } from '../../core/engine/trace-query';
import { FieldgraphError } from '../../core/errors';
import type { RpcServer } from './rpc';
import type { FlowRunner } from './runner';

/** What the trace store needs from a trace (shared/core/engine/trace.ts RunTrace): its run, its flow and how it ended. */
export interface StoredTrace {
  readonly runId: string;
  readonly flowId: string;
  readonly outcome: string;
  readonly [key: string]: unknown;
}

/** A trace query over MQTT RPC or HTTP (shared/core/engine/trace-query.ts); newest first. */
export interface TraceQuery {
  readonly flowId?: string;
  /** One outcome or several. */
  readonly outcome?: string | readonly string[];
  readonly limit?: number;
  /** Only runs that ended before this time (ms since epoch). */
  readonly before?: number;
  readonly runId?: string;
}

/** Per-flow, per-outcome retention: how many traces of each outcome are kept for each flow. */
export type TraceBudgets = Readonly<Record<string, number>>;

/** Default budgets per flow: plenty of failures, fewer of the everyday outcomes. */
export const defaultTraceBudgets: TraceBudgets = { finished: 20, failed: 50, '*': 10 };

/**
 * Keeps traces in one bounded bucket per flow and outcome, so a flood of successful runs never
 * pushes out the last failure, and a flow failing by the hundred never pushes out another flow's
 * failures; counts every run by flow and outcome (also the evicted ones), and persists
 * the buckets to `traces.json` in its folder (soon after a run that did not finish, and on `close()`).
 */
export interface TraceStore {
  add(trace: StoredTrace): void;
  query(query?: TraceQuery): StoredTrace[];
  get(runId: string): StoredTrace | undefined;
  /** Runs seen since the store was created, by flow then outcome. */
  counts(): Record<string, Record<string, number>>;
  /** Writes the buckets now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fixed-size ring: O(1) add, oldest overwritten. Each item keeps the order it was added in
 * beside it (runs often end within the same millisecond; the order breaks the tie).
 */
class Ring<T> {
  private readonly items: (T | undefined)[];
  private readonly orders: number[];
  private next = 0;
  private size = 0;
  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
    this.orders = new Array<number>(capacity).fill(0);
  }
  push(item: T, order: number): void {
    this.items[this.next] = item;
    this.orders[this.next] = order;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }
  /** Newest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 1; i <= this.size; i++)
      out.push(this.items[(this.next - i + this.capacity) % this.capacity] as T);
    return out;
  }
  /** Newest first, each with the order it was added in. */
  entries(): Array<{ trace: T; order: number }> {
    const out: Array<{ trace: T; order: number }> = [];
    for (let i = 1; i <= this.size; i++) {
      const at = (this.next - i + this.capacity) % this.capacity;
      out.push({ trace: this.items[at] as T, order: this.orders[at]! });
    }
    return out;
  }
}

const FILE = 'traces.json';

const endOf = (trace: StoredTrace): number => Number(trace.endedAt ?? trace.startedAt ?? 0);

/** Opens the trace store in `dir` (created if missing), reloading what a previous run kept. */
export const openTraceStore = (
  dir: string,
  budgets: TraceBudgets = defaultTraceBudgets,
  flushDelayMs = 2_000,
): TraceStore => {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, FILE);
  // By flow, then outcome: looked up per run without building a key string.
  const buckets = new Map<string, Map<string, Ring<StoredTrace>>>();
  const counts: Record<string, Record<string, number>> = {};
  const bucketFor = (trace: StoredTrace): Ring<StoredTrace> => {
    let byOutcome = buckets.get(trace.flowId);
    if (!byOutcome) {
      byOutcome = new Map();
      buckets.set(trace.flowId, byOutcome);
    }
    let ring = byOutcome.get(trace.outcome);
    if (!ring) {
      ring = new Ring(Math.max(1, budgets[trace.outcome] ?? budgets['*'] ?? 10));
      byOutcome.set(trace.outcome, ring);
    }
    return ring;
  };
  const rings = function* (): Generator<Ring<StoredTrace>> {
    for (const byOutcome of buckets.values()) yield* byOutcome.values();
  };
  let added = 0;
  if (existsSync(path)) {
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as { traces?: StoredTrace[] };
      // saved newest first; re-add oldest first so the rings keep the same order
      for (const trace of (saved.traces ?? []).slice().reverse()) bucketFor(trace).push(trace, ++added);
    } catch {
      // a damaged trace file costs history, never the start of the gateway
    }
  }
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const all = (): StoredTrace[] => {
    const out: Array<{ trace: StoredTrace; order: number }> = [];
    for (const ring of rings()) out.push(...ring.entries());
    out.sort((a, b) => endOf(b.trace) - endOf(a.trace) || b.order - a.order);
    return out.map((entry) => entry.trace);
  };
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(() => writeFileAtomic(path, JSON.stringify({ schemaVersion: 1, traces: all() })));
    return writing;
  };
  return {
    add(trace) {
      bucketFor(trace).push(trace, ++added);
      const byFlow = (counts[trace.flowId] ??= {});
      byFlow[trace.outcome] = (byFlow[trace.outcome] ?? 0) + 1;
      // Writing is for keeping what went wrong across a restart: a stream of successful runs
      // is written at close() only, so a busy healthy flow never pays for serialising traces.
      if (!timer && flushDelayMs >= 0 && trace.outcome !== 'finished') {
        timer = setTimeout(() => void flush(), flushDelayMs);
        timer.unref();
      }
    },
    query(query = {}) {
      const limit = Math.max(0, query.limit ?? 50);
      const outcomes = typeof query.outcome === 'string' ? [query.outcome] : query.outcome;
      const source =
        outcomes?.length === 1 && query.flowId !== undefined
          ? (buckets.get(query.flowId)?.get(outcomes[0]!)?.toArray() ?? [])
          : all().filter((t) => !outcomes || outcomes.includes(t.outcome));
      const out: StoredTrace[] = [];
      for (const trace of source) {
        if (query.flowId !== undefined && trace.flowId !== query.flowId) continue;
        if (query.runId !== undefined && trace.runId !== query.runId) continue;
        if (query.before !== undefined && !(endOf(trace) < query.before)) continue;
        out.push(trace);
        if (out.length >= limit) break;
      }
      return out;
    },
    get(runId) {
      for (const ring of rings()) for (const trace of ring.toArray()) if (trace.runId === runId) return trace;
      return undefined;
    },
    counts: () => structuredClone(counts),
    flush,
    async close() {
      await flush();
    },
  };
};

/** The RPC's arguments as a query, or a `gateway.rpc_bad_request` naming the first wrong field. */
const toQuery = (args: Record<string, unknown>): TraceQuery => {
  // the HTTP route passes absent parameters as undefined
  const defined = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
  if (Value.Check(TraceQuerySchema, defined)) return defined as TraceQuery;
  const first = Value.Errors(TraceQuerySchema, defined).First();
  throw new FieldgraphError(
    'gateway.rpc_bad_request',
    `The trace query's ${first?.path.slice(1) || 'arguments'} ${first ? `is wrong: ${first.message}` : 'are wrong'}. It takes flowId, outcome (one or a list), limit (1–200), before (ms since 1970) and runId.`,
  );
};

/**
 * Adds the trace methods to the gateway's RPC: `traces` (a TraceQuery; newest first, with the
 * flow version each run ran on), `trace` (one run by id) and `flow` (a running flow's document
 * and version, to draw a run on).
 */
export const registerTraceMethods = (
  rpc: RpcServer,
  traces: TraceStore,
  runner: () => FlowRunner | undefined,
): void => {
  // The store keeps what the engine wrote: StoredRun documents (the contract's answer type).
  rpc.register('traces', (args) => ({
    traces: traces.query(toQuery(args)) as StoredRun[],
    runs: traces.counts(),
  }));
  rpc.register('trace', (args) => {
    const trace = typeof args.runId === 'string' ? traces.get(args.runId) : undefined;
    if (!trace)
      throw new FieldgraphError(
        'gateway.rpc_bad_request',
        `No trace of run ${JSON.stringify(args.runId)} is kept on this gateway; list them with the "traces" method.`,
      );
    return trace as StoredRun;
  });
  rpc.register('flow', (args) => {
    const found = typeof args.flowId === 'string' ? runner()?.flow?.(args.flowId) : undefined;
    if (!found)
      throw new FieldgraphError(
        'gateway.rpc_bad_request',
        `Flow ${JSON.stringify(args.flowId)} is not running on this gateway; its status lists the flows that are.`,
      );
    return found;
  });
};
