/**
 * Flows calling flows (Run flow): a child run started at the called flow's Manual trigger, and,
 * for a call waiting for a returned message, the link between the caller's step and the called
 * run's Return to caller, bounded by a call depth, the hop limit and a timeout.
 */
import type { Message } from '../flow/catalog';
import type { NodeInstance } from './deploy';
import type { EngineClock } from './ports';
import type { Run } from './run';
import type { RunOutcome } from './trace';

/** How many waiting Run flow calls may nest: a deeper chain is flows calling each other in a loop. */
export const MAX_CALL_DEPTH = 32;

const noTrigger = (flowId: string, triggerId: string | undefined): string =>
  triggerId
    ? `Flow "${flowId}" is not deployed or has no Manual trigger "${triggerId}" to run it by.`
    : `Flow "${flowId}" is not deployed or has no Manual trigger to run it by.`;

/** What a waiting call hands the run it starts (read by the executor's startRun). */
export interface Calling {
  readonly returnTo: (message: Message) => void;
  readonly onEnd: (outcome: RunOutcome) => void;
  readonly depth: number;
}

/** What calls need of the run executor. */
export interface CallHost {
  readonly maxHops: number;
  readonly clock: EngineClock;
  calling: Calling | undefined;
  manualTrigger(flowId: string, nodeId?: string): NodeInstance | undefined;
  startRun(trigger: NodeInstance, message: Message, hops: number, parentRunId?: string): Run | undefined;
  endRun(run: Run, outcome: RunOutcome, reason?: string): void;
}

/** Run flow: starts the flow's manual trigger as a child run; resolves with its outcome. */
export const runFlow = (
  host: CallHost,
  run: Run,
  flowId: string,
  message: Message,
  hops: number,
  triggerId?: string,
): Promise<string> => {
  const trigger = host.manualTrigger(flowId, triggerId);
  if (!trigger) throw new Error(noTrigger(flowId, triggerId));
  if (hops + 1 > host.maxHops) {
    host.endRun(
      run,
      'loop-limit',
      `Flows ran each other ${host.maxHops} times deep; they call each other in a loop.`,
    );
    return Promise.resolve('loop-limit');
  }
  const child = host.startRun(trigger, message, hops + 1, run.id);
  if (!child) return Promise.resolve('dropped-by-mode');
  run.addChild(child.id);
  if (child.ended) return Promise.resolve(child.outcome ?? 'finished');
  return new Promise((resolve) => (child.onEnd ??= []).push(resolve));
};

/**
 * Run flow waiting for a returned message: the child run's Return to caller resolves it; its end
 * without one, a call too deep, or `timeoutMs` passing rejects it with the reason.
 */
export const callFlow = (
  host: CallHost,
  run: Run,
  flowId: string,
  message: Message,
  hops: number,
  timeoutMs: number,
  triggerId?: string,
): Promise<Message> => {
  const trigger = host.manualTrigger(flowId, triggerId);
  if (!trigger) return Promise.reject(new Error(noTrigger(flowId, triggerId)));
  if (run.callDepth + 1 > MAX_CALL_DEPTH)
    return Promise.reject(
      new Error(
        `Flows called each other ${MAX_CALL_DEPTH} deep waiting for a result; they call each other in a loop.`,
      ),
    );
  if (hops + 1 > host.maxHops)
    return Promise.reject(
      new Error(`A message passed ${host.maxHops} nodes through flows calling each other; they loop.`),
    );
  return new Promise<Message>((resolve, reject) => {
    let settled = false;
    let timer: unknown;
    let child: Run | undefined;
    const settle = (error: Error | undefined, result?: Message) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) host.clock.clearTimer(timer);
      if (child && !child.returned) {
        // A late return has nobody to go to: it fails in the called run, saying so.
        child.returnTo = undefined;
        child.returned = true;
      }
      if (error) reject(error);
      else resolve(result!);
    };
    const returnTo = (m: Message) => settle(undefined, m);
    const onEnd = (outcome: RunOutcome) =>
      settle(new Error(`Flow "${flowId}" ended (${outcome}) without returning a message to its caller.`));
    // Set before the run starts: the called flow may return synchronously.
    host.calling = { returnTo, onEnd, depth: run.callDepth + 1 };
    try {
      child = host.startRun(trigger, message, hops + 1, run.id);
    } finally {
      host.calling = undefined;
    }
    if (!child) {
      settle(new Error(`Flow "${flowId}" did not start: its run mode dropped or queued the call.`));
      return;
    }
    run.addChild(child.id);
    if (child.ended && !settled) onEnd(child.outcome ?? 'finished');
    if (!settled)
      timer = host.clock.setTimer(
        () => settle(new Error(`Flow "${flowId}" did not return a message within ${timeoutMs / 1000} s.`)),
        timeoutMs,
      );
  });
};
