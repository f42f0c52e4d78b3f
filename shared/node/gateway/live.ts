/**
 * The gateway's live stream: while someone watches (the `live` RPC takes a lease), the engine's
 * steps, ended runs and log lines are collected (shared/core/engine/live.ts) and one batch per
 * ~200 ms is published on `…/live`. A watcher that reaches the gateway over HTTP instead (no
 * broker in reach) polls: the last few batches are kept, and the `live` RPC with `since` answers
 * those it has not had yet. Nobody watching costs a flag test per step.
 */
import { Value } from '@sinclair/typebox/value';
import { Type } from '@sinclair/typebox';
import { FieldgraphError } from '../../core/errors';
import { LIVE_BATCH_MS, LiveCollector, type LiveBatch } from '../../core/engine/live';
import type { EngineLogSource } from '../../core/engine/ports';
import type { TraceStep } from '../../core/engine/trace';
import type { MqttLink } from '../mqtt/link';

/** What the engine glue feeds; every call returns at once when nobody watches. */
export interface LiveFeed {
  /** True while a lease is open; the engine glue skips its work otherwise. */
  readonly watching: boolean;
  step(flowId: string, runId: string, step: TraceStep): void;
  runEnded(trace: {
    flowId: string;
    runId: string;
    outcome: string;
    startedAt: number;
    endedAt: number;
    reason?: string;
  }): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', text: string, source?: EngineLogSource): void;
}

/**
 * Batches kept for watchers that poll over HTTP: 3 s of them, so a poll every second loses
 * nothing even when one is late; at most LIVE_LIMITS-sized each, so the memory is bounded.
 */
export const LIVE_KEPT_BATCHES = 15;

/**
 * The `live` RPC's arguments: how long to keep streaming (the watcher renews before it ends),
 * and for a watcher that polls, the first batch it has not had (`since`, a batch `seq`).
 */
export const LiveWatchArgs = Type.Object(
  {
    seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
    since: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** What the `live` RPC answers: where batches are published, and to a poller the kept ones since `since`. */
export interface LiveLease {
  readonly topic: string;
  readonly intervalMs: number;
  readonly until: number;
  /** Only with `since`: the kept batches from `since` on, oldest first. */
  readonly batches?: LiveBatch[];
  /** The `seq` the next batch will have: a poller's first `since`, and its next. */
  readonly next: number;
}

/** The gateway's live stream. */
export interface LiveStream extends LiveFeed {
  /** Opens or extends the lease; returns where and how often batches come, and a poller's batches. */
  watch(args: Record<string, unknown>): LiveLease;
  close(): void;
}

/** Starts the live stream of gateway `gatewayId`, publishing on `topic` through `link`. */
export const createLiveStream = (link: MqttLink, gatewayId: string, topic: string): LiveStream => {
  const collector = new LiveCollector(gatewayId, Date.now());
  let until = 0;
  let watching = false;
  let timer: NodeJS.Timeout | undefined;
  let kept: LiveBatch[] = [];
  let next = 0;

  const tick = () => {
    const now = Date.now();
    if (now >= until) {
      watching = false;
      clearInterval(timer);
      timer = undefined;
    }
    const batch = collector.take(now);
    if (!batch) return;
    next = batch.seq + 1;
    kept.push(batch);
    if (kept.length > LIVE_KEPT_BATCHES) kept = kept.slice(-LIVE_KEPT_BATCHES);
    if (link.connected()) link.publishFast(topic, JSON.stringify(batch));
  };

  return {
    get watching() {
      return watching;
    },
    step(flowId, runId, step) {
      if (watching) collector.step(flowId, runId, step);
    },
    runEnded(trace) {
      if (watching) collector.runEnded(trace as Parameters<LiveCollector['runEnded']>[0]);
    },
    log(level, text, source) {
      // a failed node's error comes with its step; the log line would say it twice
      if (!watching || source?.origin === 'error') return;
      collector.debug(Date.now(), level, source?.origin === 'log' ? 'log' : 'engine', text, source);
    },
    watch(args) {
      if (!Value.Check(LiveWatchArgs, args)) {
        throw new FieldgraphError(
          'gateway.rpc_bad_request',
          'The live stream takes {"seconds": 1–600} (how long to keep it on; renew before it ends) and, to poll, {"since": the next batch seq}.',
        );
      }
      const seconds = (args.seconds as number | undefined) ?? 60;
      until = Date.now() + seconds * 1000;
      if (!watching) {
        // a new watcher starts with a fresh window, not with what piled up before
        collector.take(Date.now());
        watching = true;
      }
      if (!timer) {
        timer = setInterval(tick, LIVE_BATCH_MS);
        timer.unref();
      }
      const since = args.since as number | undefined;
      if (since === undefined) return { topic, intervalMs: LIVE_BATCH_MS, until, next };
      // A `since` past the next seq is from before a restart (seqs start again at 0): the
      // poller goes on from `next`.
      return { topic, intervalMs: LIVE_BATCH_MS, until, batches: kept.filter((b) => b.seq >= since), next };
    },
    close() {
      watching = false;
      kept = [];
      clearInterval(timer);
      timer = undefined;
    },
  };
};
