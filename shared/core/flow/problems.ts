/**
 * Design problems the validator reports. Each carries a code (stable, for tests and docs), the
 * node and the port or config path it is about, a message saying what is wrong and a hint
 * saying how to fix it.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Every problem code with what it means. */
export const flowProblemCodes = {
  'flow.invalid_document': 'The file does not match the flow format.',
  'flow.duplicate_id': 'Two nodes or two edges share an id.',
  'flow.no_trigger': 'The flow has no trigger, so it never runs.',
  'flow.unknown_kind': 'A node has a kind this version of Fieldgraph does not know.',
  'flow.missing_config': 'A required setting of a node is empty.',
  'flow.invalid_config': 'A setting of a node has a value of the wrong type or out of range.',
  'flow.unknown_role': 'A node names a role that is not in the design.',
  'flow.role_not_listed': 'A node uses a role the flow does not list in its roles.',
  'flow.unknown_member': 'A node names a property, action or event the role’s capability does not have.',
  'flow.read_only_property': 'A Set property node writes a property that is read-only.',
  'flow.not_provided':
    'The device bound to the role does not provide what the node uses (an event its binding never sends), so it would never run.',
  'flow.unknown_node': 'An edge connects a node that does not exist.',
  'flow.unknown_port': 'An edge uses a port the node does not have.',
  'flow.type_mismatch': 'An edge brings a payload the receiving port cannot take.',
  'flow.expression_syntax': 'An expression is not valid CEL.',
  'flow.expression_type': 'An expression does not type-check against the payload and roles in scope.',
  'flow.unknown_flow': 'A Run flow node names a flow that is not in the project.',
  'flow.gateway_variable_unset':
    'An expression reads a gateway-wide variable (global.name) that no flow of the package sets.',
  'flow.unreachable': 'No trigger leads to the node, so it never runs.',
  'flow.unconverted_node':
    'A node imported from Node-RED was not converted; a flow with one cannot be deployed.',
  'flow.response_without_request':
    'An HTTP response node that no HTTP endpoint trigger leads to: it has no request to answer.',
  'flow.duplicate_endpoint': 'Two HTTP endpoints of the package take the same method and path.',
  'flow.open_endpoint': 'An HTTP endpoint is open to anyone who reaches the gateway (no token asked).',
  'flow.endpoint_without_token':
    'The flow has HTTP endpoints that ask for the site’s token, but a site names no HTTP token, so they answer 503 there.',
  'flow.duplicate_panel_control': 'Two Panel controls of the package have the same widget name.',
  'flow.panel_control_missing':
    'A Show on panel node with display control names no Panel control of the package.',
  'flow.panel_display_mismatch':
    'A Show on panel node does not fit its widget: display control on a button, another display on a control’s name, or one name shown two ways.',
  'flow.panel_without_token':
    'The flow has panel nodes, but a site names no HTTP token, so the gateway’s panel answers 503 there.',
  'flow.cycle_without_delay':
    'Nodes form a loop with nothing that waits, so a message would circle at full speed.',
} as const;

/** A problem code. */
export type FlowProblemCode = keyof typeof flowProblemCodes;

/** One problem found in a flow. */
export const FlowProblem = Type.Object({
  code: Type.Union(Object.keys(flowProblemCodes).map((c) => Type.Literal(c as FlowProblemCode))),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  flowId: Type.String(),
  nodeId: Type.Optional(Type.String()),
  edgeId: Type.Optional(Type.String()),
  port: Type.Optional(Type.String()),
  /** Config path inside the node, dot-separated (`rules.1.when`, `set.alert`). */
  path: Type.Optional(Type.String()),
  message: Type.String(),
  hint: Type.String(),
});
export type FlowProblem = Static<typeof FlowProblem>;
