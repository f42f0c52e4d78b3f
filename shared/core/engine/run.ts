/** One flow run while it is open, and how it becomes a trace. */
import type { NodeInstance, DeployedFlow } from './deploy';
import type { RunOutcome, RunTrace, TraceError, TraceStep } from './trace';

/** A pending timer of a run (delays, debounces, waits), persisted so it survives a restart. */
export interface TimerRecord {
  readonly id: number;
  readonly node: NodeInstance;
  run: Run;
  readonly dueAt: number;
  readonly data: unknown;
  /** The step that started the timer, so the continuation's path links back to it. */
  readonly parentStep: number;
  handle?: unknown;
}

/** An open run: its steps so far and what keeps it open (queued hops, timers, async work). */
export class Run {
  readonly steps: TraceStep[] = [];
  truncated = false;
  /** Hops queued for this run and not yet executed. */
  inflight = 0;
  /** Timers and async steps still outstanding. */
  pending = 0;
  readonly timers = new Set<TimerRecord>();
  ended = false;
  outcome: RunOutcome | undefined;
  reason: string | undefined;
  error: TraceError | undefined;
  readonly childRunIds: string[] = [];
  readonly onEnd: ((outcome: RunOutcome) => void)[] = [];

  constructor(
    readonly id: string,
    readonly flow: DeployedFlow,
    readonly trigger: NodeInstance,
    readonly startedAt: number,
    readonly maxSteps: number,
    readonly parentRunId?: string,
    readonly resumedFrom?: string,
  ) {}

  /** Appends a step; returns its index, or -1 when the trace is full (the step still runs). */
  record(step: TraceStep): number {
    if (this.steps.length >= this.maxSteps) {
      this.truncated = true;
      return -1;
    }
    return this.steps.push(step) - 1;
  }

  /** The finished trace; call once, after `ended` is set. */
  toTrace(endedAt: number): RunTrace {
    return {
      version: 1,
      runId: this.id,
      flowId: this.flow.id,
      trigger: { nodeId: this.trigger.id, kind: this.trigger.kind.kind },
      startedAt: this.startedAt,
      endedAt,
      outcome: this.outcome ?? 'finished',
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      ...(this.error ? { error: this.error } : {}),
      steps: this.steps,
      ...(this.truncated ? { truncated: true } : {}),
      ...(this.parentRunId ? { parentRunId: this.parentRunId } : {}),
      ...(this.resumedFrom ? { resumedFrom: this.resumedFrom } : {}),
      childRunIds: this.childRunIds,
    };
  }
}

/** The first step of a run: its trigger firing, or a timer coming back after a restart. */
export const entryStep = (
  node: NodeInstance,
  port: 'trigger' | 'resume',
  at: number,
  hops: number,
  input: unknown,
  sent: boolean,
): TraceStep => ({
  nodeId: node.id,
  kind: node.kind.kind,
  parent: -1,
  port,
  at,
  hops,
  input,
  outputs: sent ? [{ port: 'out', payload: input }] : [],
});
