/**
 * Runs the flow validator off the main thread: a first check of a 5,000-node flow takes over
 * half a second, which must not freeze the canvas. The worker keeps the design it last saw and
 * receives each edit as a delta (see design-delta.ts); it answers each request with its
 * sequence number so the editor can ignore results of designs it no longer shows, or with
 * `resend` when a delta does not fit what it holds, so the editor sends the design whole.
 */
import type { RoleInScope } from '../../../shared/core/flow/scope';
import type { Design } from '../canvas/types';
import { applyDesignDelta, type DesignDelta } from './design-delta';
import { validateDesign, type ProvidedByRole } from './validate';

/** A validation request from the editor; `roles` and `provided` only when they changed. */
export interface ValidationRequest {
  readonly seq: number;
  /** Against the design of the previous request, or against none when `fresh`. */
  readonly delta: DesignDelta;
  readonly fresh: boolean;
  readonly roles?: readonly RoleInScope[];
  readonly provided?: ProvidedByRole;
}

let design: Design | null = null;
let roles: readonly RoleInScope[] = [];
let provided: ProvidedByRole = {};

self.onmessage = (event: MessageEvent<ValidationRequest>) => {
  const request = event.data;
  if (request.roles) roles = request.roles;
  if (request.provided) provided = request.provided;
  try {
    design = applyDesignDelta(request.fresh ? null : design, request.delta);
  } catch {
    design = null;
    self.postMessage({ seq: request.seq, resend: true });
    return;
  }
  self.postMessage({ seq: request.seq, problems: validateDesign(design, roles, provided) });
};
