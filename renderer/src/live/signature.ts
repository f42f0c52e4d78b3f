/** What of a flow decides how it runs: everything but where its nodes sit and how they are grouped. */
import type { Flow } from '../canvas/types';

const signatures = new WeakMap<Flow, string>();

/** A text equal for two flows exactly when they run the same way. */
export const runSignature = (flow: Flow): string => {
  let text = signatures.get(flow);
  if (text === undefined) {
    text = JSON.stringify([
      flow.name,
      flow.saved ?? null,
      flow.nodes.map((n) => [n.id, n.kind, n.config]),
      flow.edges,
    ]);
    signatures.set(flow, text);
  }
  return text;
};
