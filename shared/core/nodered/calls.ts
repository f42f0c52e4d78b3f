/**
 * The Run flow nodes an import made for link calls name the Manual trigger they start; once the
 * flows are assembled, this points each at the flow that holds that trigger.
 */
import type { ImportedFlow } from './assemble';
import { CALL_FLOW_PREFIX } from './convert-link';

/** The flows with every imported Run flow naming the flow its Manual trigger landed in. */
export const aimCalls = (flows: readonly ImportedFlow[]): ImportedFlow[] => {
  const flowOf = new Map<string, string>();
  for (const { flow } of flows) for (const n of flow.nodes) flowOf.set(n.id, flow.id);
  return flows.map((f) =>
    f.flow.nodes.some((n) => String(n.config.flow ?? '').startsWith(CALL_FLOW_PREFIX))
      ? {
          ...f,
          flow: {
            ...f.flow,
            nodes: f.flow.nodes.map((n) => {
              const flow = n.config.flow;
              if (
                n.kind !== 'action.run-flow' ||
                typeof flow !== 'string' ||
                !flow.startsWith(CALL_FLOW_PREFIX)
              )
                return n;
              return {
                ...n,
                config: { ...n.config, flow: flowOf.get(flow.slice(CALL_FLOW_PREFIX.length)) ?? '' },
              };
            }),
          },
        }
      : f,
  );
};
