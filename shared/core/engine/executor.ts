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
import { Deque } from './deque';
import type { DeployedFlow, NodeInstance, TriggerIndex } from './deploy';
import { EchoHops } from './echo';
import type { HttpExchanges } from './http-exchanges';
import { admit } from './modes';
import type { EngineOptions, EnginePorts } from './ports';
import { entryStep, Run, type TimerRecord } from './run';
import { snapshotOf } from './snapshot';
import { Step, type StepHost } from './step';
import { ScheduleTable, TimerTable } from './run-timers';
import { TopicIndex } from './topic';
import type { RunOutcome, TraceStep } from './trace';

interface Work {
  readonly run: Run;
  readonly node: NodeInstance;
  readonly port: string;
  readonly message: Message;
  readonly hops: number;
  readonly parent: number;
  readonly edgeId: string;
}

/**
 * Executes runs for the engine: run modes, the hop queue, steps with their traces, timers,
 * schedules and the snapshot. FlowEngine (engine.ts) is its public face; members without `#`
 * are for FlowEngine only.
 */
export class RunExecutor implements StepHost {
  readonly io: NodeIo;
  readonly #ports: EnginePorts;
  readonly #maxHops: number;
  readonly #maxSteps: number;
  flows = new Map<string, DeployedFlow>();
  triggers: TriggerIndex = { deviceEvents: new Map(), propertyChanges: new Map(), mqtt: new TopicIndex() };
  readonly timers: TimerTable;
  readonly schedules: ScheduleTable;
  readonly echoes = new EchoHops();
  readonly queue = new Deque<Work>(1024);
  #draining = false;
  #executing: Run | undefined;
  #executingNode: NodeInstance | undefined;
  #executingHops = 0;
  #frozenNow: number | undefined;
  dirty = false;
  running = false;
  #runSeq = 0;
  #timerSeq = 0;
  readonly #runPrefix: string;
  readonly roles: Record<string, Record<string, unknown>> = {};
  /** Set by FlowEngine while flows with HTTP endpoints are deployed. */
  exchanges: HttpExchanges | undefined;

  constructor(ports: EnginePorts, options: EngineOptions = {}) {
    this.#ports = ports;
    this.#maxHops = options.maxHops ?? 256;
    this.#maxSteps = options.maxTraceSteps ?? 200;
    this.#runPrefix = ports.clock.now().toString(36);
    this.timers = new TimerTable(ports.clock, (record) => this.#fire(record));
    this.schedules = new ScheduleTable(ports.clock, (node, at) => this.#scheduleDue(node, at));
    this.io = {
      writeProperty: (role, property, value) => ports.devices.writeProperty(role, property, value),
      invokeAction: (role, action, input) => ports.devices.invokeAction(role, action, input),
      publish: (topic, payload, options) => {
        if (this.triggers.mqtt.match(topic).length > 0)
          this.echoes.remember(topic, this.#executingHops, this.now());
        return ports.mqtt.publish(topic, payload, options);
      },
      request: (request) => ports.http.request(request),
      respond: (answer) =>
        this.#executing && this.exchanges
          ? this.exchanges.respond(this.#executing.id, answer)
          : 'No HTTP request started this run.',
      log: (level, text) => {
        const run = this.#executing;
        const node = this.#executingNode;
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
    // `msg` (a copy of the message's properties) is built only for expressions that read it.
    if (expression.readsMessage)
      return expression({
        payload: message.payload,
        topic: message.topic ?? '',
        msg: messageView(message),
        vars: node.flow.variables,
        roles: this.roles,
        now: this.now(),
      });
    return expression({
      payload: message.payload,
      topic: message.topic ?? '',
      vars: node.flow.variables,
      roles: this.roles,
      now: this.now(),
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
      this.queue.push({
        run,
        node: edge.target,
        port: edge.port,
        message,
        hops: hops + 1,
        parent,
        edgeId: edge.edgeId,
      });
    }
    if (!this.#draining) this.drain();
  }

  variableChanged(): void {
    this.dirty = true;
  }

  startTimer(run: Run, node: NodeInstance, delayMs: number, data: unknown, parentStep: number): TimerId {
    const id = ++this.#timerSeq;
    this.#addTimer({ id, node, run, dueAt: this.now() + Math.max(0, delayMs), data, parentStep });
    return id;
  }

  cancelTimer(id: TimerId): void {
    const record = this.timers.get(id);
    if (!record) return;
    this.removeTimer(record);
    record.run.pending--;
    // The run executing right now is settled by the drain loop after its step.
    if (record.run !== this.#executing) this.#settle(record.run);
  }

  cancelNodeTimers(node: NodeInstance): void {
    for (const record of this.timers.ofNode(node)) this.cancelTimer(record.id);
  }

  endRun(run: Run, outcome: RunOutcome, reason?: string): void {
    if (run.ended) return;
    run.ended = true;
    run.outcome = outcome;
    if (reason !== undefined) run.reason = reason;
    for (const record of [...run.timers]) this.removeTimer(record);
    const flow = run.flow;
    flow.active.delete(run);
    flow.stats.outcomes[outcome]++;
    this.#emit(run);
    for (const listener of run.onEnd) listener(outcome);
    if (flow.mode === 'queued' && flow.active.size === 0 && this.running) {
      const next = flow.waiting.shift();
      if (next) this.startRun(next.trigger, next.payload, next.hops, next.parentRunId, true);
    }
  }

  runFlow(run: Run, flowId: string, message: Message, hops: number): Promise<string> {
    const trigger = this.manualTrigger(flowId);
    if (!trigger) throw new Error(`Flow "${flowId}" is not deployed or has no Manual trigger to run it by.`);
    if (hops + 1 > this.#maxHops) {
      this.endRun(
        run,
        'loop-limit',
        `Flows ran each other ${this.#maxHops} times deep; they call each other in a loop.`,
      );
      return Promise.resolve('loop-limit');
    }
    const child = this.startRun(trigger, message, hops + 1, run.id);
    if (!child) return Promise.resolve('dropped-by-mode');
    run.childRunIds.push(child.id);
    if (child.ended) return Promise.resolve(child.outcome ?? 'finished');
    return new Promise((resolve) => child.onEnd.push(resolve));
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
      for (const old of [...flow.active] as Run[])
        this.endRun(old, 'cancelled', 'A newer run replaced it (mode restart).');
    }
    const now = this.now();
    const run = new Run(this.#nextRunId(), flow, trigger, now, this.#maxSteps, parentRunId);
    flow.active.add(run);
    flow.stats.started++;
    if (this.exchanges && trigger.runtime.trigger?.type === 'http') this.exchanges.started(run.id, message);
    const entry = entryStep(trigger, 'trigger', now, hops, message.payload, true);
    const index = run.record(entry);
    this.#ports.observer?.step(flow.id, run.id, entry);
    this.enqueueSends(run, trigger, 'out', message, hops, index);
    this.#settle(run);
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

  #settle(run: Run): void {
    if (!run.ended && run.inflight === 0 && run.pending === 0)
      this.endRun(run, run.error ? 'failed' : 'finished');
  }

  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let work = this.queue.shift(); work; work = this.queue.shift()) {
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
        const { node, message, port } = work;
        this.#execute(run, node, step, undefined, message, port);
        this.#settle(run);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Runs one step: `body`, or the node's `receive` with `message` on `port` (no closure per hop). */
  #execute(
    run: Run,
    node: NodeInstance,
    step: TraceStep,
    body: ((ctx: Step) => void | Promise<void>) | undefined,
    message?: Message,
    port?: string,
  ): void {
    const index = run.record(step);
    const ctx = new Step(this, run, node, step, index);
    const outer = this.#executing;
    const outerNode = this.#executingNode;
    const outerHops = this.#executingHops;
    this.#executing = run;
    this.#executingNode = node;
    this.#executingHops = step.hops;
    let async = false;
    try {
      const result = body ? body(ctx) : node.runtime.receive?.(ctx, message!, port!);
      if (result && typeof (result as Promise<void>).then === 'function') {
        async = true;
        this.#hold(run, node, step, result);
      }
    } catch (error) {
      this.#failed(run, node, step, error);
    } finally {
      this.#executing = outer;
      this.#executingNode = outerNode;
      this.#executingHops = outerHops;
    }
    if (!async) this.#ports.observer?.step(run.flow.id, run.id, step);
  }

  /** Keeps the run open until an asynchronous step settles; a rejection fails the node. */
  #hold(run: Run, node: NodeInstance, step: TraceStep, work: Promise<void>): void {
    run.pending++;
    const release = () => {
      step.endedAt = this.now();
      this.#ports.observer?.step(run.flow.id, run.id, step);
      run.pending--;
      this.#settle(run);
      this.drain();
      this.flush();
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
    this.#ports.log('warn', `Flow ${run.flow.id}: node ${node.id} (${node.kind.kind}) failed: ${message}`, {
      origin: 'error',
      flowId: run.flow.id,
      nodeId: node.id,
      runId: run.id,
    });
    // An error path that fails does not call itself: that would loop.
    if (run.trigger.runtime.trigger?.type === 'error') return;
    for (const handler of run.flow.triggers) {
      if (handler.runtime.trigger?.type !== 'error') continue;
      const payload = { runId: run.id, nodeId: node.id, kind: node.kind.kind, message };
      const child = this.startRun(handler, { payload }, 0, run.id, true);
      if (child) run.childRunIds.push(child.id);
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
      outputs: [],
    };
    this.#execute(run, record.node, step, body);
    this.#settle(run);
  }

  // ---- timers, schedules and persistence ------------------------------------------------------

  #addTimer(record: TimerRecord): void {
    this.timers.add(record);
    record.run.pending++;
    this.dirty = true;
  }

  removeTimer(record: TimerRecord): void {
    if (this.timers.remove(record)) this.dirty = true;
  }

  #fire(record: TimerRecord): void {
    if (!this.timers.get(record.id)) return;
    const own = this.freezeClock();
    try {
      this.removeTimer(record);
      record.run.pending--;
      this.continue(record, 'timer', (ctx) => record.node.runtime.onTimer?.(ctx, record.data));
      this.drain();
      this.flush();
    } finally {
      if (own) this.thawClock();
    }
  }

  #scheduleDue(node: NodeInstance, at: number): void {
    const own = this.freezeClock();
    try {
      this.trigger(node, { payload: { scheduledAt: at } });
      this.schedules.armNext(node, at);
      this.dirty = true;
      this.drain();
      this.flush();
    } finally {
      if (own) this.thawClock();
    }
  }

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

  /** Re-arms a persisted timer inside a resumed run, after a `resume` step recording what it held. */
  resumeTimer(run: Run, node: NodeInstance, dueAt: number, data: unknown): void {
    const input = (data as Message | null)?.payload ?? null;
    const parentStep = run.record(entryStep(node, 'resume', this.now(), 0, input, false));
    this.#addTimer({ id: ++this.#timerSeq, node, run, dueAt, data, parentStep });
  }

  snapshot() {
    return snapshotOf(this.flows.values(), this.timers.values(), this.schedules.entries());
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

/** A readable message from anything thrown. */
export const errorText = (error: unknown): string =>
  error instanceof Error
    ? error.message
    : typeof error === 'string'
      ? error
      : (JSON.stringify(error) ?? String(error));
