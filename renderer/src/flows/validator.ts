/** Where the editor's validation runs: a Web Worker in the app, on the spot elsewhere. */
import type { RoleInScope } from '../../../shared/core/flow/scope';
import type { Design, Problem } from '../canvas/types';
import { validateDesign, type ProvidedByRole } from './validate';
import type { ValidationRequest } from './validate.worker';

/** Validates a design, possibly elsewhere (a worker). */
export type Validator = (
  design: Design,
  roles: readonly RoleInScope[],
  provided?: ProvidedByRole,
) => Promise<Problem[]>;

/**
 * Validation in a Web Worker, so a big flow never freezes the canvas; where workers are
 * missing (tests under Node) it runs on the spot.
 */
export const workerValidator = (): Validator => {
  if (typeof Worker === 'undefined')
    return async (design, roles, provided) => validateDesign(design, roles, provided);
  const worker = new Worker(new URL('./validate.worker.ts', import.meta.url), { type: 'module' });
  let seq = 0;
  const waiting = new Map<number, (problems: Problem[]) => void>();
  worker.onmessage = (event: MessageEvent<{ seq: number; problems: Problem[] }>) => {
    waiting.get(event.data.seq)?.(event.data.problems);
    waiting.delete(event.data.seq);
  };
  return (design, roles, provided = {}) =>
    new Promise((resolve) => {
      seq++;
      waiting.set(seq, resolve);
      try {
        worker.postMessage({ seq, design, roles, provided } satisfies ValidationRequest);
      } catch {
        // A value that cannot be cloned (a UI proxy that slipped into the design): send plain JSON.
        worker.postMessage(JSON.parse(JSON.stringify({ seq, design, roles, provided })) as ValidationRequest);
      }
    });
};
