/**
 * Which flow a run is drawn on, and which version of it that is, said plainly. The gateway
 * records the hash of the flow document each run ran on (and the package that carried it); the
 * flows at hand (the design as Try it started it, the flow open in the editor) are hashed the
 * same way, so the view says whether the drawing is exactly what ran or a later edit of it.
 */
import type { StoredRun } from '../../../shared/core/engine/trace-query';
import { flowHash } from '../../../shared/core/engine/trace-query';
import type { Flow } from '../canvas/types';
import { toFlowDocument } from '../flows/documents';
import { editor } from '../flows/session.svelte';
import { live, triedFlow } from '../live/session.svelte';
import { runSignature } from '../live/signature';

/** The flow to draw a run on and a sentence naming its version. */
export type FlowForTrace = (
  flowId: string,
  trace?: StoredRun,
) => { readonly flow: Flow | undefined; readonly version: string; readonly exact?: boolean } | undefined;

const hashes = new WeakMap<Flow, string>();
/** The flow's version hash as the gateway computes it from the flow document. */
export const hashOf = (flow: Flow): string => {
  let hash = hashes.get(flow);
  if (!hash) {
    hash = flowHash(toFlowDocument(flow));
    hashes.set(flow, hash);
  }
  return hash;
};

const clock = (at: number | undefined) =>
  at === undefined ? '' : new Date(at).toLocaleTimeString(undefined, { hour12: false });

/** The default: the design Try it ran when the run came from it, else the flow open in the editor. */
export const flowForTrace: FlowForTrace = (flowId, trace) => {
  const open = editor.design.flows.find((f) => f.id === flowId);
  const tried = live.source?.kind === 'try-it' ? triedFlow(flowId) : undefined;
  const candidates: Array<[Flow, string]> = [
    ...(tried
      ? [[tried, `the design as Try it started it at ${clock(live.tryIt.startedAt)}`] as [Flow, string]]
      : []),
    ...(open ? [[open, 'the flow open in the editor'] as [Flow, string]] : []),
  ];
  const ran = trace?.flowVersion;
  const pkg = ran?.packageVersion !== undefined ? ` in package v${ran.packageVersion}` : '';
  if (!ran) {
    const [flow, what] = candidates[0] ?? [undefined, ''];
    return flow ? { flow, version: `Not recorded by the gateway; drawn on ${what}.` } : undefined;
  }
  const same = candidates.find(([flow]) => hashOf(flow) === ran.hash);
  if (same) {
    // Nodes moved since (an auto-layout after Try it started) change nothing that ran: the run
    // is drawn where its nodes sit now, so it reads like the canvas the user looks at.
    const moved = open && same[0] !== open && runSignature(open) === runSignature(same[0]);
    return { flow: moved ? open : same[0], version: `${ran.hash}${pkg} — exactly ${same[1]}.`, exact: true };
  }
  const [flow, what] = candidates.at(-1) ?? [undefined, ''];
  return {
    flow,
    version: flow
      ? `${ran.hash}${pkg}. Drawn on ${what} (${hashOf(flow)}), which has changed since: nodes may differ.`
      : `${ran.hash}${pkg}; the flow is not open here.`,
  };
};
