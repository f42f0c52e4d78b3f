import { Type } from '@sinclair/typebox';
import { defineEvent, defineMethod } from '../contract';
import { LiveBatch } from '../../engine/live';
import { StoredRun, TraceQuery } from '../../engine/trace-query';

const Url = Type.String({ pattern: '^(mqtts?|wss?|tcp)://', minLength: 1, maxLength: 2048 });
const HttpUrl = Type.String({ pattern: '^https?://', minLength: 1, maxLength: 2048 });
const Id = Type.String({ minLength: 1, maxLength: 128 });

/**
 * Where a running gateway is reached: over the site broker (its RPC and live topics), or over
 * its HTTP endpoint (its RPC; the live stream is polled there, about twice a second).
 */
export const LiveGateway = Type.Union([
  Type.Object({ brokerUrl: Url, gatewayId: Id }),
  Type.Object({ httpUrl: HttpUrl, gatewayId: Id }),
]);

/** The open design as the Flows view holds it, unsaved edits included: what try-it runs. */
export const TryItDesign = Type.Object({
  /** Flow documents (the flows/<id>.json format). */
  flows: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 500 }),
  /** The design's roles (fieldgraph.json `roles`). */
  roles: Type.Array(Type.Unknown(), { maxItems: 2000 }),
  /** A site document (sites/<id>.json) with the devices and role bindings to use. */
  site: Type.Unknown(),
  /** The project's own device models; the built-in library is added by the runtime. */
  models: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 2000 })),
});

/** What try-it mode is doing. */
export const TryItState = Type.Object({
  state: Type.Union([
    Type.Literal('stopped'),
    Type.Literal('starting'),
    Type.Literal('running'),
    Type.Literal('failed'),
  ]),
  /** The in-app gateway's id (its topics are fieldgraph/v1/gw/<id>/…). */
  gatewayId: Type.Optional(Type.String()),
  /** The broker it runs against, without credentials. */
  brokerUrl: Type.Optional(Type.String()),
  /** Flows that run, by id; flows of the design missing here could not start (see `message`). */
  flows: Type.Array(Type.Object({ id: Type.String(), name: Type.Optional(Type.String()) })),
  startedAt: Type.Optional(Type.Number()),
  /** Why it failed or stopped, or which flows could not start, in a sentence. */
  message: Type.Optional(Type.String()),
});

/** A page of traces from a gateway, newest first, with the run counts per flow and outcome. */
export const TracePage = Type.Object({
  /** Each with the flow version it ran on, when the gateway says. */
  runs: Type.Array(StoredRun),
  /** Runs the gateway saw since it started, by flow then outcome (also those it no longer keeps). */
  counts: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())),
  /** Traces the gateway sent that are not in the trace format, left out. */
  skipped: Type.Integer({ minimum: 0 }),
});

/** The `live` area: try-it mode, the live stream of a running gateway, and its traces. */
export const liveMethods = {
  tryStart: defineMethod(
    Type.Object({
      design: TryItDesign,
      /** The broker the flows talk to: the site broker or the demo site's. */
      brokerUrl: Url,
    }),
    TryItState,
    'Runs the open design (unsaved edits included) on a gateway runtime inside the app, against the given broker; stops a previous try-it first. Resolves once it runs.',
  ),
  tryStop: defineMethod(Type.Object({}), TryItState, 'Stops try-it mode and removes its scratch folder.'),
  tryState: defineMethod(Type.Object({}), TryItState, 'What try-it mode is doing now.'),
  watch: defineMethod(
    LiveGateway,
    Type.Object({ gatewayId: Type.String() }),
    'Streams what a running gateway’s flows do (onLiveBatch) until unwatch; keeps the gateway’s live stream switched on while watched.',
  ),
  unwatch: defineMethod(
    Type.Object({ gatewayId: Id }),
    Type.Object({ watching: Type.Boolean() }),
    'Stops streaming a gateway’s live batches.',
  ),
  run: defineMethod(
    Type.Object({
      gateway: LiveGateway,
      flowId: Id,
      /** The Manual trigger to fire, when the flow has more than one. */
      nodeId: Type.Optional(Id),
      payload: Type.Optional(Type.Unknown()),
    }),
    Type.Object({ runId: Type.Union([Type.String(), Type.Null()]) }),
    'Fires a flow’s Manual trigger on a running gateway (the inject button); runId is null when the run mode dropped or queued it.',
  ),
  traces: defineMethod(
    Type.Object({ gateway: LiveGateway, query: TraceQuery }),
    TracePage,
    'Traces a gateway keeps, newest first, filtered by flow and outcome (one or several), paged with `before`.',
  ),
  trace: defineMethod(
    Type.Object({ gateway: LiveGateway, runId: Id }),
    StoredRun,
    'One run’s full trace from a gateway.',
  ),
};

/** Events of the `live` area. */
export const liveEvents = {
  onLiveBatch: defineEvent(
    LiveBatch,
    'What a watched gateway’s flows did in the last ~200 ms: nodes that ran with their last value and error, messages per edge, runs that ended, log lines.',
  ),
  onTryIt: defineEvent(TryItState, 'Try-it mode started, stopped or failed.'),
};
