/**
 * Runs the flow validator off the main thread: a first check of a 5,000-node flow takes over
 * half a second, which must not freeze the canvas. Answers each request with its sequence
 * number so the editor can ignore results of designs it no longer shows.
 */
import type { RoleInScope } from '../../../shared/core/flow/scope';
import type { Design } from '../canvas/types';
import { validateDesign, type ProvidedByRole } from './validate';

/** A validation request from the editor. */
export interface ValidationRequest {
  readonly seq: number;
  readonly design: Design;
  readonly roles: readonly RoleInScope[];
  readonly provided: ProvidedByRole;
}

self.onmessage = (event: MessageEvent<ValidationRequest>) => {
  const { seq, design, roles, provided } = event.data;
  self.postMessage({ seq, problems: validateDesign(design, roles, provided) });
};
