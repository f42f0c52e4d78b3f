/** The engine's durable state as plain JSON, and putting it back into freshly deployed flows. */
import type { DeployedFlow, NodeInstance } from './deploy';
import type { EngineSnapshot } from './ports';
import type { TimerRecord } from './run';

/** A snapshot of variables, persistent node state, schedules and pending timers. */
export const snapshotOf = (
  flows: Iterable<DeployedFlow>,
  timers: Iterable<TimerRecord>,
  schedules: Iterable<[NodeInstance, number]>,
): EngineSnapshot => {
  const variables: Record<string, Record<string, unknown>> = {};
  const nodeState: Record<string, Record<string, unknown>> = {};
  const due: Record<string, Record<string, number>> = {};
  for (const flow of flows) {
    if (Object.keys(flow.variables).length > 0) variables[flow.id] = { ...flow.variables };
    for (const node of flow.nodes.values()) {
      if (node.kind.persistsState && Object.keys(node.state).length > 0) {
        (nodeState[flow.id] ??= {})[node.id] = { ...node.state };
      }
    }
  }
  for (const [node, at] of schedules) (due[node.flow.id] ??= {})[node.id] = at;
  const pending = [...timers].map((t) => ({
    flowId: t.node.flow.id,
    nodeId: t.node.id,
    runId: t.run.id,
    dueAt: t.dueAt,
    data: t.data,
  }));
  return { version: 1, timers: pending, variables, nodeState, schedules: due };
};

/** Puts saved variables and persistent node state back (flows and nodes that no longer exist are skipped). */
export const restoreState = (flows: Iterable<DeployedFlow>, snapshot: EngineSnapshot | undefined): void => {
  for (const flow of flows) {
    flow.variables = { ...snapshot?.variables[flow.id] };
    for (const node of flow.nodes.values()) {
      const saved = snapshot?.nodeState[flow.id]?.[node.id];
      if (node.kind.persistsState && saved) node.state = { ...saved };
    }
  }
};
