/**
 * Canvas flows to and from the project's flow documents (flows/<id>.json, the format of
 * shared/core/flow/schema): the canvas's labelled groups travel in the document as `groups`,
 * the roles a flow uses are listed, and fields the canvas does not edit are kept as loaded.
 */
import { flowSchemaVersion } from '../../../shared/core/flow/schema';
import type { PatchOp } from '../../../shared/core/project/patch';
import type { Flow, FlowEdge, FlowGroup, FlowNode } from '../canvas/types';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The roles a flow's nodes use, sorted, as the document lists them. */
const flowRoles = (nodes: readonly FlowNode[]): string[] =>
  [
    ...new Set(nodes.map((n) => n.config.role).filter((r): r is string => typeof r === 'string' && r !== '')),
  ].sort();

/** The document to store for a canvas flow. */
export const toFlowDocument = (flow: Flow): Record<string, unknown> => {
  const roles = flowRoles(flow.nodes);
  return {
    runMode: { mode: 'single', max: 10 },
    ...flow.saved,
    schemaVersion: flowSchemaVersion,
    id: flow.id,
    name: flow.name,
    roles,
    nodes: flow.nodes.map((n) => ({ ...n })),
    edges: flow.edges.map((e) => ({ ...e })),
    groups: flow.groups.map((g) => ({ ...g })),
  };
};

/** A canvas flow from a stored document; returns null for something that is not a flow at all. */
export const fromFlowDocument = (doc: unknown): Flow | null => {
  if (!isObject(doc) || typeof doc.id !== 'string' || !Array.isArray(doc.nodes) || !Array.isArray(doc.edges))
    return null;
  const { id, name, nodes, edges, groups, schemaVersion: _v, roles: _r, ...saved } = doc;
  return {
    id,
    name: typeof name === 'string' && name ? name : id,
    nodes: (nodes as unknown[]).filter(isObject) as unknown as FlowNode[],
    edges: (edges as unknown[]).filter(isObject) as unknown as FlowEdge[],
    groups: Array.isArray(groups)
      ? groups.filter(
          (g): g is FlowGroup => isObject(g) && typeof g.id === 'string' && typeof g.label === 'string',
        )
      : [],
    saved,
  };
};

/** More changed elements than this, and the whole document is cheaper to send than a patch. */
const PATCH_LIMIT = 2000;

type Keyed = { readonly id: string };

// Puts for elements that are new or not the same object as before (edits replace what they
// change, so identity says what changed), removes for the ones gone.
const listPatch = (
  key: 'nodes' | 'edges' | 'groups',
  before: readonly Keyed[],
  after: readonly Keyed[],
): PatchOp[] => {
  if (before === after) return [];
  const ops: PatchOp[] = [];
  // Same ids in the same order (moves, config edits): one pass, no index of 5,000 nodes.
  if (before.length === after.length && after.every((x, i) => x === before[i] || x.id === before[i]!.id)) {
    after.forEach((item, i) => {
      if (item !== before[i]) ops.push({ op: 'put', path: [key, { id: item.id }], value: { ...item } });
    });
    return ops;
  }
  const old = new Map(before.map((x) => [x.id, x]));
  for (const item of after) {
    if (old.get(item.id) !== item) ops.push({ op: 'put', path: [key, { id: item.id }], value: { ...item } });
    old.delete(item.id);
  }
  for (const id of old.keys()) ops.push({ op: 'remove', path: [key, { id }] });
  return ops;
};

const roleOf = (node: unknown) => (node as FlowNode | undefined)?.config?.role;

/**
 * Whether the node ops can change the flow's role list: a few put nodes each keeping its role
 * cannot (a drop), anything else is checked by listing the roles again.
 */
const rolesMayDiffer = (before: readonly FlowNode[], ops: readonly PatchOp[]): boolean => {
  const nodeOps = ops.filter((o) => o.path[0] === 'nodes');
  if (nodeOps.length > 8) return true;
  return nodeOps.some((o) => {
    if (o.op !== 'put') return true;
    const id = (o.path[1] as { id: string }).id;
    const old = before.find((n) => n.id === id);
    return !old || roleOf(old) !== roleOf(o.value);
  });
};

/**
 * The changes that turn the stored document of `before` into that of `after`, or null when the
 * whole document should be sent instead (fields the canvas does not edit changed, or so much
 * changed that a patch would be bigger). Costs a pass over the lists, not a serialisation.
 */
export const flowPatch = (before: Flow, after: Flow): PatchOp[] | null => {
  if (before.id !== after.id || before.saved !== after.saved) return null;
  const ops: PatchOp[] = [
    ...listPatch('nodes', before.nodes, after.nodes),
    ...listPatch('edges', before.edges, after.edges),
    ...listPatch('groups', before.groups, after.groups),
  ];
  if (ops.length > PATCH_LIMIT) return null;
  if (before.name !== after.name) ops.push({ op: 'put', path: ['name'], value: after.name });
  if (before.nodes !== after.nodes && rolesMayDiffer(before.nodes, ops)) {
    const roles = flowRoles(after.nodes);
    if (roles.join('\n') !== flowRoles(before.nodes).join('\n'))
      ops.push({ op: 'put', path: ['roles'], value: roles });
  }
  return ops;
};
