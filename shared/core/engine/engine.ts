/**
 * The flow engine: event-driven, platform-free, every port injected. Events come in through
 * `deliver…`; each starts runs of the flows whose triggers match, subject to the flow's run
 * mode. Hops are executed from one ring-buffer queue, directly, with no per-hop deferral and
 * no message copies; every step is recorded in the run's trace as it executes. A node that
 * throws or rejects fails only its own path: the run ends `failed` and the flow's error path
 * (its On error trigger) runs as a child run; other flows never notice.
 */
import type { CompiledExpression } from '../expr/cel';
import type { Flow } from '../flow/schema';
import type { Message, NodeIo, TimerId } from '../flow/catalog';
import { Deque } from './deque';
import { deployFlow, FlowDeployError, type DeployedFlow, type FlowStats, type NodeInstance } from './deploy';
import type { EngineOptions, EnginePorts, EngineSnapshot } from './ports';
import { Run, type TimerRecord } from './run';
import { Step, type StepHost } from './step';
import { TopicIndex } from './topic';
import type { RunOutcome, TraceStep } from './trace';

export { FlowDeployError } from './deploy';
export type { FlowStats } from './deploy';

interface Work {
  readonly run: Run;
  readonly node: NodeInstance;
  readonly port: string;
  readonly message: Message;
  readonly hops: number;
  readonly parent: number;
  readonly edgeId: string;
}

/** A flow that could not be deployed, and why. */
export interface DeployProblem {
  readonly flowId: string;
  readonly nodeId?: string;
  readonly message: string;
}

// Node's setTimeout overflows above 2^31-1 ms (~24.8 days); longer timers are re-armed.
const maxTimerDelay = 2_147_483_647;
const decoder = new (
  globalThis as unknown as { TextDecoder: new () => { decode(b: Uint8Array): string } }
).TextDecoder();
const key = (a: string, b: string) => `${a}\u0000${b}`;

/** The engine. Create with `createEngine`, then `deploy`, `start`, deliver events, `stop`. */
export class FlowEngine implements StepHost {
  readonly io: NodeIo;
  readonly #ports: EnginePorts;
  readonly #maxHops: number;
  readonly #maxSteps: number;
  #flows = new Map<string, DeployedFlow>();
  #deviceEvents = new Map<string, NodeInstance[]>();
  #propertyChanges = new Map<string, NodeInstance[]>();
  #mqtt = new TopicIndex<NodeInstance>();
  #waiters = new Map<string, Set<TimerRecord>>();
  #timers = new Map<number, TimerRecord>();
  #schedules = new Map<NodeInstance, { due: number; handle?: unknown }>();
  readonly #queue = new Deque<Work>(1024);
  #draining = false;
  #executing: Run | undefined;
  #executingHops = 0;
  readonly #echoes = new Map<string, Deque<{ hops: number; at: number }>>();
  #dirty = false;
  #running = false;
  #runSeq = 0;
  #timerSeq = 0;
  readonly #runPrefix: string;
  readonly #roles: Record<string, Record<string, unknown>> = {};

  constructor(ports: EnginePorts, options: EngineOptions = {}) {
    this.#ports = ports;
    this.#maxHops = options.maxHops ?? 256;
    this.#maxSteps = options.maxTraceSteps ?? 200;
    this.#runPrefix = ports.clock.now().toString(36);
    this.io = {
      writeProperty: (role, property, value) => ports.devices.writeProperty(role, property, value),
      invokeAction: (role, action, input) => ports.devices.invokeAction(role, action, input),
      publish: (topic, payload, options) => {
        this.#rememberEcho(topic);
        return ports.mqtt.publish(topic, payload, options);
      },
      request: (request) => ports.http.request(request),
      log: (level, text) => ports.log(level, text),
    };
  }

  /**
   * Replaces the deployed flows (only while stopped). Flows that cannot be built are left out
   * and reported; the others deploy regardless.
   */
  deploy(flows: readonly Flow[]): DeployProblem[] {
    if (this.#running) throw new Error('Stop the engine before deploying flows.');
    const problems: DeployProblem[] = [];
    this.#flows = new Map();
    this.#deviceEvents = new Map();
    this.#propertyChanges = new Map();
    this.#mqtt = new TopicIndex();
    for (const flow of flows) {
      if (flow.enabled === false) continue;
      try {
        this.#flows.set(flow.id, deployFlow(flow));
      } catch (error) {
        if (!(error instanceof FlowDeployError)) throw error;
        problems.push({
          flowId: error.flowId,
          ...(error.nodeId ? { nodeId: error.nodeId } : {}),
          message: error.message,
        });
      }
    }
    const push = (map: Map<string, NodeInstance[]>, k: string, node: NodeInstance) => {
      const list = map.get(k);
      if (list) list.push(node);
      else map.set(k, [node]);
    };
    for (const flow of this.#flows.values()) {
      for (const node of flow.triggers) {
        const t = node.runtime.trigger;
        if (t?.type === 'device-event') push(this.#deviceEvents, key(t.role, t.event), node);
        else if (t?.type === 'property-change') push(this.#propertyChanges, key(t.role, t.property), node);
        else if (t?.type === 'mqtt') this.#mqtt.add(t.topic, node);
      }
    }
    return problems;
  }

  /** Topic filters the engine listens to (subscribed through the MQTT port on start). */
  subscriptions(): string[] {
    return this.#mqtt.filters();
  }

  /** Restores persisted state, resumes pending delays, arms schedules and fires Gateway started. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#restore(this.#ports.persistence.load());
    for (const filter of this.#mqtt.filters()) this.#ports.mqtt.subscribe(filter);
    for (const flow of this.#flows.values()) {
      for (const node of flow.triggers) {
        if (node.runtime.trigger?.type === 'gateway-started') this.#trigger(node, { payload: null });
      }
    }
    this.#drain();
    this.#flush();
  }

  /**
   * Stops: schedules disarmed, runs waiting on timers end `suspended` with their timers kept
   * in the snapshot (a later start resumes them), other open runs end `cancelled`.
   */
  stop(): void {
    if (!this.#running) return;
    for (const filter of this.#mqtt.filters()) this.#ports.mqtt.unsubscribe(filter);
    for (const s of this.#schedules.values()) this.#ports.clock.clearTimer(s.handle);
    this.#ports.persistence.save(this.#snapshot());
    this.#dirty = false;
    this.#running = false;
    for (const record of this.#timers.values()) this.#ports.clock.clearTimer(record.handle);
    for (const flow of this.#flows.values()) {
      flow.waiting.clear();
      for (const run of [...flow.active] as Run[]) {
        run.timers.clear();
        this.endRun(
          run,
          run.pending > 0 && this.#hasTimers(run) ? 'suspended' : 'cancelled',
          'The gateway stopped.',
        );
      }
    }
    this.#timers.clear();
    this.#waiters.clear();
    this.#schedules.clear();
    this.#queue.clear();
  }

  /** A role emitted an event: wakes Wait for event nodes, then starts Device event triggers. */
  deliverDeviceEvent(role: string, event: string, data: unknown): void {
    if (!this.#running) return;
    const message: Message = { payload: data };
    const waiting = this.#waiters.get(key(role, event));
    if (waiting) {
      for (const record of [...waiting]) {
        this.#removeTimer(record);
        record.run.pending--;
        this.#continue(record, 'event', (ctx) => record.node.runtime.onEvent?.(ctx, record.data, message));
      }
    }
    for (const node of this.#deviceEvents.get(key(role, event)) ?? []) this.#trigger(node, message);
    this.#drain();
    this.#flush();
  }

  /** A role's property has a new value: kept for `roles` in expressions; triggers fire when it changed. */
  deliverPropertyChange(role: string, property: string, value: unknown): void {
    const state = (this.#roles[role] ??= {});
    const previous = state[property];
    state[property] = value;
    if (!this.#running || sameValue(previous, value)) return;
    for (const node of this.#propertyChanges.get(key(role, property)) ?? [])
      this.#trigger(node, { payload: value });
    this.#drain();
    this.#flush();
  }

  /** An MQTT message arrived; JSON payloads are parsed once per trigger format. */
  deliverMqtt(topic: string, payload: Uint8Array | string): void {
    if (!this.#running) return;
    const nodes = this.#mqtt.match(topic);
    if (nodes.length === 0) return;
    const text = typeof payload === 'string' ? payload : decoder.decode(payload);
    const hops = this.#echoHops(topic);
    let json: unknown;
    let parsed = false;
    for (const node of nodes) {
      const asText = node.runtime.trigger?.type === 'mqtt' && node.runtime.trigger.format === 'text';
      if (!asText && !parsed) {
        json = parseJson(text);
        parsed = true;
      }
      this.#trigger(node, { payload: asText ? text : json, topic }, hops);
    }
    this.#drain();
    this.#flush();
  }

  /** Runs a flow from its Manual trigger; returns the run id, or undefined when the run mode dropped it. */
  runManual(flowId: string, payload: unknown = null): string | undefined {
    const flow = this.#flows.get(flowId);
    const trigger = flow?.triggers.find((n) => n.runtime.trigger?.type === 'manual');
    if (!flow || !trigger) throw new Error(`Flow "${flowId}" is not deployed or has no Manual trigger.`);
    const run = this.#startRun(trigger, { payload }, 0);
    this.#drain();
    this.#flush();
    return run?.id;
  }

  /** Counters per deployed flow. */
  stats(): Record<string, FlowStats> {
    const out: Record<string, FlowStats> = {};
    for (const flow of this.#flows.values()) {
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
    return this.#timers.size;
  }

  // ---- StepHost -------------------------------------------------------------------------

  now(): number {
    return this.#ports.clock.now();
  }

  evaluate(node: NodeInstance, expression: CompiledExpression, message: Message): unknown {
    return expression({
      payload: message.payload,
      topic: message.topic ?? '',
      vars: node.flow.variables,
      roles: this.#roles,
      now: this.#ports.clock.now(),
    });
  }

  enqueueSends(
    run: Run,
    node: NodeInstance,
    port: string,
    message: Message,
    hops: number,
    parent: number,
  ): void {
    const edges = node.out.get(port);
    if (!edges) return;
    if (hops + 1 > this.#maxHops) {
      this.endRun(
        run,
        'loop-limit',
        `A message passed ${this.#maxHops} nodes; the flow loops without a delay.`,
      );
      return;
    }
    for (const edge of edges) {
      run.inflight++;
      this.#queue.push({
        run,
        node: edge.target,
        port: edge.port,
        message,
        hops: hops + 1,
        parent,
        edgeId: edge.edgeId,
      });
    }
    if (!this.#draining) this.#drain();
  }

  variableChanged(): void {
    this.#dirty = true;
  }

  startTimer(run: Run, node: NodeInstance, delayMs: number, data: unknown, parentStep: number): TimerId {
    const record: TimerRecord = {
      id: ++this.#timerSeq,
      node,
      run,
      dueAt: this.now() + Math.max(0, delayMs),
      data,
      parentStep,
    };
    this.#addTimer(record);
    return record.id;
  }

  cancelTimer(id: TimerId): void {
    const record = this.#timers.get(id);
    if (!record) return;
    this.#removeTimer(record);
    record.run.pending--;
    if (record.run !== this.#executing) this.#settle(record.run);
  }

  endRun(run: Run, outcome: RunOutcome, reason?: string): void {
    if (run.ended) return;
    run.ended = true;
    run.outcome = outcome;
    if (reason !== undefined) run.reason = reason;
    for (const record of [...run.timers]) this.#removeTimer(record);
    const flow = run.flow;
    flow.active.delete(run);
    flow.stats.outcomes[outcome]++;
    this.#emit(run);
    for (const listener of run.onEnd) listener(outcome);
    if (flow.mode === 'queued' && flow.active.size === 0 && this.#running) {
      const next = flow.waiting.shift();
      if (next) this.#startRun(next.trigger, next.payload, next.hops, next.parentRunId, true);
    }
  }

  runFlow(run: Run, flowId: string, message: Message, hops: number): Promise<string> {
    const flow = this.#flows.get(flowId);
    const trigger = flow?.triggers.find((n) => n.runtime.trigger?.type === 'manual');
    if (!trigger) throw new Error(`Flow "${flowId}" is not deployed or has no Manual trigger to run it by.`);
    if (hops + 1 > this.#maxHops) {
      this.endRun(
        run,
        'loop-limit',
        `Flows ran each other ${this.#maxHops} times deep; they call each other in a loop.`,
      );
      return Promise.resolve('loop-limit');
    }
    const child = this.#startRun(trigger, message, hops + 1, run.id);
    if (!child) return Promise.resolve('dropped-by-mode');
    run.childRunIds.push(child.id);
    if (child.ended) return Promise.resolve(child.outcome ?? 'finished');
    return new Promise((resolve) => child.onEnd.push(resolve));
  }

  // ---- runs -----------------------------------------------------------------------------

  #trigger(node: NodeInstance, message: Message, hops = 0): void {
    const accept = node.runtime.accept;
    let first: Message | undefined = message;
    if (accept) {
      try {
        first = accept(message, (expression, m) => this.evaluate(node, expression, m));
      } catch (error) {
        this.#ports.log(
          'warn',
          `Flow ${node.flow.id}: the condition of trigger ${node.id} failed: ${errorText(error)}`,
        );
        return;
      }
    }
    if (first) this.#startRun(node, first, hops);
  }

  // A flow that publishes to a topic one of our MQTT triggers listens to makes a loop through
  // the broker, where no hop counter travels. We remember the hops of each such publish and
  // give the message coming back the same count plus one, so the loop ends at the hop limit.
  #rememberEcho(topic: string): void {
    if (this.#mqtt.match(topic).length === 0) return;
    let queue = this.#echoes.get(topic);
    if (!queue) this.#echoes.set(topic, (queue = new Deque()));
    if (queue.size >= 10_000) queue.shift();
    queue.push({ hops: this.#executingHops, at: this.now() });
  }

  #echoHops(topic: string): number {
    const queue = this.#echoes.get(topic);
    if (!queue) return 0;
    const now = this.now();
    // Echoes arrive within milliseconds; older entries were lost on the way (QoS 0).
    for (let echo = queue.shift(); echo; echo = queue.shift()) {
      if (now - echo.at <= 5000) return echo.hops + 1;
    }
    this.#echoes.delete(topic);
    return 0;
  }

  #startRun(
    trigger: NodeInstance,
    message: Message,
    hops: number,
    parentRunId?: string,
    bypassMode = false,
  ): Run | undefined {
    const flow = trigger.flow;
    const busy = flow.active.size;
    if (!bypassMode && busy > 0) {
      if (flow.mode === 'single')
        return this.#drop(trigger, message, parentRunId, 'A run is already going (mode single).');
      if (flow.mode === 'restart') {
        for (const old of [...flow.active] as Run[])
          this.endRun(old, 'cancelled', 'A newer run replaced it (mode restart).');
      } else if (flow.mode === 'queued') {
        if (flow.waiting.size >= flow.max) {
          return this.#drop(
            trigger,
            message,
            parentRunId,
            `${flow.max} runs are already waiting (mode queued).`,
          );
        }
        flow.waiting.push({ trigger, payload: message, hops, ...(parentRunId ? { parentRunId } : {}) });
        return undefined;
      } else if (busy >= flow.max) {
        return this.#drop(
          trigger,
          message,
          parentRunId,
          `${flow.max} runs are already going (mode parallel).`,
        );
      }
    }
    const now = this.now();
    const run = new Run(
      `${this.#runPrefix}-${++this.#runSeq}`,
      flow,
      trigger,
      now,
      this.#maxSteps,
      parentRunId,
    );
    flow.active.add(run);
    flow.stats.started++;
    const step: TraceStep = {
      nodeId: trigger.id,
      kind: trigger.kind.kind,
      parent: -1,
      port: 'trigger',
      at: now,
      hops,
      input: message.payload,
      outputs: [{ port: 'out', payload: message.payload }],
    };
    const index = run.record(step);
    this.enqueueSends(run, trigger, 'out', message, hops, index);
    this.#settle(run);
    return run;
  }

  #drop(trigger: NodeInstance, message: Message, parentRunId: string | undefined, reason: string): undefined {
    const run = new Run(
      `${this.#runPrefix}-${++this.#runSeq}`,
      trigger.flow,
      trigger,
      this.now(),
      1,
      parentRunId,
    );
    run.ended = true;
    run.outcome = 'dropped-by-mode';
    run.reason = reason;
    run.record({
      nodeId: trigger.id,
      kind: trigger.kind.kind,
      parent: -1,
      port: 'trigger',
      at: run.startedAt,
      hops: 0,
      input: message.payload,
      outputs: [],
    });
    trigger.flow.stats.outcomes['dropped-by-mode']++;
    this.#emit(run);
    return undefined;
  }

  #settle(run: Run): void {
    if (!run.ended && run.inflight === 0 && run.pending === 0)
      this.endRun(run, run.error ? 'failed' : 'finished');
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let work = this.#queue.shift(); work; work = this.#queue.shift()) {
        const run = work.run;
        run.inflight--;
        if (run.ended) continue;
        const step: TraceStep = {
          nodeId: work.node.id,
          kind: work.node.kind.kind,
          parent: work.parent,
          edgeId: work.edgeId,
          port: work.port,
          at: this.now(),
          hops: work.hops,
          input: work.message.payload,
          outputs: [],
        };
        this.#execute(run, work.node, step, (ctx) =>
          work.node.runtime.receive?.(ctx, work.message, work.port),
        );
        this.#settle(run);
      }
    } finally {
      this.#draining = false;
    }
  }

  #execute(run: Run, node: NodeInstance, step: TraceStep, body: (ctx: Step) => void | Promise<void>): void {
    const index = run.record(step);
    const ctx = new Step(this, run, node, step, index);
    const outer = this.#executing;
    const outerHops = this.#executingHops;
    this.#executing = run;
    this.#executingHops = step.hops;
    try {
      const result = body(ctx);
      if (result && typeof (result as Promise<void>).then === 'function') this.#hold(run, node, step, result);
    } catch (error) {
      this.#failed(run, node, step, error);
    } finally {
      this.#executing = outer;
      this.#executingHops = outerHops;
    }
  }

  #hold(run: Run, node: NodeInstance, step: TraceStep, work: Promise<void>): void {
    run.pending++;
    const release = () => {
      step.endedAt = this.now();
      run.pending--;
      this.#settle(run);
      this.#drain();
      this.#flush();
    };
    work.then(release, (error: unknown) => {
      if (!run.ended) this.#failed(run, node, step, error);
      release();
    });
  }

  #failed(run: Run, node: NodeInstance, step: TraceStep, error: unknown): void {
    const message = errorText(error);
    step.error = message;
    run.error ??= { nodeId: node.id, kind: node.kind.kind, message };
    this.#ports.log('warn', `Flow ${run.flow.id}: node ${node.id} (${node.kind.kind}) failed: ${message}`);
    if (run.trigger.runtime.trigger?.type === 'error') return;
    for (const handler of run.flow.triggers) {
      if (handler.runtime.trigger?.type !== 'error') continue;
      const child = this.#startRun(
        handler,
        { payload: { runId: run.id, nodeId: node.id, kind: node.kind.kind, message } },
        0,
        run.id,
        true,
      );
      if (child) run.childRunIds.push(child.id);
    }
  }

  #continue(record: TimerRecord, port: 'timer' | 'event', body: (ctx: Step) => void): void {
    const run = record.run;
    if (run.ended) return;
    const step: TraceStep = {
      nodeId: record.node.id,
      kind: record.node.kind.kind,
      parent: record.parentStep,
      port,
      at: this.now(),
      hops: run.steps[record.parentStep]?.hops ?? 0,
      input: (record.data as Message | null)?.payload ?? null,
      outputs: [],
    };
    this.#execute(run, record.node, step, body);
    this.#settle(run);
  }

  // ---- timers and schedules -------------------------------------------------------------

  #addTimer(record: TimerRecord): void {
    this.#timers.set(record.id, record);
    record.run.timers.add(record);
    record.run.pending++;
    const waits = record.node.runtime.waitsFor;
    if (waits) {
      const k = key(waits.role, waits.event);
      const set = this.#waiters.get(k) ?? new Set();
      set.add(record);
      this.#waiters.set(k, set);
    }
    this.#arm(
      record.dueAt,
      (handle) => (record.handle = handle),
      () => this.#fire(record),
    );
    this.#dirty = true;
  }

  #removeTimer(record: TimerRecord): void {
    if (!this.#timers.delete(record.id)) return;
    this.#ports.clock.clearTimer(record.handle);
    record.run.timers.delete(record);
    const waits = record.node.runtime.waitsFor;
    if (waits) this.#waiters.get(key(waits.role, waits.event))?.delete(record);
    this.#dirty = true;
  }

  #arm(dueAt: number, setHandle: (handle: unknown) => void, fire: () => void): void {
    const delay = dueAt - this.now();
    if (delay > maxTimerDelay) {
      setHandle(this.#ports.clock.setTimer(() => this.#arm(dueAt, setHandle, fire), maxTimerDelay));
    } else {
      setHandle(this.#ports.clock.setTimer(fire, Math.max(0, delay)));
    }
  }

  #fire(record: TimerRecord): void {
    if (!this.#timers.has(record.id)) return;
    this.#removeTimer(record);
    record.run.pending--;
    this.#continue(record, 'timer', (ctx) => record.node.runtime.onTimer?.(ctx, record.data));
    this.#drain();
    this.#flush();
  }

  #armSchedule(node: NodeInstance, due: number): void {
    const entry: { due: number; handle?: unknown } = { due };
    this.#schedules.set(node, entry);
    this.#dirty = true;
    this.#arm(
      due,
      (handle) => (entry.handle = handle),
      () => {
        if (this.#schedules.get(node) !== entry) return;
        this.#trigger(node, { payload: { scheduledAt: due } });
        this.#nextSchedule(node, due);
        this.#drain();
        this.#flush();
      },
    );
  }

  #nextSchedule(node: NodeInstance, after: number): void {
    const trigger = node.runtime.trigger;
    if (trigger?.type !== 'schedule') return;
    let next = trigger.next(after);
    if (next !== undefined && next <= this.now()) next = trigger.next(this.now());
    if (next === undefined) this.#schedules.delete(node);
    else this.#armSchedule(node, next);
  }

  #hasTimers(run: Run): boolean {
    for (const record of this.#timers.values()) if (record.run === run) return true;
    return false;
  }

  // ---- persistence ----------------------------------------------------------------------

  #restore(snapshot: EngineSnapshot | undefined): void {
    const now = this.now();
    for (const flow of this.#flows.values()) {
      flow.variables = { ...snapshot?.variables[flow.id] };
      for (const node of flow.nodes.values()) {
        const saved = snapshot?.nodeState[flow.id]?.[node.id];
        if (node.kind.persistsState && saved) node.state = { ...saved };
      }
      for (const node of flow.triggers) {
        if (node.runtime.trigger?.type !== 'schedule') continue;
        const due = snapshot?.schedules[flow.id]?.[node.id];
        if (due === undefined) this.#nextSchedule(node, now);
        else if (due > now) this.#armSchedule(node, due);
        else {
          // Missed while the gateway was down: fire once now, like anacron, then carry on.
          this.#trigger(node, { payload: { scheduledAt: due, late: true } });
          this.#nextSchedule(node, now);
        }
      }
    }
    const resumed = new Map<string, Run>();
    for (const saved of snapshot?.timers ?? []) {
      const node = this.#flows.get(saved.flowId)?.nodes.get(saved.nodeId);
      if (!node?.runtime.onTimer) continue;
      let run = resumed.get(saved.runId);
      if (!run) {
        run = new Run(
          `${this.#runPrefix}-${++this.#runSeq}`,
          node.flow,
          node,
          now,
          this.#maxSteps,
          undefined,
          saved.runId,
        );
        node.flow.active.add(run);
        node.flow.stats.started++;
        resumed.set(saved.runId, run);
      }
      const index = run.record({
        nodeId: node.id,
        kind: node.kind.kind,
        parent: -1,
        port: 'resume',
        at: now,
        hops: 0,
        input: (saved.data as Message | null)?.payload ?? null,
        outputs: [],
      });
      this.#addTimer({
        id: ++this.#timerSeq,
        node,
        run,
        dueAt: saved.dueAt,
        data: saved.data,
        parentStep: index,
      });
    }
  }

  #snapshot(): EngineSnapshot {
    const variables: Record<string, Record<string, unknown>> = {};
    const nodeState: Record<string, Record<string, unknown>> = {};
    const schedules: Record<string, Record<string, number>> = {};
    for (const flow of this.#flows.values()) {
      if (Object.keys(flow.variables).length > 0) variables[flow.id] = { ...flow.variables };
      for (const node of flow.nodes.values()) {
        if (node.kind.persistsState && Object.keys(node.state).length > 0)
          (nodeState[flow.id] ??= {})[node.id] = { ...node.state };
      }
    }
    for (const [node, entry] of this.#schedules) (schedules[node.flow.id] ??= {})[node.id] = entry.due;
    const timers = [...this.#timers.values()].map((t) => ({
      flowId: t.node.flow.id,
      nodeId: t.node.id,
      runId: t.run.id,
      dueAt: t.dueAt,
      data: t.data,
    }));
    return { version: 1, timers, variables, nodeState, schedules };
  }

  #flush(): void {
    if (!this.#dirty || !this.#running) return;
    this.#dirty = false;
    this.#ports.persistence.save(this.#snapshot());
  }

  #emit(run: Run): void {
    try {
      this.#ports.traces.write(run.toTrace(this.now()));
    } catch (error) {
      this.#ports.log('error', `The trace sink failed: ${errorText(error)}`);
    }
  }
}

const errorText = (error: unknown): string =>
  error instanceof Error
    ? error.message
    : typeof error === 'string'
      ? error
      : (JSON.stringify(error) ?? String(error));

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
