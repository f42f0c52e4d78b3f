/**
 * Turns flow files into their runtime form once per deploy: catalog executors created, CEL
 * compiled, edges indexed by output port so a send is one Map lookup.
 */
import { compileExpression, ExpressionSyntaxError } from '../expr/cel';
import { configWithDefaults, getNodeKind } from '../flow/catalog';
import type { NodeKind, NodeRuntime } from '../flow/catalog';
import type { Flow, RunModeName } from '../flow/schema';
import { Deque } from './deque';
import { ActiveRuns } from './run';
import { TopicIndex } from './topic';
import type { RunOutcome } from './trace';

/** An edge as the engine follows it. */
export interface OutEdge {
  readonly edgeId: string;
  readonly target: NodeInstance;
  readonly port: string;
}

/** One deployed node. */
export interface NodeInstance {
  readonly id: string;
  readonly kind: NodeKind;
  readonly runtime: NodeRuntime;
  readonly out: Map<string, OutEdge[]>;
  state: Record<string, unknown>;
  readonly flow: DeployedFlow;
}

/** Counters per flow, for status queries and the poison test. */
export interface FlowStats {
  started: number;
  active: number;
  queued: number;
  outcomes: Record<RunOutcome, number>;
}

/** A run start waiting for its turn in queued mode. */
export interface PendingStart {
  readonly trigger: NodeInstance;
  readonly payload: { readonly payload: unknown; readonly topic?: string };
  readonly parentRunId?: string;
  readonly hops: number;
}

/** One deployed flow with its live state. */
export interface DeployedFlow {
  readonly id: string;
  readonly name: string;
  readonly mode: RunModeName;
  readonly max: number;
  readonly nodes: Map<string, NodeInstance>;
  readonly triggers: NodeInstance[];
  variables: Record<string, unknown>;
  readonly active: ActiveRuns;
  readonly waiting: Deque<PendingStart>;
  readonly stats: FlowStats;
}

/** Why a flow could not be deployed; the validator reports the same problems at design time. */
export class FlowDeployError extends Error {
  override readonly name = 'FlowDeployError';
  constructor(
    readonly flowId: string,
    readonly nodeId: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

const emptyOutcomes = (): Record<RunOutcome, number> => ({
  finished: 0,
  failed: 0,
  stopped: 0,
  cancelled: 0,
  'dropped-by-mode': 0,
  'loop-limit': 0,
  suspended: 0,
});

/** Builds the runtime form of a flow; throws FlowDeployError naming the node at fault. */
export const deployFlow = (flow: Flow): DeployedFlow => {
  const deployed: DeployedFlow = {
    id: flow.id,
    name: flow.name,
    mode: flow.runMode.mode,
    max: flow.runMode.max,
    nodes: new Map(),
    triggers: [],
    variables: {},
    active: new ActiveRuns(),
    waiting: new Deque(),
    stats: { started: 0, active: 0, queued: 0, outcomes: emptyOutcomes() },
  };
  for (const node of flow.nodes) {
    const kind = getNodeKind(node.kind);
    if (!kind) throw new FlowDeployError(flow.id, node.id, `Unknown node kind "${node.kind}".`);
    let runtime: NodeRuntime;
    try {
      runtime = kind.create(
        { id: node.id, config: configWithDefaults(kind, node.config) },
        { compile: compileExpression },
      );
    } catch (error) {
      const what =
        error instanceof ExpressionSyntaxError ? 'An expression does not parse' : 'The node cannot start';
      throw new FlowDeployError(flow.id, node.id, `${what}: ${(error as Error).message}`);
    }
    const instance: NodeInstance = { id: node.id, kind, runtime, out: new Map(), state: {}, flow: deployed };
    deployed.nodes.set(node.id, instance);
    if (runtime.trigger) deployed.triggers.push(instance);
  }
  for (const edge of flow.edges) {
    const from = deployed.nodes.get(edge.from.node);
    const target = deployed.nodes.get(edge.to.node);
    if (!from || !target) {
      throw new FlowDeployError(flow.id, undefined, `Edge ${edge.id} connects a node that does not exist.`);
    }
    const list = from.out.get(edge.from.port);
    const out = { edgeId: edge.id, target, port: edge.to.port };
    if (list) list.push(out);
    else from.out.set(edge.from.port, [out]);
  }
  return deployed;
};

/** Trigger nodes indexed by what reaches them, so an incoming event costs one lookup. */
export interface TriggerIndex {
  readonly deviceEvents: Map<string, NodeInstance[]>;
  readonly propertyChanges: Map<string, NodeInstance[]>;
  readonly mqtt: TopicIndex<NodeInstance>;
}

/** The key of a role member in the trigger index. */
export const memberKey = (role: string, member: string): string => `${role}\u0000${member}`;

/** Indexes the triggers of deployed flows. */
export const indexTriggers = (flows: Iterable<DeployedFlow>): TriggerIndex => {
  const index: TriggerIndex = { deviceEvents: new Map(), propertyChanges: new Map(), mqtt: new TopicIndex() };
  const push = (map: Map<string, NodeInstance[]>, k: string, node: NodeInstance) => {
    const list = map.get(k);
    if (list) list.push(node);
    else map.set(k, [node]);
  };
  for (const flow of flows) {
    for (const node of flow.triggers) {
      const t = node.runtime.trigger;
      if (t?.type === 'device-event') push(index.deviceEvents, memberKey(t.role, t.event), node);
      else if (t?.type === 'property-change')
        push(index.propertyChanges, memberKey(t.role, t.property), node);
      else if (t?.type === 'mqtt') index.mqtt.add(t.topic, node);
    }
  }
  return index;
};
