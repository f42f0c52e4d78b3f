/**
 * Reading a gateway's kept traces: the `traces` RPC's arguments and result, and the flow version
 * each run ran on, so a run can be drawn on the flow exactly as it was when it ran.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { Type, type Static } from '@sinclair/typebox';
import { canonicalize } from '../project/serialize';
import { RunOutcome, RunTrace } from './trace';

/** Most runs one query returns. */
export const TRACE_QUERY_MAX = 200;

/** Which kept runs to return; all filters are optional and combine. Newest first. */
export const TraceQuery = Type.Object(
  {
    flowId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** One outcome or several. */
    outcome: Type.Optional(
      Type.Union([RunOutcome, Type.Array(RunOutcome, { minItems: 1, maxItems: 7, uniqueItems: true })]),
    ),
    /** At most this many runs (default 50). */
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: TRACE_QUERY_MAX })),
    /** Only runs that ended before this time (ms since epoch): the next page after the oldest run seen. */
    before: Type.Optional(Type.Number()),
    /** Just this run. */
    runId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type TraceQuery = Static<typeof TraceQuery>;

/** The flow a run ran on: the package version that carried it and the hash of the flow document. */
export const FlowVersion = Type.Object({
  /** The installed package version, when the flows came from a package. */
  packageVersion: Type.Optional(Type.Integer({ minimum: 0 })),
  /** First 16 hex digits of the SHA-256 of the flow document's canonical JSON. */
  hash: Type.String({ pattern: '^[0-9a-f]{16}$' }),
});
export type FlowVersion = Static<typeof FlowVersion>;

/** A run as the gateway keeps it: the engine's trace plus the flow version it ran on. */
export const StoredRun = Type.Composite([RunTrace, Type.Object({ flowVersion: Type.Optional(FlowVersion) })]);
export type StoredRun = Static<typeof StoredRun>;

/** What the `traces` RPC returns. */
export const TraceQueryResult = Type.Object({
  /** Matching runs, newest first (by when they ended). */
  traces: Type.Array(StoredRun),
  /** Runs seen since the gateway started, by flow then outcome (evicted ones too). */
  runs: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer({ minimum: 0 }))),
});
export type TraceQueryResult = Static<typeof TraceQueryResult>;

/** The hash in {@link FlowVersion}: equal for the same flow document whatever its key order. */
export const flowHash = (flow: unknown): string =>
  bytesToHex(sha256(utf8ToBytes(JSON.stringify(canonicalize(flow))))).slice(0, 16);
