/**
 * The context a node gets while it handles one message: bound to the run and the step, so
 * sends continue the run's path and timers keep the run open.
 */
import type { CompiledExpression } from '../expr/cel';
import type { Message, NodeIo, StepContext, TimerId } from '../flow/catalog';
import type { NodeInstance } from './deploy';
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
  variableChanged(node: NodeInstance): void;
  startTimer(run: Run, node: NodeInstance, delayMs: number, data: unknown, parentStep: number): TimerId;
  cancelTimer(id: TimerId): void;
  cancelNodeTimers(node: NodeInstance): void;
  endRun(run: Run, outcome: 'stopped' | 'failed' | 'loop-limit', reason: string): void;
  runFlow(run: Run, flowId: string, message: Message, hops: number): Promise<string>;
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

  evaluate = (expression: CompiledExpression, message: Message): unknown =>
    this.host.evaluate(this.node, expression, message);

  send(port: string, message: Message): void {
    if (this.run.ended) return;
    this.record.outputs.push(
      message.properties === undefined
        ? { port, payload: message.payload }
        : { port, payload: message.payload, properties: message.properties },
    );
    this.host.enqueueSends(this.run, this.node, port, message, this.record.hops, this.index);
  }

  setVariable(name: string, value: unknown): void {
    const variables = this.node.flow.variables;
    const changes = (this.record.changedVariables ??= {});
    changes[name] = { from: changes[name]?.from ?? variables[name] ?? null, to: value };
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

  runFlow(flowId: string, message: Message): Promise<string> {
    return this.host.runFlow(this.run, flowId, message, this.record.hops);
  }
}
