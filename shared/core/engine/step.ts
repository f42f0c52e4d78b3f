/**
 * One step of a run: the context a node gets while it handles one message (bound to the run
 * and the step, so sends continue the run's path and timers keep the run open), and running it:
 * sync or async completion, and a failure that fails only its own path.
 */
import type { CompiledExpression } from '../expr/cel';
import type { Message, NodeIo, StepContext, TimerId } from '../flow/catalog';
import type { NodeInstance } from './deploy';
import type { EnginePorts } from './ports';
import { checkGatewayVariable } from './gateway-store';
import type { Run } from './run';
import type { TraceStep } from './trace';

/** What a step needs from the engine; implemented by FlowEngine. */
export interface StepHost {
  readonly io: NodeIo;
  now(): number;
  evaluate(node: NodeInstance, expression: CompiledExpression, message: Message): unknown;
  enqueueSends(
    run: Run,
    node: NodeInstance,
    port: string,
    message: Message,
    hops: number,
    parent: number,
  ): void;
  /** The gateway-wide variables every flow shares (`global.name`). */
  readonly gatewayVariables: Record<string, unknown>;
  variableChanged(node: NodeInstance): void;
  startTimer(run: Run, node: NodeInstance, delayMs: number, data: unknown, parentStep: number): TimerId;
  cancelTimer(id: TimerId): void;
  cancelNodeTimers(node: NodeInstance): void;
  endRun(run: Run, outcome: 'stopped' | 'failed' | 'loop-limit', reason: string): void;
  runFlow(run: Run, flowId: string, message: Message, hops: number, triggerId?: string): Promise<string>;
  callFlow(
    run: Run,
    flowId: string,
    message: Message,
    hops: number,
    timeoutMs: number,
    triggerId?: string,
  ): Promise<Message>;
}

/** StepContext implementation; one small object per step. */
export class Step implements StepContext {
  constructor(
    private readonly host: StepHost,
    private readonly run: Run,
    private readonly node: NodeInstance,
    private readonly record: TraceStep,
    private readonly index: number,
  ) {}

  get io(): NodeIo {
    return this.host.io;
  }

  get state(): Record<string, unknown> {
    return this.node.state;
  }

  now(): number {
    return this.host.now();
  }

  // A method, not a bound arrow field: a step is made per hop, and a field would add a closure to each.
  evaluate(expression: CompiledExpression, message: Message): unknown {
    return this.host.evaluate(this.node, expression, message);
  }

  send(port: string, message: Message): void {
    if (this.run.ended) return;
    const output =
      message.properties === undefined
        ? { port, payload: message.payload }
        : { port, payload: message.payload, properties: message.properties };
    // Most steps send once: a list of one, instead of growing an empty list to its default capacity.
    const outputs = this.record.outputs;
    if (outputs.length === 0) this.record.outputs = [output];
    else outputs.push(output);
    this.host.enqueueSends(this.run, this.node, port, message, this.record.hops, this.index);
  }

  setVariable(name: string, value: unknown, scope: 'flow' | 'gateway' = 'flow'): void {
    const gateway = scope === 'gateway';
    const variables = gateway ? this.host.gatewayVariables : this.node.flow.variables;
    if (gateway) checkGatewayVariable(variables, name, value);
    // A trace names a gateway-wide variable as CEL reads it (`global.name`); flow variable names
    // cannot contain a dot, so the two never collide.
    const key = gateway ? `global.${name}` : name;
    const changes = (this.record.changedVariables ??= {});
    changes[key] = { from: changes[key]?.from ?? variables[name] ?? null, to: value };
    variables[name] = value;
    this.host.variableChanged(this.node);
  }

  startTimer(delayMs: number, data: unknown): TimerId {
    return this.host.startTimer(this.run, this.node, delayMs, data, this.index);
  }

  cancelTimer(id: TimerId): void {
    this.host.cancelTimer(id);
  }

  cancelNodeTimers(): void {
    this.host.cancelNodeTimers(this.node);
  }

  stopRun(outcome: 'stopped' | 'failed', reason: string): void {
    this.host.endRun(this.run, outcome, reason);
  }

  runFlow(flowId: string, message: Message, triggerId?: string): Promise<string> {
    return this.host.runFlow(this.run, flowId, message, this.record.hops, triggerId);
  }

  callFlow(flowId: string, message: Message, timeoutMs: number, triggerId?: string): Promise<Message> {
    return this.host.callFlow(this.run, flowId, message, this.record.hops, timeoutMs, triggerId);
  }

  returnToCaller(message: Message): void {
    const caller = this.run.returnTo;
    if (!caller)
      throw new Error(
        this.run.returned
          ? 'This run has already returned a message to its caller (or its caller stopped waiting); a run returns once.'
          : 'No Run flow node waits for this run’s result: it was not started by a Run flow that waits for a returned message.',
      );
    this.run.returnTo = undefined;
    this.run.returned = true;
    caller(message);
  }
}

/** What StepRunner needs of the run executor, beyond what a step's context calls. */
export interface RunHost extends StepHost {
  /** Ends the run when nothing keeps it open any more. */
  settle(run: Run): void;
  startRun(
    trigger: NodeInstance,
    message: Message,
    hops: number,
    parentRunId?: string,
    bypassMode?: boolean,
  ): Run | undefined;
  drain(): void;
  flush(): void;
}

/**
 * Runs steps, and knows which run and node is executing (for log origins and echo hop counts).
 * A node that throws or rejects fails only its own path: the step and the run record the error,
 * and the flow's On error triggers start child runs.
 */
export class StepRunner {
  executing: Run | undefined;
  executingNode: NodeInstance | undefined;
  executingHops = 0;

  constructor(
    private readonly host: RunHost,
    private readonly ports: EnginePorts,
  ) {}

  /** Runs one step: `body`, or the node's `receive` with `message` on `port` (no closure per hop). */
  execute(
    run: Run,
    node: NodeInstance,
    step: TraceStep,
    body: ((ctx: Step) => void | Promise<void>) | undefined,
    message?: Message,
    port?: string,
  ): void {
    const index = run.record(step);
    const ctx = new Step(this.host, run, node, step, index);
    const outer = this.executing;
    const outerNode = this.executingNode;
    const outerHops = this.executingHops;
    this.executing = run;
    this.executingNode = node;
    this.executingHops = step.hops;
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
      this.executing = outer;
      this.executingNode = outerNode;
      this.executingHops = outerHops;
    }
    if (!async) this.ports.observer?.step(run.flow.id, run.id, step);
  }

  /** Keeps the run open until an asynchronous step settles; a rejection fails the node. */
  #hold(run: Run, node: NodeInstance, step: TraceStep, work: Promise<void>): void {
    const host = this.host;
    run.pending++;
    const release = () => {
      step.endedAt = host.now();
      this.ports.observer?.step(run.flow.id, run.id, step);
      run.pending--;
      host.settle(run);
      host.drain();
      host.flush();
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
    this.ports.log('warn', `Flow ${run.flow.id}: node ${node.id} (${node.kind.kind}) failed: ${message}`, {
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
      const child = this.host.startRun(handler, { payload }, 0, run.id, true);
      if (child) run.addChild(child.id);
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
