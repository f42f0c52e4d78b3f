/** Where the editor's validation runs: a Web Worker in the app, on the spot elsewhere. */
import type { RoleInScope } from '../../../shared/core/flow/scope';
import type { Design, Problem } from '../canvas/types';
import { designDelta } from './design-delta';
import { validateDesign, type ProvidedByRole } from './validate';
import type { ValidationRequest } from './validate.worker';

/** Validates a design, possibly elsewhere (a worker). */
export type Validator = (
  design: Design,
  roles: readonly RoleInScope[],
  provided?: ProvidedByRole,
) => Promise<Problem[]>;

/** Whether two problem lists say the same things in the same order. */
export const sameProblems = (a: readonly Problem[], b: readonly Problem[]): boolean =>
  a.length === b.length &&
  a.every((p, i) => {
    const q = b[i]!;
    return (
      p.flow === q.flow &&
      p.node === q.node &&
      p.field === q.field &&
      p.severity === q.severity &&
      p.message === q.message
    );
  });

type Pending = { design: Design; roles: readonly RoleInScope[]; provided: ProvidedByRole };
type Waiter = (problems: Problem[]) => void;
type Reply = { seq: number; problems: Problem[] } | { seq: number; resend: true };

/** Runs `post` after the next paint, so the frame of an edit only draws it. */
const afterPaint = (post: () => void): void => {
  if (typeof requestAnimationFrame === 'undefined') setTimeout(post, 0);
  else requestAnimationFrame(() => setTimeout(post, 0));
};

/**
 * Validation in a Web Worker, so a big flow never freezes the canvas; where workers are
 * missing (tests under Node) it runs on the spot. Edits in one frame make one request, sent
 * after the frame is painted, and only what changed since the last request crosses over.
 */
export const workerValidator = (): Validator => {
  if (typeof Worker === 'undefined')
    return async (design, roles, provided) => validateDesign(design, roles, provided);
  const worker = new Worker(new URL('./validate.worker.ts', import.meta.url), { type: 'module' });
  let seq = 0;
  /** What the worker holds (after the requests posted so far), or null to send it whole. */
  let sent: Pending | null = null;
  let next: Pending | null = null;
  let waiters: Waiter[] = [];
  const waiting = new Map<number, { request: Pending; done: Waiter[] }>();

  const send = (request: Pending, done: Waiter[]) => {
    seq++;
    waiting.set(seq, { request, done });
    const message: ValidationRequest = {
      seq,
      delta: designDelta(sent?.design ?? null, request.design),
      fresh: sent === null,
      ...(sent?.roles === request.roles ? {} : { roles: request.roles }),
      ...(sent?.provided === request.provided ? {} : { provided: request.provided }),
    };
    sent = request;
    try {
      worker.postMessage(message);
    } catch {
      // A value that cannot be cloned (a UI proxy that slipped into the design): send plain JSON.
      worker.postMessage(JSON.parse(JSON.stringify(message)) as ValidationRequest);
    }
  };

  worker.onmessage = (event: MessageEvent<Reply>) => {
    const reply = event.data;
    const entry = waiting.get(reply.seq);
    waiting.delete(reply.seq);
    if (!entry) return;
    if ('resend' in reply) {
      // The worker lost track of the design: send this one whole.
      sent = null;
      send(entry.request, entry.done);
      return;
    }
    for (const done of entry.done) done(reply.problems);
  };

  return (design, roles, provided = {}) =>
    new Promise((resolve) => {
      const first = next === null;
      next = { design, roles, provided };
      waiters.push(resolve);
      if (!first) return;
      afterPaint(() => {
        const request = next!;
        const done = waiters;
        next = null;
        waiters = [];
        send(request, done);
      });
    });
};
