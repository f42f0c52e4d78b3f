/**
 * Editing commands: each takes the current design and returns the changes it makes (never
 * mutating anything). The editor applies them and records them for undo; nothing else edits
 * a design.
 */
import type { Change } from './changes';
import type {
  Design,
  Flow,
  FlowEdge,
  FlowGroup,
  FlowNode,
  NodeKindSpec,
  Point,
  Role,
  SiteDevice,
} from './types';

/** Makes ids that are unique within a design (injected so tests are deterministic). */
export type IdMaker = (prefix: string) => string;

/** The default id maker: a short random suffix, readable in diffs. */
export const randomId: IdMaker = (prefix) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

const flowOf = (design: Design, flowId: string): Flow => {
  const flow = design.flows.find((f) => f.id === flowId);
  if (!flow) throw new Error(`There is no flow ${flowId} in this design.`);
  return flow;
};

/** A new node of `spec` at `position`, with the kind's defaults overridden by `config`. */
export const addNode = (
  flowId: string,
  spec: NodeKindSpec,
  position: Point,
  newId: IdMaker,
  config: Readonly<Record<string, unknown>> = {},
): { changes: Change[]; id: string } => {
  const id = newId('n');
  const node: FlowNode = {
    id,
    kind: spec.kind,
    config: { ...spec.defaults, ...config },
    position: { x: position.x, y: position.y },
  };
  return { changes: [{ type: 'node', flow: flowId, before: null, after: node }], id };
};

/** Moves nodes to new positions (only those that actually moved). */
export const moveNodes = (
  design: Design,
  flowId: string,
  positions: ReadonlyMap<string, Point>,
): Change[] => {
  const changes: Change[] = [];
  for (const node of flowOf(design, flowId).nodes) {
    const p = positions.get(node.id);
    if (!p || (p.x === node.position.x && p.y === node.position.y)) continue;
    changes.push({
      type: 'node',
      flow: flowId,
      before: node,
      after: { ...node, position: { x: p.x, y: p.y } },
    });
  }
  return changes;
};

/** Replaces a node's config (the inspector's edits). */
export const setConfig = (
  design: Design,
  flowId: string,
  nodeId: string,
  config: Readonly<Record<string, unknown>>,
): Change[] => {
  const node = flowOf(design, flowId).nodes.find((n) => n.id === nodeId);
  if (!node) return [];
  return [{ type: 'node', flow: flowId, before: node, after: { ...node, config } }];
};

/** A wire from an output port to an input port. */
export const connect = (
  flowId: string,
  from: FlowEdge['from'],
  to: FlowEdge['to'],
  newId: IdMaker,
): Change[] => [{ type: 'edge', flow: flowId, before: null, after: { id: newId('e'), from, to } }];

/** Removes nodes and edges; wires touching a removed node go too, and emptied groups vanish. */
export const remove = (
  design: Design,
  flowId: string,
  nodeIds: ReadonlySet<string>,
  edgeIds: ReadonlySet<string>,
): Change[] => {
  const flow = flowOf(design, flowId);
  const changes: Change[] = [];
  // Each removal notes its place in the list as it is when that removal applies (those before
  // it in the list are gone already), so undo puts wires back in the order the gateway follows.
  let gone = 0;
  flow.edges.forEach((edge, i) => {
    if (edgeIds.has(edge.id) || nodeIds.has(edge.from.node) || nodeIds.has(edge.to.node)) {
      changes.push({ type: 'edge', flow: flowId, before: edge, after: null, index: i - gone++ });
    }
  });
  gone = 0;
  flow.nodes.forEach((node, i) => {
    if (nodeIds.has(node.id))
      changes.push({ type: 'node', flow: flowId, before: node, after: null, index: i - gone++ });
  });
  gone = 0;
  flow.groups.forEach((group, i) => {
    const left = flow.nodes.some((n) => n.group === group.id && !nodeIds.has(n.id));
    if (!left && flow.nodes.some((n) => n.group === group.id)) {
      changes.push({ type: 'group', flow: flowId, before: group, after: null, index: i - gone++ });
    }
  });
  return changes;
};

/** Nodes and the wires between them, as copied to the clipboard. */
export interface Fragment {
  readonly nodes: readonly FlowNode[];
  readonly edges: readonly FlowEdge[];
  readonly groups: readonly FlowGroup[];
}

/** The selected nodes with the wires among them and their groups. */
export const fragmentOf = (flow: Flow, nodeIds: ReadonlySet<string>): Fragment => {
  const nodes = flow.nodes.filter((n) => nodeIds.has(n.id));
  const edges = flow.edges.filter((e) => nodeIds.has(e.from.node) && nodeIds.has(e.to.node));
  const groupIds = new Set(nodes.map((n) => n.group).filter((g): g is string => !!g));
  return { nodes, edges, groups: flow.groups.filter((g) => groupIds.has(g.id)) };
};

/**
 * Inserts a fragment with fresh ids, its top-left corner at `at`; returns the new node ids so
 * the editor can select them. Works across flows and projects: ids never collide.
 */
export const insertFragment = (
  flowId: string,
  fragment: Fragment,
  at: Point,
  newId: IdMaker,
): { changes: Change[]; nodeIds: string[] } => {
  const minX = Math.min(...fragment.nodes.map((n) => n.position.x));
  const minY = Math.min(...fragment.nodes.map((n) => n.position.y));
  const nodeIds = new Map(fragment.nodes.map((n) => [n.id, newId('n')]));
  const groupIds = new Map(fragment.groups.map((g) => [g.id, newId('g')]));
  const changes: Change[] = [];
  for (const g of fragment.groups) {
    changes.push({ type: 'group', flow: flowId, before: null, after: { ...g, id: groupIds.get(g.id)! } });
  }
  for (const n of fragment.nodes) {
    const group = n.group ? groupIds.get(n.group) : undefined;
    const node: FlowNode = {
      id: nodeIds.get(n.id)!,
      kind: n.kind,
      config: n.config,
      position: { x: n.position.x - minX + at.x, y: n.position.y - minY + at.y },
      ...(group ? { group } : {}),
    };
    changes.push({ type: 'node', flow: flowId, before: null, after: node });
  }
  for (const e of fragment.edges) {
    const from = nodeIds.get(e.from.node);
    const to = nodeIds.get(e.to.node);
    if (!from || !to) continue;
    changes.push({
      type: 'edge',
      flow: flowId,
      before: null,
      after: { id: newId('e'), from: { ...e.from, node: from }, to: { ...e.to, node: to } },
    });
  }
  return { changes, nodeIds: [...nodeIds.values()] };
};

/** Puts nodes into a new labelled group (leaving any group they were in). */
export const groupNodes = (
  design: Design,
  flowId: string,
  nodeIds: ReadonlySet<string>,
  label: string,
  newId: IdMaker,
): Change[] => {
  const flow = flowOf(design, flowId);
  const group: FlowGroup = { id: newId('g'), label };
  const changes: Change[] = [{ type: 'group', flow: flowId, before: null, after: group }];
  for (const node of flow.nodes) {
    if (nodeIds.has(node.id))
      changes.push({ type: 'node', flow: flowId, before: node, after: { ...node, group: group.id } });
  }
  // An emptied group notes its place in the list, so undo puts it back where it was.
  let gone = 0;
  flow.groups.forEach((old, i) => {
    const left = flow.nodes.some((n) => n.group === old.id && !nodeIds.has(n.id));
    if (!left && flow.nodes.some((n) => n.group === old.id)) {
      changes.push({ type: 'group', flow: flowId, before: old, after: null, index: i - gone++ });
    }
  });
  return changes;
};

/** Removes a group; its nodes stay where they are. */
export const ungroup = (design: Design, flowId: string, groupId: string): Change[] => {
  const flow = flowOf(design, flowId);
  const group = flow.groups.find((g) => g.id === groupId);
  if (!group) return [];
  const changes: Change[] = [];
  for (const node of flow.nodes) {
    if (node.group !== groupId) continue;
    const { group: _drop, ...rest } = node;
    changes.push({ type: 'node', flow: flowId, before: node, after: rest });
  }
  changes.push({
    type: 'group',
    flow: flowId,
    before: group,
    after: null,
    index: flow.groups.indexOf(group),
  });
  return changes;
};

/** Renames a group. */
export const relabelGroup = (design: Design, flowId: string, groupId: string, label: string): Change[] => {
  const group = flowOf(design, flowId).groups.find((g) => g.id === groupId);
  if (!group || group.label === label) return [];
  return [{ type: 'group', flow: flowId, before: group, after: { ...group, label } }];
};

/** A new, empty flow. */
export const addFlow = (name: string, newId: IdMaker): { changes: Change[]; id: string } => {
  const id = newId('flow');
  return {
    changes: [{ type: 'flow', before: null, after: { id, name, nodes: [], edges: [], groups: [] } }],
    id,
  };
};

/** Renames a flow. */
export const renameFlow = (design: Design, flowId: string, name: string): Change[] => {
  const flow = flowOf(design, flowId);
  if (flow.name === name) return [];
  return [{ type: 'flowHeader', before: { id: flow.id, name: flow.name }, after: { id: flow.id, name } }];
};

/** Removes a whole flow (undo brings it back with everything on it). */
export const removeFlow = (design: Design, flowId: string): Change[] => [
  {
    type: 'flow',
    before: flowOf(design, flowId),
    after: null,
    index: design.flows.findIndex((f) => f.id === flowId),
  },
];

/** Adds a role to the design. */
export const addRole = (role: Role): Change[] => [{ type: 'role', before: null, after: role }];

/** Removes a role; undo puts it back at its place in the Roles list. */
export const removeRole = (design: Design, roleId: string): Change[] => {
  const index = design.roles.findIndex((r) => r.id === roleId);
  return index < 0 ? [] : [{ type: 'role', before: design.roles[index]!, after: null, index }];
};

/** Adds a device to the selected site unless the site already has one with its id. */
export const addDevice = (design: Design, device: SiteDevice): Change[] =>
  design.devices?.some((d) => d.id === device.id) ? [] : [{ type: 'device', before: null, after: device }];

/** Replaces a site device with `device` (same id): its settings or login; nothing when unchanged. */
export const replaceDevice = (design: Design, device: SiteDevice): Change[] => {
  const before = design.devices?.find((d) => d.id === device.id);
  if (!before || JSON.stringify(before) === JSON.stringify(device)) return [];
  return [{ type: 'device', before, after: device }];
};

/**
 * Binds a role to a site device, through `implementation` when the binding must name one
 * (adding the device to the site when it is new there), or unbinds it with null; the site keeps
 * the device after an unbind, as a known device of the site.
 */
export const bindRole = (
  design: Design,
  roleId: string,
  device: SiteDevice | null,
  implementation?: string,
): Change[] => {
  const role = design.roles.find((r) => r.id === roleId);
  if (!role || (role.device === (device?.id ?? undefined) && role.implementation === implementation))
    return [];
  const { device: _old, implementation: _impl, ...rest } = role;
  const after: Role = device
    ? { ...rest, device: device.id, ...(implementation ? { implementation } : {}) }
    : rest;
  return [...(device ? addDevice(design, device) : []), { type: 'role', before: role, after }];
};

/** An immutable set of ids (selections are replaced, never changed in place). */
export const idSet = (ids: Iterable<string> = []): ReadonlySet<string> => new Set(ids);
