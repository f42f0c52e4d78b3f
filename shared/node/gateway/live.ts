/**
 * The gateway's live stream: while someone watches (the `live` RPC takes a lease), the engine's
 * steps, ended runs and log lines are collected (shared/core/engine/live.ts) and one batch per
 * ~200 ms is published on `…/live`. Nobody watching costs a flag test per step.
 */
import { Value } from '@sinclair/typebox/value';
import { Type } from '@sinclair/typebox';
import { FieldgraphError } from '../../core/errors';
import { LIVE_BATCH_MS, LiveCollector } from '../../core/engine/live';
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

/** The `live` RPC's arguments: how long to keep streaming (the watcher renews before it ends). */
export const LiveWatchArgs = Type.Object(
  { seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })) },
  { additionalProperties: false },
);

/** The gateway's live stream. */
export interface LiveStream extends LiveFeed {
  /** Opens or extends the lease; returns where and how often batches come. */
  watch(args: Record<string, unknown>): { topic: string; intervalMs: number; until: number };
  close(): void;
}

/** Starts the live stream of gateway `gatewayId`, publishing on `topic` through `link`. */
export const createLiveStream = (link: MqttLink, gatewayId: string, topic: string): LiveStream => {
  const collector = new LiveCollector(gatewayId, Date.now());
  let until = 0;
  let watching = false;
  let timer: NodeJS.Timeout | undefined;

  const tick = () => {
    const now = Date.now();
    if (now >= until) {
      watching = false;
      clearInterval(timer);
      timer = undefined;
    }
    const batch = collector.take(now);
    if (batch && link.connected()) link.publishFast(topic, JSON.stringify(batch));
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
          'The live stream takes {"seconds": 1–600} (how long to keep it on; renew before it ends).',
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
      return { topic, intervalMs: LIVE_BATCH_MS, until };
    },
    close() {
      watching = false;
      clearInterval(timer);
      timer = undefined;
    },
  };
};
