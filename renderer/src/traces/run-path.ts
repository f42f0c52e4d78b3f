/**
 * A run's trace read for drawing: the path it took over its flow (which nodes ran, in which
 * steps, with their last value and error; which edges carried how many messages), step times,
 * and how two runs of one flow differ. Pure functions over the trace format.
 */
import type { RunTrace, TraceStep } from '../../../shared/core/engine/trace';
import { previewValue, type CanvasOverlay, type EdgeOverlay, type NodeOverlay } from '../canvas/overlay';

/** One node on the path. */
export interface PathNode extends NodeOverlay {
  readonly steps: readonly number[];
}

/** Where the run went: nodes by id, edges by id. */
export interface RunPath {
  readonly nodes: ReadonlyMap<string, PathNode>;
  readonly edges: ReadonlyMap<string, EdgeOverlay>;
}

/** What a step sent (its last output), or what it got when it sent nothing. */
export const stepValue = (step: TraceStep): unknown =>
  step.outputs.length > 0 ? step.outputs[step.outputs.length - 1]!.payload : step.input;

/**
 * One output of a step as the trace view prints it: the port and payload, then each named
 * message property (`msg.command`) the message carried, so a Node-RED-style flow that routes on
 * them shows why it went where it went.
 */
export const outputText = (out: TraceStep['outputs'][number], json: (value: unknown) => string): string =>
  [
    `${out.port}: ${json(out.payload)}`,
    ...Object.entries(out.properties ?? {}).map(([name, value]) => `msg.${name} = ${json(value)}`),
  ].join('\n');

/** The path of a run over its flow. */
export const pathOf = (trace: RunTrace): RunPath => {
  const nodes = new Map<
    string,
    { runs: number; value: string | null; error: string | null; steps: number[] }
  >();
  const edges = new Map<string, { messages: number; hot: boolean }>();
  trace.steps.forEach((step, i) => {
    const node = nodes.get(step.nodeId) ?? { runs: 0, value: null, error: null, steps: [] };
    node.runs++;
    node.steps.push(i + 1);
    node.value = previewValue(stepValue(step));
    if (step.error !== undefined) node.error = step.error;
    nodes.set(step.nodeId, node);
    if (step.edgeId !== undefined) {
      const edge = edges.get(step.edgeId) ?? { messages: 0, hot: true };
      edge.messages++;
      edges.set(step.edgeId, edge);
    }
  });
  return {
    nodes: new Map([...nodes].map(([id, n]) => [id, { ...n, hot: false }])),
    edges,
  };
};

/** The canvas overlay for a run: its path, with the node of step `focus` (0-based) emphasised. */
export const traceOverlay = (trace: RunTrace, path: RunPath, focus: number | null): CanvasOverlay => {
  const focusedNode = focus === null ? undefined : trace.steps[focus]?.nodeId;
  return {
    fadeUntouched: true,
    node: (id) => {
      const node = path.nodes.get(id);
      return node && id === focusedNode ? { ...node, focused: true } : node;
    },
    edge: (id) => path.edges.get(id),
  };
};

/**
 * A step's time from the start of the run, and how long it took when it waited (device
 * actions, HTTP); steps of one synchronous burst share one clock reading, so they show +0.
 */
export const stepTiming = (trace: RunTrace, step: TraceStep): { offsetMs: number; tookMs?: number } => ({
  offsetMs: step.at - trace.startedAt,
  ...(step.endedAt !== undefined ? { tookMs: step.endedAt - step.at } : {}),
});

/** How two runs of a flow differ: where their paths part, and nodes whose values differ. */
export interface RunDifference {
  /** The first step (0-based) where the runs went to different nodes, null when the paths match. */
  readonly partsAt: number | null;
  /** Nodes on only one of the paths. */
  readonly onlyA: readonly string[];
  readonly onlyB: readonly string[];
  /** Nodes both ran whose last values (or errors) differ. */
  readonly changed: readonly { nodeId: string; a: string | null; b: string | null }[];
}

const sameJson = (a: unknown, b: unknown): boolean => {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
};

/** Compares two runs step by step and node by node. */
export const compareRuns = (a: RunTrace, b: RunTrace): RunDifference => {
  let partsAt: number | null = null;
  const n = Math.max(a.steps.length, b.steps.length);
  for (let i = 0; i < n; i++) {
    if (a.steps[i]?.nodeId !== b.steps[i]?.nodeId) {
      partsAt = i;
      break;
    }
  }
  const last = (trace: RunTrace) => {
    const out = new Map<string, TraceStep>();
    for (const step of trace.steps) out.set(step.nodeId, step);
    return out;
  };
  const la = last(a);
  const lb = last(b);
  const changed: { nodeId: string; a: string | null; b: string | null }[] = [];
  for (const [id, sa] of la) {
    const sb = lb.get(id);
    if (!sb) continue;
    if (sa.error !== sb.error) changed.push({ nodeId: id, a: sa.error ?? null, b: sb.error ?? null });
    else if (!sameJson(stepValue(sa), stepValue(sb)))
      changed.push({ nodeId: id, a: previewValue(stepValue(sa)), b: previewValue(stepValue(sb)) });
  }
  return {
    partsAt,
    onlyA: [...la.keys()].filter((id) => !lb.has(id)),
    onlyB: [...lb.keys()].filter((id) => !la.has(id)),
    changed,
  };
};

/** Outcomes as the filter chips name them, in the order a troubleshooter looks for them. */
export const outcomeLabels: Record<RunTrace['outcome'], string> = {
  failed: 'Failed',
  'loop-limit': 'Loop limit',
  'dropped-by-mode': 'Dropped by run mode',
  stopped: 'Stopped',
  cancelled: 'Cancelled',
  suspended: 'Suspended',
  finished: 'Finished',
};
