/**
 * The flow engine: event-driven, platform-free, every port injected. Events come in through
 * `deliver…`; each starts runs of the flows whose triggers match, subject to the flow's run
 * mode. Hops are executed from one ring-buffer queue, directly, with no per-hop deferral and
 * no message copies; every step is recorded in the run's trace as it executes (executor.ts).
 * A node that throws or rejects fails only its own path: the run ends `failed` and the
 * flow's error path (its On error trigger) runs as a child run; other flows never notice.
 */
import type { Message } from '../flow/catalog';
import { gatewayVariablesSet } from '../flow/gateway-variables';
import type { Flow } from '../flow/schema';
import { deployFlow, FlowDeployError, indexTriggers, memberKey, type FlowStats } from './deploy';
import { RunExecutor } from './executor';
import {
  HttpExchanges,
  type HttpEndpointMatch,
  type HttpEndpointRequest,
  type HttpLookup,
} from './http-exchanges';
import type { HttpAnswer } from '../flow/catalog';
import type { EngineOptions, EnginePorts } from './ports';
import { restoreSnapshot } from './snapshot';

export { FlowDeployError } from './deploy';
export type { FlowStats } from './deploy';
export type { HttpEndpointMatch, HttpEndpointRequest, HttpLookup } from './http-exchanges';

/** A flow that could not be deployed, and why. */
export interface DeployProblem {
  readonly flowId: string;
  readonly nodeId?: string;
  readonly message: string;
}

const decoder = new (
  globalThis as unknown as { TextDecoder: new () => { decode(b: Uint8Array): string } }
).TextDecoder();

/** The engine. Create with `createEngine`, then `deploy`, `start`, deliver events, `stop`. */
export class FlowEngine {
  readonly #ports: EnginePorts;
  readonly #exec: RunExecutor;
  readonly #http: HttpExchanges;

  constructor(ports: EnginePorts, options: EngineOptions = {}) {
    this.#ports = ports;
    const http = new HttpExchanges(ports.clock);
    this.#http = http;
    // Each trace passes the open HTTP requests first: an unanswered one gets the run's default
    // answer there, and the trace records what was answered.
    const traces = {
      write: (trace: Parameters<EnginePorts['traces']['write']>[0]) => {
        if (http.any) http.ended(trace);
        ports.traces.write(trace);
      },
    };
    this.#exec = new RunExecutor({ ...ports, traces }, options);
  }

  /**
   * Replaces the deployed flows (only while stopped). Flows that cannot be built are left out
   * and reported; the others deploy regardless.
   */
  deploy(flows: readonly Flow[]): DeployProblem[] {
    if (this.#exec.running) throw new Error('Stop the engine before deploying flows.');
    const problems: DeployProblem[] = [];
    const deployed = new Map();
    for (const flow of flows) {
      if (flow.enabled === false) continue;
      try {
        deployed.set(flow.id, deployFlow(flow));
      } catch (error) {
        if (!(error instanceof FlowDeployError)) throw error;
        problems.push({
          flowId: error.flowId,
          ...(error.nodeId ? { nodeId: error.nodeId } : {}),
          message: error.message,
        });
      }
    }
    this.#exec.flows = deployed;
    // Every flow of the set counts, disabled ones too: a value they set outlives switching them off.
    this.#exec.declaredGatewayVariables = new Set(gatewayVariablesSet(flows));
    this.#exec.triggers = indexTriggers(deployed.values());
    for (const clash of this.#http.index(deployed.values())) problems.push(clash);
    this.#exec.exchanges = this.#http.any ? this.#http : undefined;
    return problems;
  }

  /** Topic filters the engine listens to (subscribed through the MQTT port on start). */
  subscriptions(): string[] {
    return this.#exec.triggers.mqtt.filters();
  }

  /** Restores persisted state, resumes pending delays, arms schedules and fires Gateway started. */
  start(): void {
    const exec = this.#exec;
    if (exec.running) return;
    exec.running = true;
    restoreSnapshot(exec, this.#ports.persistence.load());
    for (const filter of exec.triggers.mqtt.filters()) this.#ports.mqtt.subscribe(filter);
    for (const flow of exec.flows.values()) {
      for (const node of flow.triggers) {
        if (node.runtime.trigger?.type === 'gateway-started') exec.trigger(node, { payload: null });
      }
    }
    exec.drain();
    exec.flush();
  }

  /**
   * Stops: schedules disarmed, runs waiting on timers end `suspended` with their timers kept
   * in the snapshot (a later start resumes them), other open runs end `cancelled`.
   */
  stop(): void {
    const exec = this.#exec;
    if (!exec.running) return;
    for (const filter of exec.triggers.mqtt.filters()) this.#ports.mqtt.unsubscribe(filter);
    this.#ports.persistence.save(exec.snapshot());
    exec.dirty = false;
    exec.running = false;
    const suspended = new Set([...exec.timers.values()].map((t) => t.run));
    exec.timers.clear();
    exec.schedules.clear();
    for (const flow of exec.flows.values()) {
      flow.waiting.clear();
      for (const run of [...flow.active]) {
        run.timers?.clear();
        exec.endRun(run, suspended.has(run) ? 'suspended' : 'cancelled', 'The gateway stopped.');
      }
    }
    exec.queue.clear();
    this.#http.stop();
  }

  /**
   * Which deployed HTTP endpoint serves `method` at `segments` (the decoded path below
   * `/flows`): the match, or the methods that path takes (answer 405), or undefined (404).
   * The gateway asks before it reads the body, to check the endpoint's authorisation first.
   */
  lookupHttp(method: string, segments: readonly string[]): HttpLookup {
    return this.#exec.running ? this.#http.lookup(method, segments) : undefined;
  }

  /**
   * A request to an HTTP endpoint: starts a run of its trigger (subject to the flow's run mode)
   * and calls `reply` exactly once with the answer — from an HTTP response node, the run's end,
   * the endpoint's timeout, or the engine stopping. Throws an Error naming the bound when the
   * request is too large to carry on a message (`msg.req`); nothing started then.
   */
  deliverHttp(
    match: HttpEndpointMatch,
    request: HttpEndpointRequest,
    reply: (answer: HttpAnswer) => void,
  ): void {
    const own = this.#exec.freezeClock();
    try {
      const exec = this.#exec;
      const node = this.#http.nodeOf(match);
      if (!exec.running || !node) throw new Error('The endpoint is not deployed any more.');
      const message = this.#http.open(match, request, reply);
      try {
        exec.trigger(node, message);
      } finally {
        this.#http.delivered();
      }
      exec.drain();
      exec.flush();
    } finally {
      if (own) this.#exec.thawClock();
    }
  }

  /**
   * A person operated the panel control `nodeId` of `flowId`: starts a run of it with `value`
   * as the payload (subject to the flow's run mode). Returns the run id, or undefined when the
   * run mode dropped or queued it; throws an Error when that control is not deployed.
   */
  deliverPanel(flowId: string, nodeId: string, value: unknown): string | undefined {
    const own = this.#exec.freezeClock();
    try {
      const exec = this.#exec;
      const node = exec.flows.get(flowId)?.nodes.get(nodeId);
      if (!exec.running || node?.runtime.trigger?.type !== 'panel')
        throw new Error('The control is not deployed any more.');
      const message = node.runtime.accept?.({ payload: value }, () => undefined) ?? { payload: value };
      const run = exec.startRun(node, message, 0);
      exec.drain();
      exec.flush();
      return run?.id;
    } finally {
      if (own) this.#exec.thawClock();
    }
  }

  /** A role emitted an event: wakes Wait for event nodes, then starts Device event triggers. */
  deliverDeviceEvent(role: string, event: string, data: unknown): void {
    const own = this.#exec.freezeClock();
    try {
      const exec = this.#exec;
      if (!exec.running) return;
      const message: Message = { payload: data };
      for (const record of exec.timers.waitingFor(role, event)) {
        exec.pending.remove(record);
        record.run.pending--;
        exec.continue(record, 'event', (ctx) => record.node.runtime.onEvent?.(ctx, record.data, message));
      }
      for (const node of exec.triggers.deviceEvents.get(memberKey(role, event)) ?? [])
        exec.trigger(node, message);
      exec.drain();
      exec.flush();
    } finally {
      if (own) this.#exec.thawClock();
    }
  }

  /** A role's property has a new value: kept for `roles` in expressions; triggers fire when it changed. */
  deliverPropertyChange(role: string, property: string, value: unknown): void {
    const own = this.#exec.freezeClock();
    try {
      const exec = this.#exec;
      const state = (exec.roles[role] ??= {});
      const previous = state[property];
      state[property] = value;
      if (!exec.running || sameValue(previous, value)) return;
      for (const node of exec.triggers.propertyChanges.get(memberKey(role, property)) ?? []) {
        exec.trigger(node, { payload: value });
      }
      exec.drain();
      exec.flush();
    } finally {
      if (own) this.#exec.thawClock();
    }
  }

  /** An MQTT message arrived; JSON payloads are parsed once for all triggers that want JSON. */
  deliverMqtt(topic: string, payload: Uint8Array | string): void {
    const own = this.#exec.freezeClock();
    try {
      const exec = this.#exec;
      if (!exec.running) return;
      const nodes = exec.triggers.mqtt.match(topic);
      if (nodes.length === 0) return;
      const text = typeof payload === 'string' ? payload : decoder.decode(payload);
      const hops = exec.echoes.take(topic, exec.now());
      let json: unknown;
      let parsed = false;
      for (const node of nodes) {
        const asText = node.runtime.trigger?.type === 'mqtt' && node.runtime.trigger.format === 'text';
        if (!asText && !parsed) {
          json = parseJson(text);
          parsed = true;
        }
        exec.trigger(node, { payload: asText ? text : json, topic }, hops);
      }
      exec.drain();
      exec.flush();
    } finally {
      if (own) this.#exec.thawClock();
    }
  }

  /**
   * Runs a flow from its Manual trigger `nodeId` (the first one when not given: what another
   * flow's Run flow node starts); returns the run id, or undefined when the run mode dropped or queued it.
   */
  runManual(flowId: string, payload: unknown = null, nodeId?: string): string | undefined {
    const own = this.#exec.freezeClock();
    try {
      const exec = this.#exec;
      const trigger = exec.manualTrigger(flowId, nodeId);
      if (!trigger)
        throw new Error(
          nodeId
            ? `Flow "${flowId}" is not deployed or has no Manual trigger "${nodeId}"; save and restart to run a new one.`
            : `Flow "${flowId}" is not deployed or has no Manual trigger.`,
        );
      const run = exec.startRun(trigger, { payload }, 0);
      exec.drain();
      exec.flush();
      return run?.id;
    } finally {
      if (own) this.#exec.thawClock();
    }
  }

  /** Counters per deployed flow. */
  stats(): Record<string, FlowStats> {
    const out: Record<string, FlowStats> = {};
    for (const flow of this.#exec.flows.values()) {
      out[flow.id] = {
        ...flow.stats,
        active: flow.active.size,
        queued: flow.waiting.size,
        outcomes: { ...flow.stats.outcomes },
      };
    }
    return out;
  }

  /** Number of pending timers (delays, waits, debounces) across all flows. */
  pendingTimers(): number {
    return this.#exec.timers.size;
  }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const sameValue = (a: unknown, b: unknown): boolean =>
  a === b ||
  (typeof a === 'object' &&
    typeof b === 'object' &&
    a !== null &&
    b !== null &&
    JSON.stringify(a) === JSON.stringify(b));

/** Creates an engine over its ports. */
export const createEngine = (ports: EnginePorts, options?: EngineOptions): FlowEngine =>
  new FlowEngine(ports, options);
