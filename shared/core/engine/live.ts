/**
 * The live stream of a running gateway (or an in-app try-it runtime): what its flows did in the
 * last ~200 ms, batched so a busy flow costs the watcher a handful of small messages a second
 * instead of one per step. Each batch says, per node, how often it ran, its last value and its
 * last error; per edge, how many messages went along it; which runs ended; and every `action.log`
 * line and node error (the debug sidebar). Batches are bounded in size; what a bound leaves out is
 * counted in `dropped`, never silently lost. Published as JSON on `fieldgraph/v1/gw/<id>/live`
 * (QoS 0, not retained) while someone watches (the `live` RPC keeps it on for a lease).
 */
import { Type, type Static } from '@sinclair/typebox';
import { RunOutcome, type RunTrace, type TraceStep } from './trace';

/** How long a batch collects before it is sent (ms); at most ~5 batches a second per gateway. */
export const LIVE_BATCH_MS = 200;

/** Bounds of one batch; entries past them are counted in `dropped`. */
export const LIVE_LIMITS = {
  /** Nodes that ran in one batch. */
  nodes: 500,
  /** Edges that carried messages in one batch. */
  edges: 1000,
  /** Runs that ended in one batch. */
  runs: 100,
  /** Debug lines (log output and errors) in one batch. */
  debug: 100,
  /** Characters of one value as JSON; longer values are replaced by a cut preview. */
  valueChars: 1024,
  /** Characters of one debug text or error message. */
  textChars: 2000,
} as const;

/**
 * A value as the live stream carries it: the value itself when its JSON has at most
 * `LIVE_LIMITS.valueChars` characters, otherwise `{ "$cut": "<the JSON's first characters>…", "chars": N }`.
 */
export const LiveValue = Type.Unknown({
  description: 'The value, or {"$cut": preview, "chars": length} when its JSON is longer than the limit',
});

/** A node that ran in the batch's window. */
export const LiveNode = Type.Object({
  flowId: Type.String(),
  nodeId: Type.String(),
  /** Steps the node executed in this window (a flash on the canvas). */
  runs: Type.Integer({ minimum: 1 }),
  /** When its last step in the window started (ms since epoch). */
  at: Type.Number(),
  /** The run of that last step, so a click can open its trace. */
  runId: Type.String(),
  /** The last payload it sent, or the one it received when it sent nothing. */
  value: Type.Optional(LiveValue),
  /** The error of its last failing step in the window (drawn in red). */
  error: Type.Optional(Type.String()),
});
export type LiveNode = Static<typeof LiveNode>;

/** An edge that carried messages in the batch's window. */
export const LiveEdge = Type.Object({
  flowId: Type.String(),
  edgeId: Type.String(),
  /** Messages that went along it in this window; the watcher adds them up. */
  messages: Type.Integer({ minimum: 1 }),
});
export type LiveEdge = Static<typeof LiveEdge>;

/** A run that ended in the window (its full trace is read with the `traces` RPC). */
export const LiveRun = Type.Object({
  flowId: Type.String(),
  runId: Type.String(),
  outcome: RunOutcome,
  startedAt: Type.Number(),
  endedAt: Type.Number(),
  reason: Type.Optional(Type.String()),
});
export type LiveRun = Static<typeof LiveRun>;

/** One line of the debug sidebar: `action.log` output, or a node's error. */
export const LiveDebug = Type.Object({
  at: Type.Number(),
  level: Type.Union([
    Type.Literal('debug'),
    Type.Literal('info'),
    Type.Literal('warn'),
    Type.Literal('error'),
  ]),
  /** `log` for an Log node's line, `error` for a node that failed, `engine` for the engine's own notes. */
  source: Type.Union([Type.Literal('log'), Type.Literal('error'), Type.Literal('engine')]),
  text: Type.String(),
  flowId: Type.Optional(Type.String()),
  nodeId: Type.Optional(Type.String()),
  runId: Type.Optional(Type.String()),
});
export type LiveDebug = Static<typeof LiveDebug>;

/** Entries a batch left out because of LIVE_LIMITS. */
export const LiveDropped = Type.Object({
  nodes: Type.Integer({ minimum: 0 }),
  edges: Type.Integer({ minimum: 0 }),
  runs: Type.Integer({ minimum: 0 }),
  debug: Type.Integer({ minimum: 0 }),
});
export type LiveDropped = Static<typeof LiveDropped>;

/** One batch of the live stream. */
export const LiveBatch = Type.Object({
  version: Type.Literal(1),
  gatewayId: Type.String(),
  /** +1 per batch since the runtime started; a gap means batches were lost on the way. */
  seq: Type.Integer({ minimum: 0 }),
  /** The window the batch covers (ms since epoch). */
  from: Type.Number(),
  to: Type.Number(),
  nodes: Type.Array(LiveNode),
  edges: Type.Array(LiveEdge),
  runs: Type.Array(LiveRun),
  debug: Type.Array(LiveDebug),
  dropped: Type.Optional(LiveDropped),
});
export type LiveBatch = Static<typeof LiveBatch>;

/** Which run and flow a step or a log line belongs to. */
export interface LiveSource {
  readonly flowId: string;
  readonly runId?: string;
  readonly nodeId?: string;
}

const cutText = (text: string): string =>
  text.length <= LIVE_LIMITS.textChars ? text : `${text.slice(0, LIVE_LIMITS.textChars - 1)}…`;

/** A value bounded for the live stream (see {@link LiveValue}); never throws. */
export const liveValue = (value: unknown): unknown => {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string' && value.length <= LIVE_LIMITS.valueChars - 2) return value;
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) return String(value).slice(0, LIVE_LIMITS.valueChars);
  if (json.length <= LIVE_LIMITS.valueChars) return value;
  return { $cut: `${json.slice(0, LIVE_LIMITS.valueChars - 1)}…`, chars: json.length };
};

interface NodeEntry {
  flowId: string;
  nodeId: string;
  runs: number;
  at: number;
  runId: string;
  value: unknown;
  hasValue: boolean;
  error: string | undefined;
}

/**
 * Collects what runs do between two batches, in memory bounded by LIVE_LIMITS whatever the
 * message rate: counting a step is a Map lookup; values are bounded only when the batch is
 * taken (the last one per node). Platform-free: the gateway and the in-app try-it runtime
 * both feed it from the engine's observer port and send what `take()` returns.
 */
export class LiveCollector {
  #seq = 0;
  #from: number;
  // By flow, then node or edge id: counting a step allocates nothing once its entry exists.
  #nodes = new Map<string, Map<string, NodeEntry>>();
  #edges = new Map<string, Map<string, LiveEdge>>();
  #nodeCount = 0;
  #edgeCount = 0;
  #runs: LiveRun[] = [];
  #debug: LiveDebug[] = [];
  #dropped: LiveDropped = { nodes: 0, edges: 0, runs: 0, debug: 0 };

  constructor(
    readonly gatewayId: string,
    now: number,
  ) {
    this.#from = now;
  }

  /** A step executed (its outputs and error are final). */
  step(flowId: string, runId: string, step: TraceStep): void {
    let nodes = this.#nodes.get(flowId);
    if (!nodes) this.#nodes.set(flowId, (nodes = new Map()));
    let entry = nodes.get(step.nodeId);
    if (!entry) {
      if (this.#nodeCount >= LIVE_LIMITS.nodes) {
        this.#dropped.nodes++;
      } else {
        this.#nodeCount++;
        entry = {
          flowId,
          nodeId: step.nodeId,
          runs: 0,
          at: step.at,
          runId,
          value: undefined,
          hasValue: false,
          error: undefined,
        };
        nodes.set(step.nodeId, entry);
      }
    }
    if (entry) {
      entry.runs++;
      entry.at = step.at;
      entry.runId = runId;
      const last = step.outputs.length > 0 ? step.outputs[step.outputs.length - 1]!.payload : step.input;
      entry.value = last;
      entry.hasValue = last !== undefined;
      if (step.error !== undefined) entry.error = step.error;
    }
    if (step.edgeId !== undefined) {
      let edges = this.#edges.get(flowId);
      if (!edges) this.#edges.set(flowId, (edges = new Map()));
      const edge = edges.get(step.edgeId);
      if (edge) edge.messages++;
      else if (this.#edgeCount >= LIVE_LIMITS.edges) this.#dropped.edges++;
      else {
        this.#edgeCount++;
        edges.set(step.edgeId, { flowId, edgeId: step.edgeId, messages: 1 });
      }
    }
    if (step.error !== undefined)
      this.debug(step.at, 'error', 'error', `${step.kind} failed: ${step.error}`, {
        flowId,
        runId,
        nodeId: step.nodeId,
      });
  }

  /** A run ended. */
  runEnded(trace: Pick<RunTrace, 'flowId' | 'runId' | 'outcome' | 'startedAt' | 'endedAt' | 'reason'>): void {
    if (this.#runs.length >= LIVE_LIMITS.runs) {
      this.#dropped.runs++;
      return;
    }
    this.#runs.push({
      flowId: trace.flowId,
      runId: trace.runId,
      outcome: trace.outcome,
      startedAt: trace.startedAt,
      endedAt: trace.endedAt,
      ...(trace.reason === undefined ? {} : { reason: cutText(trace.reason) }),
    });
  }

  /** A debug line: `action.log` output, a node error, or the engine's own note. */
  debug(
    at: number,
    level: LiveDebug['level'],
    source: LiveDebug['source'],
    text: string,
    from?: LiveSource,
  ): void {
    if (this.#debug.length >= LIVE_LIMITS.debug) {
      this.#dropped.debug++;
      return;
    }
    this.#debug.push({
      at,
      level,
      source,
      text: cutText(text),
      ...(from?.flowId === undefined ? {} : { flowId: from.flowId }),
      ...(from?.nodeId === undefined ? {} : { nodeId: from.nodeId }),
      ...(from?.runId === undefined ? {} : { runId: from.runId }),
    });
  }

  /** True when something happened since the last batch. */
  get pending(): boolean {
    return (
      this.#nodeCount > 0 ||
      this.#edgeCount > 0 ||
      this.#runs.length > 0 ||
      this.#debug.length > 0 ||
      this.#dropped.nodes + this.#dropped.edges + this.#dropped.runs + this.#dropped.debug > 0
    );
  }

  /** The batch since the last one, and a fresh window; undefined when nothing happened. */
  take(now: number): LiveBatch | undefined {
    if (!this.pending) {
      this.#from = now;
      return undefined;
    }
    const dropped = this.#dropped;
    const anyDropped = dropped.nodes + dropped.edges + dropped.runs + dropped.debug > 0;
    const batch: LiveBatch = {
      version: 1,
      gatewayId: this.gatewayId,
      seq: this.#seq++,
      from: this.#from,
      to: now,
      nodes: [...this.#nodes.values()]
        .flatMap((byNode) => [...byNode.values()])
        .map((n) => ({
          flowId: n.flowId,
          nodeId: n.nodeId,
          runs: n.runs,
          at: n.at,
          runId: n.runId,
          ...(n.hasValue ? { value: liveValue(n.value) } : {}),
          ...(n.error === undefined ? {} : { error: cutText(n.error) }),
        })),
      edges: [...this.#edges.values()].flatMap((byEdge) => [...byEdge.values()]),
      runs: this.#runs,
      debug: this.#debug,
      ...(anyDropped ? { dropped } : {}),
    };
    this.#from = now;
    this.#nodes = new Map();
    this.#edges = new Map();
    this.#nodeCount = 0;
    this.#edgeCount = 0;
    this.#runs = [];
    this.#debug = [];
    this.#dropped = { nodes: 0, edges: 0, runs: 0, debug: 0 };
    return batch;
  }
}
