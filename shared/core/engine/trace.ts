/**
 * The trace format: the record of one flow run, written by the engine, stored by the gateway
 * (with a retention budget per outcome) and drawn by the canvas. Plain JSON, versioned.
 */
import { Type, type Static } from '@sinclair/typebox';

/** How a run ended. */
export const RunOutcome = Type.Union([
  Type.Literal('finished'),
  Type.Literal('failed'),
  Type.Literal('stopped'),
  Type.Literal('cancelled'),
  Type.Literal('dropped-by-mode'),
  Type.Literal('loop-limit'),
  Type.Literal('suspended'),
]);
export type RunOutcome = Static<typeof RunOutcome>;

/** What each outcome means, for the UI legend and docs. */
export const runOutcomeDocs: Record<RunOutcome, string> = {
  finished: 'Every path of the run reached its end.',
  failed: 'A node failed (see the step with an error); the flow’s error path, if any, ran as a child run.',
  stopped: 'A Stop node ended the run.',
  cancelled: 'A newer run replaced it (restart mode), or the flows were redeployed while it ran.',
  'dropped-by-mode': 'The run never started: the flow’s run mode was at its limit.',
  'loop-limit': 'A message passed more nodes than the hop limit allows: the flow loops.',
  suspended:
    'The gateway stopped while the run waited on a delay; a resumed run continues it after the restart.',
};

/** A node's failure as recorded in a step and in the run. */
export const TraceError = Type.Object({
  nodeId: Type.String(),
  kind: Type.String(),
  message: Type.String(),
});
export type TraceError = Static<typeof TraceError>;

/** One node handling one message. */
export const TraceStep = Type.Object({
  nodeId: Type.String(),
  kind: Type.String(),
  /** Index (in `steps`) of the step that sent this message, -1 for the trigger step: the path through the flow. */
  parent: Type.Integer(),
  /** The edge the message came along (absent for the trigger step and timer continuations). */
  edgeId: Type.Optional(Type.String()),
  /** The input port, or `timer` / `event` for continuations of delays and waits. */
  port: Type.String(),
  at: Type.Number({ description: 'ms since epoch when the step started' }),
  endedAt: Type.Optional(Type.Number({ description: 'set when the step was asynchronous' })),
  hops: Type.Integer(),
  input: Type.Unknown(),
  outputs: Type.Array(
    Type.Object({
      port: Type.String(),
      payload: Type.Unknown(),
      /** The message's named properties (`msg.command`), when it carried any. */
      properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  ),
  changedVariables: Type.Optional(
    Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() })),
  ),
  error: Type.Optional(Type.String()),
});
export type TraceStep = Static<typeof TraceStep>;

/** How the HTTP request that started a run was answered (runs of an HTTP endpoint trigger). */
export const TraceHttp = Type.Object({
  method: Type.String(),
  path: Type.String(),
  status: Type.Integer(),
  /**
   * `node`: an HTTP response node; `run-end`: the run ended without one (204, or 500/503 by its
   * outcome); `timeout`: 504 after the endpoint's timeout; `busy`: 503, the run mode dropped the
   * run; `stopped`: 503, the flows stopped first.
   */
  answeredBy: Type.Union([
    Type.Literal('node'),
    Type.Literal('run-end'),
    Type.Literal('timeout'),
    Type.Literal('busy'),
    Type.Literal('stopped'),
  ]),
  at: Type.Number({ description: 'ms since epoch when the answer went out' }),
});
export type TraceHttp = Static<typeof TraceHttp>;

/** The record of one run. */
export const RunTrace = Type.Object({
  version: Type.Literal(1),
  runId: Type.String(),
  flowId: Type.String(),
  trigger: Type.Object({ nodeId: Type.String(), kind: Type.String() }),
  startedAt: Type.Number(),
  endedAt: Type.Number(),
  outcome: RunOutcome,
  /** Why: the stop reason, the drop reason, the loop limit… */
  reason: Type.Optional(Type.String()),
  error: Type.Optional(TraceError),
  steps: Type.Array(TraceStep),
  /** True when the run had more steps than a trace keeps; the first ones are kept. */
  truncated: Type.Optional(Type.Boolean()),
  parentRunId: Type.Optional(Type.String()),
  /** The run this one continues after a restart. */
  resumedFrom: Type.Optional(Type.String()),
  childRunIds: Type.Array(Type.String()),
  /** The answer to the HTTP request that started the run, when one did. */
  http: Type.Optional(TraceHttp),
});
export type RunTrace = Static<typeof RunTrace>;
