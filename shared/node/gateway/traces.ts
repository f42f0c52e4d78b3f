import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** What the trace store needs from a trace (shared/core/engine/trace.ts RunTrace): its run, its flow and how it ended. */
export interface StoredTrace {
  readonly runId: string;
  readonly flowId: string;
  readonly outcome: string;
  readonly [key: string]: unknown;
}

/** A trace query over MQTT RPC or HTTP; newest first. */
export interface TraceQuery {
  readonly flowId?: string;
  readonly outcome?: string;
  readonly limit?: number;
}

/** Per-outcome retention: how many traces of each outcome are kept. */
export type TraceBudgets = Readonly<Record<string, number>>;

/** Default budgets: plenty of failures, fewer of the everyday outcomes. */
export const defaultTraceBudgets: TraceBudgets = { finished: 200, failed: 200, '*': 100 };

/**
 * Keeps traces in one bounded bucket per outcome, so a flood of successful runs never pushes out
 * the last failure; counts every run by flow and outcome (also the evicted ones), and persists
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

/** A fixed-size ring: O(1) add, oldest overwritten. */
class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private size = 0;
  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }
  push(item: T): void {
    this.items[this.next] = item;
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
}

const FILE = 'traces.json';

/** Opens the trace store in `dir` (created if missing), reloading what a previous run kept. */
export const openTraceStore = (
  dir: string,
  budgets: TraceBudgets = defaultTraceBudgets,
  flushDelayMs = 2_000,
): TraceStore => {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, FILE);
  const buckets = new Map<string, Ring<StoredTrace>>();
  const counts: Record<string, Record<string, number>> = {};
  const bucketFor = (outcome: string): Ring<StoredTrace> => {
    let ring = buckets.get(outcome);
    if (!ring) {
      ring = new Ring(Math.max(1, budgets[outcome] ?? budgets['*'] ?? 100));
      buckets.set(outcome, ring);
    }
    return ring;
  };
  if (existsSync(path)) {
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as { traces?: StoredTrace[] };
      // saved newest first; re-add oldest first so the rings keep the same order
      for (const trace of (saved.traces ?? []).slice().reverse()) bucketFor(trace.outcome).push(trace);
    } catch {
      // a damaged trace file costs history, never the start of the gateway
    }
  }
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const all = (): StoredTrace[] => {
    const out: StoredTrace[] = [];
    for (const ring of buckets.values()) out.push(...ring.toArray());
    return out.sort((a, b) => Number(b.endedAt ?? b.startedAt ?? 0) - Number(a.endedAt ?? a.startedAt ?? 0));
  };
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(() => writeFileAtomic(path, JSON.stringify({ schemaVersion: 1, traces: all() })));
    return writing;
  };
  return {
    add(trace) {
      bucketFor(trace.outcome).push(trace);
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
      const source = query.outcome ? (buckets.get(query.outcome)?.toArray() ?? []) : all();
      const out: StoredTrace[] = [];
      for (const trace of source) {
        if (query.flowId && trace.flowId !== query.flowId) continue;
        out.push(trace);
        if (out.length >= limit) break;
      }
      return out;
    },
    get(runId) {
      for (const ring of buckets.values())
        for (const trace of ring.toArray()) if (trace.runId === runId) return trace;
      return undefined;
    },
    counts: () => structuredClone(counts),
    flush,
    async close() {
      await flush();
    },
  };
};
