/** One flow run while it is open, and how it becomes a trace. */
import type { Message } from '../flow/catalog';
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
  // The three below are made on first use: most runs never start a timer, run another flow or
  // get awaited, and a run is made per message.
  /** Timers this run started and still waits for. */
  timers: Set<TimerRecord> | undefined = undefined;
  /** Runs this one started (Run flow, its error path). */
  childRunIds: string[] | undefined = undefined;
  /** Called with the outcome when the run ends (a Run flow node awaiting it). */
  onEnd: ((outcome: RunOutcome) => void)[] | undefined = undefined;
  /** Set while a Run flow node waits for this run to return a message (see Return to caller). */
  returnTo: ((message: Message) => void) | undefined = undefined;
  /** True once the run returned (or its caller stopped waiting). */
  returned = false;
  /** How many waiting Run flow calls this run is nested in. */
  callDepth = 0;
  ended = false;
  outcome: RunOutcome | undefined;
  reason: string | undefined;
  error: TraceError | undefined;

  /** Neighbours in the flow's ActiveRuns while the run is open. */
  prevActive: Run | undefined = undefined;
  nextActive: Run | undefined = undefined;

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

  /** Notes a run this one started, for its trace. */
  addChild(runId: string): void {
    (this.childRunIds ??= []).push(runId);
  }

  /** The finished trace; call once, after `ended` is set. */
  toTrace(endedAt: number): RunTrace {
    const trigger = { nodeId: this.trigger.id, kind: this.trigger.kind.kind };
    const outcome = this.outcome ?? 'finished';
    if (
      this.reason === undefined &&
      !this.error &&
      !this.truncated &&
      !this.parentRunId &&
      !this.resumedFrom
    ) {
      // Most runs: one literal, every member in place from the start.
      return {
        version: 1,
        runId: this.id,
        flowId: this.flow.id,
        trigger,
        startedAt: this.startedAt,
        endedAt,
        outcome,
        steps: this.steps,
        childRunIds: this.childRunIds ?? [],
      };
    }
    // Optional members are assigned in the order the format lists them, without spreads of
    // short-lived objects: the same JSON, and one object per run instead of six.
    const trace: RunTrace = {
      version: 1,
      runId: this.id,
      flowId: this.flow.id,
      trigger,
      startedAt: this.startedAt,
      endedAt,
      outcome,
    } as RunTrace;
    if (this.reason !== undefined) trace.reason = this.reason;
    if (this.error) trace.error = this.error;
    trace.steps = this.steps;
    if (this.truncated) trace.truncated = true;
    if (this.parentRunId) trace.parentRunId = this.parentRunId;
    if (this.resumedFrom) trace.resumedFrom = this.resumedFrom;
    trace.childRunIds = this.childRunIds ?? [];
    return trace;
  }
}

/**
 * The open runs of a flow, in start order: a list threaded through the runs themselves, so
 * opening and closing one (once per message) allocates nothing, as a Set's table would.
 */
export class ActiveRuns implements Iterable<Run> {
  #first: Run | undefined;
  #last: Run | undefined;
  #size = 0;

  /** Number of open runs. */
  get size(): number {
    return this.#size;
  }

  /** Adds a run that is in no list. */
  add(run: Run): void {
    run.prevActive = this.#last;
    run.nextActive = undefined;
    if (this.#last) this.#last.nextActive = run;
    else this.#first = run;
    this.#last = run;
    this.#size++;
  }

  /** Removes a run of this list; false when it is not in it. */
  delete(run: Run): boolean {
    if (run.prevActive === undefined && this.#first !== run) return false;
    if (run.prevActive) run.prevActive.nextActive = run.nextActive;
    else this.#first = run.nextActive;
    if (run.nextActive) run.nextActive.prevActive = run.prevActive;
    else this.#last = run.prevActive;
    run.prevActive = run.nextActive = undefined;
    this.#size--;
    return true;
  }

  /** The runs in start order (safe to delete the current one while iterating a copy: `[...runs]`). */
  *[Symbol.iterator](): Iterator<Run> {
    for (let run = this.#first; run; run = run.nextActive) yield run;
  }
}

/**
 * The outputs of a step that has sent nothing: one shared, frozen empty list instead of one per
 * step. `Step.send` puts a new list in its place; nothing may push onto this one.
 */
export const noOutputs = Object.freeze([]) as unknown as TraceStep['outputs'];

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
  outputs: sent ? [{ port: 'out', payload: input }] : noOutputs,
});
