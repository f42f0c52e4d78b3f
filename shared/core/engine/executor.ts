/**
 * Run execution for the flow engine: event-driven, platform-free, every port injected. Events come in through
 * `deliver…`; each starts runs of the flows whose triggers match, subject to the flow's run
 * mode. Hops are executed from one ring-buffer queue, directly, with no per-hop deferral and
 * no message copies; every step is recorded in the run's trace as it executes. A node that
 * throws or rejects fails only its own path: the run ends `failed` and the flow's error path
 * (its On error trigger) runs as a child run; other flows never notice.
 */
import type { CompiledExpression } from '../expr/cel';
import { messageView, type Message, type NodeIo, type TimerId } from '../flow/catalog';
import { callFlow, runFlow, type Calling } from './calls';
import type { DeployedFlow, NodeInstance, TriggerIndex } from './deploy';
import { EchoHops } from './echo';
import type { HttpExchanges } from './http-exchanges';
import { HopQueue } from './hops';
import { admit } from './modes';
import type { EngineOptions, EnginePorts } from './ports';
import { entryStep, noOutputs, Run, type TimerRecord } from './run';
import { RunTimers, type ScheduleTable, type TimerHost, type TimerTable } from './run-timers';
import { snapshotOf } from './snapshot';
import { errorText, StepRunner, type RunHost, type Step } from './step';
import { TopicIndex } from './topic';
import type { RunOutcome, TraceStep } from './trace';

/** The variables an expression sees, reused for every evaluation (see `evaluate`). */
interface Scope {
  payload: unknown;
  topic: string;
  msg?: Record<string, unknown>;
  vars: Record<string, unknown>;
  global: Record<string, unknown>;
  roles: Record<string, Record<string, unknown>>;
  now: number;
}

/**
 * Executes runs for the engine: run modes, the hop queue, steps with their traces and the
 * snapshot; timers and schedules are RunTimers' (run-timers.ts). FlowEngine (engine.ts) is its
 * public face; members without `#` are for FlowEngine and RunTimers only.
 */
export class RunExecutor implements RunHost, TimerHost {
  readonly io: NodeIo;
  readonly #ports: EnginePorts;
  /** The clock, for calls' timeouts. */
  get clock(): EnginePorts['clock'] {
    return this.#ports.clock;
  }
  readonly maxHops: number;
  readonly #maxSteps: number;
  flows = new Map<string, DeployedFlow>();
  triggers: TriggerIndex = { deviceEvents: new Map(), propertyChanges: new Map(), mqtt: new TopicIndex() };
  readonly pending: RunTimers;
  readonly timers: TimerTable;
  readonly schedules: ScheduleTable;
  readonly echoes = new EchoHops();
  readonly queue = new HopQueue(1024);
  #draining = false;
  /** What the next run started belongs to: a waiting Run flow call (calls.ts). */
  calling: Calling | undefined;
  readonly #steps: StepRunner;
  #frozenNow: number | undefined;
  dirty = false;
  running = false;
  #runSeq = 0;
  readonly #runPrefix: string;
  readonly roles: Record<string, Record<string, unknown>> = {};
  /** Set by FlowEngine while flows with HTTP endpoints are deployed. */
  exchanges: HttpExchanges | undefined;
  // Two fixed shapes, so an expression that does not read `msg` still fails on it as unknown.
  readonly #scope: Scope = { payload: null, topic: '', vars: {}, global: {}, roles: this.roles, now: 0 };
  readonly #scopeWithMsg: Scope = {
    payload: null,
    topic: '',
    msg: {},
    vars: {},
    global: {},
    roles: this.roles,
    now: 0,
  };
  /** The gateway-wide variables (`global.name`) every deployed flow shares. */
  gatewayVariables: Record<string, unknown> = {};
  /** The gateway-wide names the deployed flows set: the only ones a restore keeps. */
  declaredGatewayVariables: ReadonlySet<string> = new Set();

  constructor(ports: EnginePorts, options: EngineOptions = {}) {
    this.#ports = ports;
    this.maxHops = options.maxHops ?? 256;
    this.#maxSteps = options.maxTraceSteps ?? 200;
    this.#runPrefix = ports.clock.now().toString(36);
    this.#steps = new StepRunner(this, ports);
    this.pending = new RunTimers(ports.clock, this);
    this.timers = this.pending.table;
    this.schedules = this.pending.schedules;
    this.io = {
      writeProperty: (role, property, value) => ports.devices.writeProperty(role, property, value),
      invokeAction: (role, action, input) => ports.devices.invokeAction(role, action, input),
      publish: (topic, payload, options) => {
        if (this.triggers.mqtt.match(topic).length > 0)
          this.echoes.remember(topic, this.#steps.executingHops, this.now());
        return ports.mqtt.publish(topic, payload, options);
      },
      request: (request) => ports.http.request(request),
      respond: (answer) =>
        this.#steps.executing && this.exchanges
          ? this.exchanges.respond(this.#steps.executing.id, answer)
          : 'No HTTP request started this run.',
      show: (shown) => {
        const run = this.#steps.executing;
        const node = this.#steps.executingNode;
        return ports.panel && run && node ? ports.panel.show(run.flow.id, node.id, shown) : undefined;
      },
      log: (level, text) => {
        const run = this.#steps.executing;
        const node = this.#steps.executingNode;
        ports.log(
          level,
          text,
          run && node ? { origin: 'log', flowId: run.flow.id, nodeId: node.id, runId: run.id } : undefined,
        );
      },
    };
  }

  // ---- StepHost: what a node's step context calls ------------------------------------------

  now(): number {
    return this.#frozenNow ?? this.#ports.clock.now();
  }

  /**
   * Reads the clock once for a synchronous burst (one delivered event and every step it
   * causes): steps of one burst share a time, and the clock is not read per hop. Returns
   * true when this call froze it, so only the outermost caller thaws it.
   */
  freezeClock(): boolean {
    if (this.#frozenNow !== undefined) return false;
    this.#frozenNow = this.#ports.clock.now();
    return true;
  }

  /** Ends the burst started by `freezeClock`. */
  thawClock(): void {
    this.#frozenNow = undefined;
  }

  evaluate(node: NodeInstance, expression: CompiledExpression, message: Message): unknown {
    // One scope object per shape, filled per call instead of built: CEL reads it during the call
    // and keeps nothing, and no expression can evaluate another. `msg` (a copy of the message's
    // properties) is built only for expressions that read it.
    const scope = expression.readsMessage ? this.#scopeWithMsg : this.#scope;
    scope.payload = message.payload;
    scope.topic = message.topic ?? '';
    if (expression.readsMessage) scope.msg = messageView(message);
    scope.vars = node.flow.variables;
    scope.global = this.gatewayVariables;
    scope.now = this.now();
    try {
      return expression(scope);
    } finally {
      // nothing of this message stays reachable from the engine after the call
      scope.payload = null;
      if (expression.readsMessage) scope.msg = {};
    }
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
    if (hops + 1 > this.maxHops) {
      this.endRun(
        run,
        'loop-limit',
        `A message passed ${this.maxHops} nodes; the flow loops without a delay.`,
      );
      return;
    }
    for (const edge of edges) {
      run.inflight++;
      this.queue.push(run, edge, message, hops + 1, parent);
    }
    if (!this.#draining) this.drain();
  }

  variableChanged(): void {
    this.dirty = true;
  }

  startTimer(run: Run, node: NodeInstance, delayMs: number, data: unknown, parentStep: number): TimerId {
    return this.pending.start(run, node, delayMs, data, parentStep);
  }

  cancelTimer(id: TimerId): void {
    this.pending.cancel(id);
  }

  cancelNodeTimers(node: NodeInstance): void {
    this.pending.cancelNode(node);
  }

  released(run: Run): void {
    // The run executing right now is settled by the drain loop after its step.
    if (run !== this.#steps.executing) this.settle(run);
  }

  endRun(run: Run, outcome: RunOutcome, reason?: string): void {
    if (run.ended) return;
    run.ended = true;
    run.outcome = outcome;
    if (reason !== undefined) run.reason = reason;
    if (run.timers?.size) for (const record of [...run.timers]) this.pending.remove(record);
    const flow = run.flow;
    flow.active.delete(run);
    flow.stats.outcomes[outcome]++;
    this.#emit(run);
    if (run.onEnd) for (const listener of run.onEnd) listener(outcome);
    if (flow.mode === 'queued' && flow.active.size === 0 && this.running) {
      const next = flow.waiting.shift();
      if (next) this.startRun(next.trigger, next.payload, next.hops, next.parentRunId, true);
    }
  }

  runFlow(run: Run, flowId: string, message: Message, hops: number, triggerId?: string): Promise<string> {
    return runFlow(this, run, flowId, message, hops, triggerId);
  }

  callFlow(
    run: Run,
    flowId: string,
    message: Message,
    hops: number,
    timeoutMs: number,
    triggerId?: string,
  ): Promise<Message> {
    return callFlow(this, run, flowId, message, hops, timeoutMs, triggerId);
  }

  // ---- runs ---------------------------------------------------------------------------------

  manualTrigger(flowId: string, nodeId?: string): NodeInstance | undefined {
    return this.flows
      .get(flowId)
      ?.triggers.find(
        (n) => n.runtime.trigger?.type === 'manual' && (nodeId === undefined || n.id === nodeId),
      );
  }

  trigger(node: NodeInstance, message: Message, hops = 0): void {
    const accept = node.runtime.accept;
    let first: Message | undefined = message;
    if (accept) {
      try {
        first = accept(message, (expression, m) => this.evaluate(node, expression, m));
      } catch (error) {
        this.#ports.log(
          'warn',
          `Flow ${node.flow.id}: the condition of trigger ${node.id} failed: ${errorText(error)}`,
          { origin: 'engine', flowId: node.flow.id, nodeId: node.id },
        );
        return;
      }
    }
    if (first) this.startRun(node, first, hops);
  }

  /** Starts a run subject to the flow's run mode; undefined when it was dropped or queued. */
  startRun(
    trigger: NodeInstance,
    message: Message,
    hops: number,
    parentRunId?: string,
    bypassMode = false,
  ): Run | undefined {
    const flow = trigger.flow;
    const admission = bypassMode ? undefined : admit(flow);
    if (admission?.action === 'drop') return this.#drop(trigger, message, parentRunId, admission.reason);
    if (admission?.action === 'queue') {
      flow.waiting.push({ trigger, payload: message, hops, ...(parentRunId ? { parentRunId } : {}) });
      return undefined;
    }
    if (admission?.action === 'start-after-cancelling') {
      for (const old of [...flow.active])
        this.endRun(old, 'cancelled', 'A newer run replaced it (mode restart).');
    }
    const now = this.now();
    const run = new Run(this.#nextRunId(), flow, trigger, now, this.#maxSteps, parentRunId);
    const calling = this.calling;
    if (calling) {
      this.calling = undefined;
      run.returnTo = calling.returnTo;
      run.callDepth = calling.depth;
      (run.onEnd ??= []).push(calling.onEnd);
    }
    flow.active.add(run);
    flow.stats.started++;
    if (this.exchanges && trigger.runtime.trigger?.type === 'http') this.exchanges.started(run.id, message);
    const entry = entryStep(trigger, 'trigger', now, hops, message.payload, true);
    const index = run.record(entry);
    this.#ports.observer?.step(flow.id, run.id, entry);
    this.enqueueSends(run, trigger, 'out', message, hops, index);
    this.settle(run);
    return run;
  }

  #nextRunId(): string {
    return `${this.#runPrefix}-${++this.#runSeq}`;
  }

  #drop(trigger: NodeInstance, message: Message, parentRunId: string | undefined, reason: string): undefined {
    const run = new Run(this.#nextRunId(), trigger.flow, trigger, this.now(), 1, parentRunId);
    run.ended = true;
    run.outcome = 'dropped-by-mode';
    run.reason = reason;
    run.record(entryStep(trigger, 'trigger', run.startedAt, 0, message.payload, false));
    trigger.flow.stats.outcomes['dropped-by-mode']++;
    this.#emit(run);
    return undefined;
  }

  /** Ends the run when nothing keeps it open any more: no queued hop, timer or async step. */
  settle(run: Run): void {
    if (!run.ended && run.inflight === 0 && run.pending === 0)
      this.endRun(run, run.error ? 'failed' : 'finished');
  }

  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let hop = this.queue.shift(); hop; hop = this.queue.shift()) {
        // `hop` is reused by the next shift: everything is read out of it first.
        const run = hop.run;
        run.inflight--;
        if (run.ended) continue;
        const { edge, message } = hop;
        const node = edge.target;
        const step: TraceStep = {
          nodeId: node.id,
          kind: node.kind.kind,
          parent: hop.parent,
          edgeId: edge.edgeId,
          port: edge.port,
          at: this.now(),
          hops: hop.hops,
          input: message.payload,
          outputs: noOutputs,
        };
        this.#steps.execute(run, node, step, undefined, message, edge.port);
        this.settle(run);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Runs a timer or event continuation of a node inside the run that started the timer. */
  continue(record: TimerRecord, port: 'timer' | 'event', body: (ctx: Step) => void): void {
    const run = record.run;
    if (run.ended) return;
    const step: TraceStep = {
      nodeId: record.node.id,
      kind: record.node.kind.kind,
      parent: record.parentStep,
      port,
      at: this.now(),
      // Time passed: a loop through a delay is a schedule, not a runaway message, so it counts afresh.
      hops: 0,
      input: (record.data as Message | null)?.payload ?? null,
      outputs: noOutputs,
    };
    this.#steps.execute(run, record.node, step, body);
    this.settle(run);
  }

  // ---- resumption and persistence ------------------------------------------------------------

  /** A run continuing a suspended one after a restart; no run mode applies, it was admitted before. */
  resumedRun(node: NodeInstance, resumedFrom: string): Run {
    const run = new Run(
      this.#nextRunId(),
      node.flow,
      node,
      this.now(),
      this.#maxSteps,
      undefined,
      resumedFrom,
    );
    node.flow.active.add(run);
    node.flow.stats.started++;
    return run;
  }

  snapshot() {
    return snapshotOf(
      this.flows.values(),
      this.timers.values(),
      this.schedules.entries(),
      this.gatewayVariables,
    );
  }

  flush(): void {
    if (!this.dirty || !this.running) return;
    this.dirty = false;
    this.#ports.persistence.save(this.snapshot());
  }

  #emit(run: Run): void {
    try {
      this.#ports.traces.write(run.toTrace(this.now()));
    } catch (error) {
      this.#ports.log('error', `The trace sink failed: ${errorText(error)}`);
    }
  }
}
