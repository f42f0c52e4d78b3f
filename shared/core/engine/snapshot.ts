/** The engine's durable state as plain JSON, and putting it back into freshly deployed flows. */
import type { DeployedFlow, NodeInstance } from './deploy';
import type { RunExecutor } from './executor';
import { restoredGatewayVariables } from './gateway-store';
import type { EngineSnapshot } from './ports';
import type { Run, TimerRecord } from './run';

/** A snapshot of flow and gateway-wide variables, persistent node state, schedules and pending timers. */
export const snapshotOf = (
  flows: Iterable<DeployedFlow>,
  timers: Iterable<TimerRecord>,
  schedules: Iterable<[NodeInstance, number]>,
  gatewayVariables: Readonly<Record<string, unknown>>,
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
  const gateway =
    Object.keys(gatewayVariables).length > 0 ? { gatewayVariables: { ...gatewayVariables } } : {};
  return { version: 1, timers: pending, variables, nodeState, schedules: due, ...gateway };
};

/**
 * Puts a snapshot back into freshly deployed flows: variables (gateway-wide ones only for names
 * the deployed flows still set) and persistent node state,
 * schedules (one missed while stopped fires once now), and pending timers, in one resumed run
 * per suspended run. Flows and nodes that no longer exist are skipped.
 */
export const restoreSnapshot = (exec: RunExecutor, snapshot: EngineSnapshot | undefined): void => {
  const now = exec.now();
  restoreState(exec.flows.values(), snapshot);
  exec.gatewayVariables = restoredGatewayVariables(snapshot?.gatewayVariables, exec.declaredGatewayVariables);
  for (const flow of exec.flows.values()) {
    for (const node of flow.triggers) {
      if (node.runtime.trigger?.type !== 'schedule') continue;
      const due = snapshot?.schedules[flow.id]?.[node.id];
      if (due === undefined) exec.schedules.armNext(node, now);
      else if (due > now) exec.schedules.arm(node, due);
      else {
        // Missed while the gateway was down: fire once now, like anacron, then carry on.
        exec.trigger(node, { payload: { scheduledAt: due, late: true } });
        exec.schedules.armNext(node, now);
      }
    }
  }
  const resumed = new Map<string, Run>();
  for (const saved of snapshot?.timers ?? []) {
    const node = exec.flows.get(saved.flowId)?.nodes.get(saved.nodeId);
    if (!node?.runtime.onTimer) continue;
    let run = resumed.get(saved.runId);
    if (!run) resumed.set(saved.runId, (run = exec.resumedRun(node, saved.runId)));
    exec.pending.resume(run, node, saved.dueAt, saved.data);
  }
  exec.dirty = true;
};

const restoreState = (flows: Iterable<DeployedFlow>, snapshot: EngineSnapshot | undefined): void => {
  for (const flow of flows) {
    flow.variables = { ...snapshot?.variables[flow.id] };
    for (const node of flow.nodes.values()) {
      const saved = snapshot?.nodeState[flow.id]?.[node.id];
      if (node.kind.persistsState && saved) node.state = { ...saved };
    }
  }
};
