/**
 * Live validation of the design while you draw: each flow goes through the flow validator
 * (shared/core/flow/validate) as the document it would be saved as, and its problems are tied
 * back to nodes and config fields for the canvas badges, the inspector and the problems panel.
 */
import { validateFlow, type FlowProblem } from '../../../shared/core/flow/validate';
import { declaredEndpoints } from '../../../shared/core/flow/validate-http';
import { declaredWidgets } from '../../../shared/core/flow/validate-panel';
import { gatewayVariablesSet } from '../../../shared/core/flow/gateway-variables';
import type { RoleInScope } from '../../../shared/core/flow/scope';
import type { Provided } from '../../../shared/core/model/provides';
import type { Design, Flow, Problem } from '../canvas/types';
import { toFlowDocument } from './documents';

/** The node a problem is about: its own node, or for a wire the node the wire goes into. */
const nodeOf = (p: FlowProblem, flow: Flow): string | undefined => {
  if (p.nodeId) return p.nodeId;
  if (!p.edgeId) return undefined;
  return flow.edges.find((e) => e.id === p.edgeId)?.to.node;
};

/** What the device bound to each role on the selected site provides (role id → provided). */
export type ProvidedByRole = Readonly<Record<string, Provided>>;

/**
 * Every problem of the design, flow by flow; messages carry the validator's fix hint. With
 * `provided`, a node using what its role's bound device does not provide is a problem too.
 */
export const validateDesign = (
  design: Design,
  roles: readonly RoleInScope[],
  provided: ProvidedByRole = {},
): Problem[] => {
  const flowIds = design.flows.map((f) => f.id);
  const byRole = new Map(Object.entries(provided));
  const documents = design.flows.map(toFlowDocument);
  const endpoints = declaredEndpoints(documents);
  const gatewayVariables = new Set(gatewayVariablesSet(documents));
  const widgets = declaredWidgets(documents);
  const options = { flowIds, provided: byRole, endpoints, gatewayVariables, widgets };
  return design.flows.flatMap((flow, i) =>
    validateFlow(documents[i], roles, options).map((p): Problem => {
      const node = nodeOf(p, flow);
      // Config paths are dot-separated (`rules.1.when`); the inspector edits top-level fields.
      const field = p.nodeId && p.path ? p.path.split('.')[0] : undefined;
      return {
        flow: flow.id,
        severity: p.severity,
        message: p.hint ? `${p.message} — ${p.hint}` : p.message,
        ...(node ? { node } : {}),
        ...(field ? { field } : {}),
      };
    }),
  );
};
