/**
 * The flow validator: everything wrong with a flow at design time, fast enough to run on every
 * edit. It reads the node catalog (ports, config schemas, expression fields, role references)
 * and type-checks CEL against the payload arriving at each node and the roles in scope.
 */
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { celTypeOf } from '../expr/cel';
import {
  configWithDefaults,
  getNodeKind,
  inputPortsOf,
  outputPortsOf,
  placeholderMessage,
  type NodeKind,
} from './catalog';
import type { FlowProblem, FlowProblemCode } from './problems';
import { Flow, type FlowEdge } from './schema';
import { useGap, type Provided, type RoleUse } from '../model/provides';
import { shapeFits, shapeName, type RoleInScope } from './scope';
import { gatewayVariablesRead } from './gateway-variables';
import { loopsOf, reachableFrom } from './validate-graph';
import { checkHttpEndpoints, type DeclaredEndpoint } from './validate-http';
import { checkPanel, type DeclaredWidget } from './validate-panel';
import { createShapes, valuesAt, type Prepared } from './validate-shapes';

export { FlowProblem, flowProblemCodes, type FlowProblemCode } from './problems';

type Add = (
  code: FlowProblemCode,
  message: string,
  hint: string,
  where?: { nodeId?: string; edgeId?: string; port?: string; path?: string },
  severity?: 'error' | 'warning',
) => void;

const warnings = new Set<FlowProblemCode>([
  'flow.unreachable',
  'flow.role_not_listed',
  'flow.gateway_variable_unset',
  'flow.panel_without_token',
  'flow.endpoint_without_token',
]);

/** What else the validator may know about the project. */
export interface ValidateOptions {
  /** Ids of the project's flows; when given, Run flow nodes must name one of them. */
  readonly flowIds?: readonly string[];
  /**
   * What the device bound to each role on the selected site provides (role id → provided); when
   * given, a node using an affordance the bound device does not provide is a problem.
   */
  readonly provided?: ReadonlyMap<string, Provided>;
  /** The HTTP endpoints of every flow of the package (declaredEndpoints), to find two serving the same requests. */
  readonly endpoints?: readonly DeclaredEndpoint[];
  /**
   * The gateway-wide variable names the package's flows set (gatewayVariablesSet); when given,
   * an expression reading another `global.name` gets a warning naming it.
   */
  readonly gatewayVariables?: ReadonlySet<string>;
  /** The panel nodes of every flow of the package (declaredWidgets), to find clashing widget names. */
  readonly widgets?: readonly DeclaredWidget[];
  /**
   * The sites (by id) that name no HTTP token; when given and not empty, a flow with panel nodes
   * or with HTTP endpoints that ask for the token gets a warning that they cannot be used there.
   */
  readonly sitesWithoutToken?: readonly string[];
}

/**
 * Validates one flow against the catalog and the roles in scope. Never throws: a document
 * that is not a flow at all gives one `flow.invalid_document` problem per schema error.
 */
export const validateFlow = (
  document: unknown,
  roles: readonly RoleInScope[],
  options: ValidateOptions = {},
): FlowProblem[] => {
  const problems: FlowProblem[] = [];
  const flowId = String((document as { id?: unknown } | null)?.id ?? '');
  const add: Add = (code, message, hint, where = {}, severity) =>
    problems.push({
      code,
      severity: severity ?? (warnings.has(code) ? 'warning' : 'error'),
      flowId,
      ...where,
      message,
      hint,
    });

  if (!Value.Check(Flow, document)) {
    for (const error of [...Value.Errors(Flow, document)].slice(0, 20)) {
      add(
        'flow.invalid_document',
        `${error.path || '/'}: ${error.message}.`,
        'Fix the file by hand or re-save it from Fieldgraph.',
        { path: error.path },
      );
    }
    return problems;
  }
  const flow = document;
  const prepared = new Map<string, Prepared>();
  // Messages name a node as people see it on the canvas (its kind and role), never by its id;
  // the problem still carries the id so the UI can show the node.
  const label = (id: string): string => {
    const p = prepared.get(id);
    if (!p) return `a node that is not in the flow (${id})`;
    const roleId = typeof p.config.role === 'string' ? p.config.role : undefined;
    const role = roleId ? roles.find((r) => r.name === roleId) : undefined;
    const roleText = role ? (role.title ?? role.name) : roleId;
    return `“${p.kind.title}${roleText ? ` · ${roleText}` : ''}”`;
  };
  const seenEdges = new Set<string>();
  for (const node of flow.nodes) {
    if (prepared.has(node.id)) {
      add('flow.duplicate_id', `Two nodes have the id "${node.id}".`, 'Give each node its own id.', {
        nodeId: node.id,
      });
      continue;
    }
    const kind = getNodeKind(node.kind);
    if (!kind) {
      add(
        'flow.unknown_kind',
        `"${node.kind}" is not a node kind this Fieldgraph knows.`,
        'Delete the node or update Fieldgraph.',
        { nodeId: node.id },
      );
      continue;
    }
    prepared.set(node.id, { node, kind, config: cachedConfig(kind, node.config).config });
  }

  const incoming = new Map<string, FlowEdge[]>();
  const validEdges: FlowEdge[] = [];
  for (const edge of flow.edges) {
    if (seenEdges.has(edge.id))
      add('flow.duplicate_id', `Two edges have the id "${edge.id}".`, 'Give each edge its own id.', {
        edgeId: edge.id,
      });
    seenEdges.add(edge.id);
    const from = prepared.get(edge.from.node);
    const to = prepared.get(edge.to.node);
    if (!from || !to) {
      const missing = from ? edge.to.node : edge.from.node;
      if (!flow.nodes.some((n) => n.id === missing)) {
        add(
          'flow.unknown_node',
          `An edge connects node "${missing}", which does not exist.`,
          'Delete the edge.',
          { edgeId: edge.id },
        );
      }
      continue;
    }
    const outPort = outputPortsOf(from.kind, from.config).some((p) => p.name === edge.from.port);
    const inPort = inputPortsOf(to.kind, to.config).some((p) => p.name === edge.to.port);
    if (!outPort || !inPort) {
      const [at, port] = outPort ? [to, edge.to.port] : [from, edge.from.port];
      add(
        'flow.unknown_port',
        `${label(at.node.id)} has no ${outPort ? 'input' : 'output'} port "${port}".`,
        'Delete the edge and wire it to an existing port.',
        { nodeId: at.node.id, edgeId: edge.id, port },
      );
      continue;
    }
    validEdges.push(edge);
    const list = incoming.get(edge.to.node);
    if (list) list.push(edge);
    else incoming.set(edge.to.node, [edge]);
  }

  const shapes = createShapes(prepared, incoming, roles);

  for (const { node, kind, config } of prepared.values()) {
    for (const p of cachedConfig(kind, node.config).problems)
      add(p.code, p.message, p.hint, { nodeId: node.id, path: p.path });
    checkRoles(flow, kind, config, node.id, roles, add, options.provided);
    if (kind.placeholder) {
      add(
        'flow.unconverted_node',
        placeholderMessage(config),
        'Rebuild what it did with Fieldgraph nodes, wire them in its place and delete it; until then the flow cannot be deployed.',
        { nodeId: node.id },
      );
    }
    if (
      kind.kind === 'action.run-flow' &&
      options.flowIds &&
      typeof config.flow === 'string' &&
      config.flow
    ) {
      if (!options.flowIds.includes(config.flow)) {
        add(
          'flow.unknown_flow',
          `There is no flow "${config.flow}" in the project.`,
          `Pick one of: ${options.flowIds.join(', ') || 'none'}.`,
          { nodeId: node.id, path: 'flow' },
        );
      }
    }
    const payload = kind.category === 'trigger' ? shapes.output(node.id, 'out') : shapes.input(node.id);
    for (const field of kind.expressions) {
      for (const { path, value } of valuesAt(config, field.path, field.each === true)) {
        if (typeof value !== 'string' || value.trim() === '') continue;
        if (options.gatewayVariables)
          for (const name of gatewayVariablesRead(value).filter((n) => !options.gatewayVariables!.has(n)))
            add(
              'flow.gateway_variable_unset',
              `${path}: reads the gateway-wide variable global.${name}, which no flow of the package sets.`,
              `Add a Set variable node with scope gateway and name ${name} to a flow of the package; until one runs, global.${name} is missing.`,
              { nodeId: node.id, path },
            );
        const result = shapes.check(value, payload, field.expects ?? expectedFit(field, config, roles));
        if (result === 'syntax') continue;
        if (!result.ok)
          add(
            'flow.expression_type',
            `${path}: ${result.message}`,
            'Fix the expression; `payload`, `topic`, `msg`, `vars`, `global`, `roles` and `now` are in scope.',
            { nodeId: node.id, path },
          );
      }
    }
    for (const [path, message] of shapes.syntaxErrors(node.id)) {
      add(
        'flow.expression_syntax',
        `${path}: ${message}`,
        'Fix the expression; CEL looks like `payload.temp > 25.0`.',
        { nodeId: node.id, path },
      );
    }
  }

  for (const edge of validEdges) {
    const to = prepared.get(edge.to.node)!;
    const accepts = inputPortsOf(to.kind, to.config).find((p) => p.name === edge.to.port)!.shape;
    const brings = shapes.output(edge.from.node, edge.from.port);
    if (!shapeFits(brings, accepts)) {
      add(
        'flow.type_mismatch',
        `The "${edge.to.port}" input of ${label(to.node.id)} takes ${shapeName(accepts)}, but the wire into it brings ${shapeName(brings)}.`,
        `Put a Transform before it that turns the payload into ${shapeName(accepts)}.`,
        { nodeId: to.node.id, edgeId: edge.id, port: edge.to.port },
      );
    }
  }

  const triggers = [...prepared.values()].filter((p) => p.kind.category === 'trigger').map((p) => p.node.id);
  // A placeholder without an input may stand for the trigger that did not convert: what it
  // feeds is not unreachable, and the flow's one problem is the placeholder itself.
  const starts = [
    ...triggers,
    ...[...prepared.values()]
      .filter((p) => p.kind.placeholder && inputPortsOf(p.kind, p.config).length === 0)
      .map((p) => p.node.id),
  ];
  if (starts.length === 0 && prepared.size > 0) {
    add(
      'flow.no_trigger',
      'The flow has no trigger, so it never runs.',
      'Add a trigger (device event, property change, schedule, MQTT message or manual) and wire it in.',
    );
  }
  const reached = reachableFrom({ ...flow, edges: validEdges }, starts);
  if (starts.length > 0) {
    for (const id of prepared.keys()) {
      if (!reached.has(id))
        add(
          'flow.unreachable',
          `No trigger leads to ${label(id)}, so it never runs.`,
          'Wire it to a trigger or to a node that one reaches, or delete it.',
          { nodeId: id },
        );
    }
  }
  checkHttpEndpoints(
    flow,
    validEdges,
    starts.slice(triggers.length),
    options.endpoints,
    add,
    options.sitesWithoutToken,
  );
  checkPanel(flow, options.widgets, options.sitesWithoutToken, add);
  for (const loop of loopsOf({ ...flow, edges: validEdges })) {
    // What a placeholder did is unknown (a Node-RED function may well wait): no loop claim through it.
    if (loop.some((id) => prepared.get(id)?.kind.breaksCycles || prepared.get(id)?.kind.placeholder))
      continue;
    add(
      'flow.cycle_without_delay',
      `These nodes form a loop with nothing that waits: ${loop.map(label).join(' → ')}.`,
      'Put a Delay, Debounce, Throttle or Wait in the loop, or break it.',
      { nodeId: loop[0]! },
    );
  }
  return problems;
};

interface ConfigFindings {
  readonly kind: NodeKind;
  readonly config: Record<string, unknown>;
  readonly problems: readonly { code: FlowProblemCode; message: string; hint: string; path: string }[];
}

// The canvas replaces a node's config object when it changes and keeps it otherwise, so an
// edit re-checks only the configs it touched.
const configCache = new WeakMap<object, ConfigFindings>();

const cachedConfig = (kind: NodeKind, raw: Record<string, unknown>): ConfigFindings => {
  const known = configCache.get(raw);
  if (known?.kind === kind) return known;
  const config = configWithDefaults(kind, raw);
  const findings: ConfigFindings = { kind, config, problems: checkConfig(kind, config) };
  configCache.set(raw, findings);
  return findings;
};

const checkConfig = (kind: NodeKind, config: Record<string, unknown>): ConfigFindings['problems'] => {
  const problems: { code: FlowProblemCode; message: string; hint: string; path: string }[] = [];
  for (const error of Value.Errors(kind.config, config)) {
    const path = error.path.replace(/^\//, '').replaceAll('/', '.');
    const empty = error.value === undefined || error.value === '' || error.value === null;
    const required =
      error.type === ValueErrorType.ObjectRequiredProperty ||
      (empty && error.type === ValueErrorType.StringMinLength);
    const description = (
      kind.config.properties[path.split('.')[0] ?? ''] as { description?: string } | undefined
    )?.description;
    if (required) {
      problems.push({
        code: 'flow.missing_config',
        message: `${kind.title}: "${path}" is required.`,
        hint: description ? `Fill in ${path}: ${description}.` : `Fill in ${path}.`,
        path,
      });
    } else {
      problems.push({
        code: 'flow.invalid_config',
        message: `${kind.title}: "${path}" ${error.message.toLowerCase()}.`,
        hint: description ? `Set ${path} to ${description.toLowerCase()}.` : `Correct ${path}.`,
        path,
      });
    }
  }
  for (const problem of kind.checkConfig?.(config) ?? []) {
    problems.push({
      code: problem.missing ? 'flow.missing_config' : 'flow.invalid_config',
      message: `${kind.title}: "${problem.path}": ${problem.message}`,
      hint: problem.missing ? `Fill in ${problem.path}.` : `Correct ${problem.path}.`,
      path: problem.path,
    });
  }
  return problems;
};

/** The CEL type an expression must give to fit a role member's value (primitives only). */
const expectedFit = (
  field: NodeKind['expressions'][number],
  config: Record<string, unknown>,
  roles: readonly RoleInScope[],
): string | undefined => {
  if (!field.fits) return undefined;
  const capability = roles.find((r) => r.name === config[field.fits!.roleField])?.capability;
  const member = String(config[field.fits.memberField]);
  const shape =
    field.fits.member === 'property' ? capability?.properties[member] : capability?.actions[member]?.input;
  const type = celTypeOf(shape);
  return typeof type === 'string' && ['bool', 'double', 'string'].includes(type) ? type : undefined;
};

const memberWords = { property: 'property', action: 'action', event: 'event' } as const;

/** How a node kind uses the role member it names (see roleUsesOf). */
export const useOf = (kind: string, member: 'property' | 'action' | 'event'): RoleUse['use'] | undefined =>
  member === 'event'
    ? 'event'
    : member === 'action'
      ? 'action'
      : kind === 'action.set-property'
        ? 'write'
        : 'observe';

/**
 * Every role member the flows use, and how: the input of site readiness (siteReadiness) so a
 * role whose bound device lacks one is not ready. Unknown node kinds are skipped.
 */
export const roleUsesOf = (flows: readonly Flow[]): RoleUse[] =>
  flows.flatMap((flow) =>
    flow.nodes.flatMap((node) => {
      const kind = getNodeKind(node.kind);
      if (!kind) return [];
      const config = configWithDefaults(kind, node.config);
      return kind.roleRefs.flatMap((ref) => {
        const role = config[ref.roleField];
        const name = config[ref.memberField];
        const use = useOf(kind.kind, ref.member);
        return typeof role === 'string' && role && typeof name === 'string' && name && use
          ? [{ role, use, name, flow: flow.id, node: node.id }]
          : [];
      });
    }),
  );

const checkRoles = (
  flow: Flow,
  kind: NodeKind,
  config: Record<string, unknown>,
  nodeId: string,
  roles: readonly RoleInScope[],
  add: Add,
  provided?: ReadonlyMap<string, Provided>,
): void => {
  for (const ref of kind.roleRefs) {
    const roleName = config[ref.roleField];
    if (typeof roleName !== 'string' || roleName === '') continue;
    const role = roles.find((r) => r.name === roleName);
    if (!role) {
      const known = roles.map((r) => r.name).join(', ') || 'none yet';
      add(
        'flow.unknown_role',
        `There is no role "${roleName}" in the design.`,
        `Pick one of the design’s roles (${known}) or add the role.`,
        { nodeId, path: ref.roleField },
      );
      continue;
    }
    if (!flow.roles.includes(roleName)) {
      add(
        'flow.role_not_listed',
        `The flow uses role "${roleName}" but does not list it in its roles.`,
        `Add "${roleName}" to the flow’s roles so sites know to bind it.`,
        { nodeId, path: ref.roleField },
      );
    }
    const member = config[ref.memberField];
    if (typeof member !== 'string' || member === '') continue;
    const members =
      ref.member === 'event'
        ? role.capability.events
        : ref.member === 'action'
          ? role.capability.actions
          : role.capability.properties;
    if (!Object.hasOwn(members, member)) {
      const choices = Object.keys(members).join(', ') || 'none';
      add(
        'flow.unknown_member',
        `${role.capability.id} (role "${roleName}") has no ${memberWords[ref.member]} "${member}".`,
        `Pick one of: ${choices}.`,
        { nodeId, path: ref.memberField },
      );
    } else if (provided?.has(roleName) && useOf(kind.kind, ref.member)) {
      const gap = useGap(
        { role: roleName, use: useOf(kind.kind, ref.member)!, name: member },
        provided.get(roleName)!,
      );
      if (gap)
        add(
          'flow.not_provided',
          `${gap}, so this node would never ${ref.member === 'action' || kind.kind === 'action.set-property' ? 'act' : 'run'}.`,
          'Use what the bound device provides, or bind the role to a device that provides this.',
          { nodeId, path: ref.memberField },
        );
    }
    if (
      Object.hasOwn(members, member) &&
      kind.kind === 'action.set-property' &&
      role.capability.properties[member]?.writable === false
    ) {
      add(
        'flow.read_only_property',
        `"${member}" of ${role.capability.id} is read-only.`,
        'Pick a writable property, or use a device action.',
        { nodeId, path: ref.memberField },
      );
    }
  }
};
