/**
 * Live validation of the design while you draw, over the catalog in shared/core/flow: unknown
 * kinds, missing config, roles and capability members that do not exist, wires whose payload
 * shapes do not fit, and CEL expressions type-checked (shared/core/expr) against the payload
 * arriving at the node and the roles in scope.
 */
import { checkExpression, type ExpressionCheck } from '../../../shared/core/expr/cel';
import {
  configWithDefaults,
  getNodeKind,
  inputPortsOf,
  outputPortsOf,
  type NodeKind,
} from '../../../shared/core/flow/catalog';
import { shapeFits, shapeName, type DataShape, type RoleInScope } from '../../../shared/core/flow/scope';
import type { Design, Flow, FlowEdge, FlowNode, Problem } from '../canvas/types';

type Config = Record<string, unknown>;
const defaultsCache = new WeakMap<object, Config>();

/** A node's config with its kind's defaults, computed once per config object (configs are immutable). */
const withDefaults = (kind: NodeKind, config: Readonly<Config>): Config => {
  let full = defaultsCache.get(config);
  if (!full) {
    full = configWithDefaults(kind, config as Config);
    defaultsCache.set(config, full);
  }
  return full;
};

/**
 * Expression checks by roles in scope, then by expected type, payload shape and source: a
 * design re-validated on every edit checks only the expressions that changed.
 */
const expressionCache = new WeakMap<readonly RoleInScope[], Map<string, ExpressionCheck>>();
const checkCached = (
  source: string,
  payload: DataShape,
  roles: readonly RoleInScope[],
  expects?: string,
): ExpressionCheck => {
  let byKey = expressionCache.get(roles);
  if (!byKey) {
    byKey = new Map();
    expressionCache.set(roles, byKey);
  }
  const key = `${expects ?? ''}\u0000${JSON.stringify(payload)}\u0000${source}`;
  let result = byKey.get(key);
  if (!result) {
    result = checkExpression(source, { payload, roles }, expects);
    byKey.set(key, result);
  }
  return result;
};

interface FlowIndex {
  readonly nodes: ReadonlyMap<string, FlowNode>;
  readonly incoming: ReadonlyMap<string, FlowEdge[]>;
}

const indexOf = (flow: Flow): FlowIndex => {
  const incoming = new Map<string, FlowEdge[]>();
  for (const e of flow.edges) {
    const list = incoming.get(e.to.node);
    if (list) list.push(e);
    else incoming.set(e.to.node, [e]);
  }
  return { nodes: new Map(flow.nodes.map((n) => [n.id, n])), incoming };
};

const memberLabel = { event: 'event', property: 'property', action: 'action' } as const;

/** Values at `path` of a config ("value", "rules.*.when", "set.*" for records). */
const valuesAt = (
  config: Record<string, unknown>,
  path: string,
  each: boolean,
): { key: string; value: unknown }[] => {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return [];
  const value = config[head];
  if (rest.length === 0) {
    if (each && value && typeof value === 'object')
      return Object.entries(value).map(([k, v]) => ({ key: `${head}.${k}`, value: v }));
    return [{ key: head, value }];
  }
  if (rest[0] === '*' && Array.isArray(value)) {
    return value.flatMap((item, i) =>
      item && typeof item === 'object'
        ? valuesAt(item as Record<string, unknown>, rest.slice(1).join('.'), each).map((v) => ({
            key: `${head}.${i}.${v.key}`,
            value: v.value,
          }))
        : [],
    );
  }
  return [];
};

/** Validates every flow of the design against the catalog and the roles in scope. */
export const validateDesign = (design: Design, roles: readonly RoleInScope[]): Problem[] => {
  const problems: Problem[] = [];
  for (const flow of design.flows) problems.push(...validateFlow(flow, design, roles));
  return problems;
};

const validateFlow = (flow: Flow, design: Design, roles: readonly RoleInScope[]): Problem[] => {
  const problems: Problem[] = [];
  const index = indexOf(flow);
  const outputShapes = new Map<string, DataShape>();
  const visiting = new Set<string>();

  /** The shape leaving `node` on `port`, following role capabilities and what arrives upstream. */
  const outputShape = (node: FlowNode, port: string): DataShape => {
    const kind = getNodeKind(node.kind);
    if (!kind) return {};
    const key = `${node.id}\u0000${port}`;
    const known = outputShapes.get(key);
    if (known) return known;
    if (visiting.has(node.id)) return {};
    visiting.add(node.id);
    const config = withDefaults(kind, node.config);
    const ports = outputPortsOf(kind, config);
    const declared = ports.find((p) => p.name === port)?.shape ?? {};
    const input = inputShape(node);
    const narrowed =
      ports.length === 1
        ? kind.outputShape?.(config, {
            roles,
            input,
            expressionType: (path) => {
              const source = config[path];
              if (typeof source !== 'string') return undefined;
              const r = checkCached(source, input, roles);
              return r.ok ? r.type : undefined;
            },
          })
        : undefined;
    // Pass-through ports (if/switch branches, delays) carry what arrived.
    const shape = narrowed ?? (declared.type ? declared : kind.category === 'logic' ? input : declared);
    visiting.delete(node.id);
    outputShapes.set(key, shape);
    return shape;
  };

  const inputShape = (node: FlowNode): DataShape => {
    const shapes = (index.incoming.get(node.id) ?? []).flatMap((e) => {
      const source = index.nodes.get(e.from.node);
      return source ? [outputShape(source, e.from.port)] : [];
    });
    const types = new Set(shapes.map((s) => s.type));
    return shapes.length > 0 && types.size === 1 && !types.has(undefined) ? shapes[0]! : {};
  };

  for (const node of flow.nodes) {
    const add = (message: string, field?: string, severity: Problem['severity'] = 'error') =>
      problems.push({ flow: flow.id, node: node.id, severity, message, ...(field ? { field } : {}) });
    const kind = getNodeKind(node.kind);
    if (!kind) {
      add(`“${node.kind}” is not a node kind this Fieldgraph knows; delete the node or update Fieldgraph.`);
      continue;
    }
    const config = withDefaults(kind, node.config);
    checkRequired(kind, config, add);
    for (const ref of kind.roleRefs) {
      const roleName = config[ref.roleField];
      if (typeof roleName !== 'string' || roleName === '') continue;
      const role = roles.find((r) => r.name === roleName);
      if (!role) {
        const declared = design.roles.find((r) => r.id === roleName);
        add(
          declared
            ? `The role “${roleName}” needs ${declared.capability}, which is not in the capability library.`
            : `The role “${roleName}” is not in this design; pick one of the design’s roles.`,
          ref.roleField,
        );
        continue;
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
        add(
          `${role.capability.id} has no ${memberLabel[ref.member]} “${member}”; pick one of: ${Object.keys(members).join(', ') || 'none'}.`,
          ref.memberField,
        );
      } else if (
        node.kind === 'action.set-property' &&
        role.capability.properties[member]?.writable === false
      ) {
        add(`“${member}” of ${role.capability.id} is read-only; pick a writable property.`, ref.memberField);
      }
    }
    const payload = kind.category === 'trigger' ? (outputShape(node, 'out') ?? {}) : inputShape(node);
    for (const field of kind.expressions) {
      for (const { key, value } of valuesAt(config, field.path, field.each === true)) {
        if (typeof value !== 'string' || value.trim() === '') continue;
        const result = checkCached(value, payload, roles, field.expects);
        if (!result.ok) add(`${key}: ${result.message}`, key);
      }
    }
    if (inputPortsOf(kind, config).length > 0 && !index.incoming.has(node.id)) {
      add('Nothing is wired into this node, so it never runs.', undefined, 'warning');
    }
  }

  for (const e of flow.edges) {
    const from = index.nodes.get(e.from.node);
    const to = index.nodes.get(e.to.node);
    const fromKind = from && getNodeKind(from.kind);
    const toKind = to && getNodeKind(to.kind);
    if (!from || !to || !fromKind || !toKind) continue;
    const outPort = outputPortsOf(fromKind, withDefaults(fromKind, from.config)).find(
      (p) => p.name === e.from.port,
    );
    const inPort = inputPortsOf(toKind, withDefaults(toKind, to.config)).find((p) => p.name === e.to.port);
    if (!outPort || !inPort) {
      problems.push({
        flow: flow.id,
        node: to.id,
        severity: 'error',
        message: `A wire ends at a port that no longer exists (${e.from.port} → ${e.to.port}); delete it.`,
      });
      continue;
    }
    const shape = outputShape(from, e.from.port);
    if (!shapeFits(shape, inPort.shape)) {
      problems.push({
        flow: flow.id,
        node: to.id,
        severity: 'error',
        message: `“${inPort.label}” takes ${shapeName(inPort.shape)} but the wire brings ${shapeName(shape)}.`,
      });
    }
  }
  return problems;
};

/** Required config fields (those without a default) that are missing or empty. */
const checkRequired = (
  kind: NodeKind,
  config: Record<string, unknown>,
  add: (message: string, field?: string) => void,
): void => {
  const required = (kind.config.required ?? []) as string[];
  for (const key of required) {
    const v = config[key];
    if (v === undefined || v === null || v === '') {
      const description = (kind.config.properties[key] as { description?: string } | undefined)?.description;
      add(`${key} is required${description ? ` (${description})` : ''}.`, key);
    }
  }
};
