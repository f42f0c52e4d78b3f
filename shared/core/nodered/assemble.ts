/**
 * Placing converted nodes on the canvas and gathering them into flows: each container (tab,
 * subflow) becomes a flow, and containers a wire crosses between become one.
 */
import { configWithDefaults, getNodeKind, inputPortsOf } from '../flow/catalog';
import { flowSchemaVersion, type Flow, type FlowEdge, type FlowNode } from '../flow/schema';
import { safeId } from './read';
import {
  text,
  type Conversion,
  type ImportNote,
  type PieceEnd,
  type RedNode,
  type RoleNeed,
  type Subgraph,
} from './types';

/** A labelled group of imported nodes (from a Node-RED group). */
export interface ImportedGroup {
  readonly id: string;
  readonly label: string;
  readonly nodes: readonly string[];
}

/** One flow of an import, with the groups drawn on it. */
export interface ImportedFlow {
  readonly flow: Flow;
  readonly groups: readonly ImportedGroup[];
}

/** One Node-RED node as placed on the canvas: its Fieldgraph nodes and where its wires attach. */
export interface Placed {
  readonly red: RedNode;
  readonly nodes: FlowNode[];
  /** The id of the node that takes the Node-RED node's input wires. */
  readonly entry: string;
  readonly outputs: readonly (readonly { node: string; port: string }[])[];
  /** Edges between the node's own pieces. */
  readonly internal: readonly { readonly from: FlowEdge['from']; readonly to: FlowEdge['to'] }[];
  readonly placeholder: boolean;
  readonly roles?: readonly RoleNeed[];
}

/** True when the node a wire ends at has an input port. */
export const takesInput = (p: Placed | undefined): boolean => {
  const entry = p?.nodes.find((n) => n.id === p.entry);
  const kind = entry ? getNodeKind(entry.kind) : undefined;
  return (
    kind !== undefined &&
    inputPortsOf(kind, configWithDefaults(kind, entry!.config)).some((port) => port.name === 'in')
  );
};

/** Why a subflow instance was not inlined. */
export const subflowReason = (n: RedNode, byId: ReadonlyMap<string, RedNode>): Conversion => {
  const def = byId.get(n.type.slice('subflow:'.length));
  return {
    reason:
      def?.type === 'subflow'
        ? 'It is an instance of a subflow nested in itself or too deeply to copy.'
        : 'It is an instance of a subflow this export does not hold.',
  };
};

/** The pieces of a conversion as Fieldgraph nodes with fresh ids at the Node-RED node's place. */
export const instantiate = (
  n: RedNode,
  graph: Subgraph,
  freshId: (wanted: string) => string,
  position: { x: number; y: number },
  label: { label?: string },
): Placed => {
  const ids = new Map<string, string>();
  const base = safeId(n.id);
  graph.pieces.forEach((p, i) => ids.set(p.key, freshId(i === 0 ? base : `${base}-${p.key}`)));
  const nodes: FlowNode[] = graph.pieces.map((p, i) => ({
    id: ids.get(p.key)!,
    kind: p.kind,
    config: p.config,
    position: { x: position.x + (p.dx ?? 0), y: position.y + (p.dy ?? 0) },
    ...(i === 0 ? label : {}),
  }));
  const end = ([key, port]: PieceEnd) => ({ node: ids.get(key)!, port });
  const internal = graph.links.map((l) => ({ from: end(l.from), to: end(l.to) }));
  return {
    red: n,
    nodes,
    entry: ids.get(graph.pieces[0]!.key)!,
    outputs: graph.outputs.map((ends) => ends.map(end)),
    internal,
    placeholder: false,
    ...(graph.roles ? { roles: graph.roles } : {}),
  };
};

/** Groups containers (tabs, subflows) into flows: containers a wire crosses between become one flow. */
export const assemble = (
  all: readonly RedNode[],
  byId: ReadonlyMap<string, RedNode>,
  placed: ReadonlyMap<string, Placed>,
  edges: readonly FlowEdge[],
  notes: ImportNote[],
): { flows: ImportedFlow[] } => {
  const containerOf = new Map<string, string>();
  for (const p of placed.values()) for (const fn of p.nodes) containerOf.set(fn.id, text(p.red.z));
  const parent = new Map<string, string>();
  const find = (c: string): string => {
    let r = c;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const containers = [...new Set([...placed.values()].map((p) => text(p.red.z)))];
  for (const c of containers) parent.set(c, c);
  for (const e of edges) {
    const a = find(containerOf.get(e.from.node) ?? '');
    const b = find(containerOf.get(e.to.node) ?? '');
    if (a !== b) parent.set(b, a);
  }
  const order = all.filter((n) => n.type === 'tab' || n.type === 'subflow').map((n) => n.id);
  const rank = (c: string) => (order.includes(c) ? order.indexOf(c) : order.length);
  const components = new Map<string, string[]>();
  for (const c of [...containers].sort((a, b) => rank(a) - rank(b))) {
    const root = find(c);
    components.set(root, [...(components.get(root) ?? []), c]);
  }
  const usedFlowIds = new Set<string>();
  const flows = [...components.values()].map((members, i) => {
    const titleOf = (c: string) => {
      const t = byId.get(c);
      return t?.type === 'subflow'
        ? `Subflow ${text(t.name) || c}`
        : text(t?.label) || `Imported flow ${i + 1}`;
    };
    if (members.length > 1)
      notes.push({
        severity: 'changed',
        message: `${members.map((c) => `“${titleOf(c)}”`).join(', ')} were joined into one flow: link nodes wire them together.`,
      });
    const nodes: FlowNode[] = [];
    const flowEdges: FlowEdge[] = [];
    const memberIds = new Set(members);
    let offset = 0;
    for (const c of members) {
      const inC = [...placed.values()].filter((p) => text(p.red.z) === c);
      const ys = inC.flatMap((p) => p.nodes.map((n) => n.position.y));
      const top = ys.length ? Math.min(...ys) : 0;
      for (const p of inC) {
        for (const n of p.nodes)
          nodes.push(
            members.length > 1 ? { ...n, position: { x: n.position.x, y: n.position.y - top + offset } } : n,
          );
        p.internal.forEach((l, k) => flowEdges.push({ id: `${p.entry}-i${k}`.slice(0, 64), ...l }));
      }
      offset += (ys.length ? Math.max(...ys) - top : 0) + 240;
    }
    const inFlow = new Set(nodes.map((n) => n.id));
    for (const e of edges) if (inFlow.has(e.from.node)) flowEdges.push(e);
    const groups: ImportedGroup[] = all
      .filter((g) => g.type === 'group' && memberIds.has(text(g.z)))
      .map((g) => ({
        id: safeId(g.id),
        label: (text(g.name) || 'Group').slice(0, 120),
        nodes: (Array.isArray(g.nodes) ? g.nodes : [])
          .filter((id): id is string => typeof id === 'string')
          .flatMap((id) => placed.get(id)?.nodes.map((n) => n.id) ?? []),
      }))
      .filter((g) => g.nodes.length > 0);
    let id = safeId(members[0] || `imported-${i + 1}`);
    for (let k = 2; usedFlowIds.has(id); k++) id = `${safeId(members[0] || 'imported')}-${k}`;
    usedFlowIds.add(id);
    const flow: Flow = {
      schemaVersion: flowSchemaVersion,
      id,
      name: members.map(titleOf).join(' + ').slice(0, 120) || `Imported flow ${i + 1}`,
      roles: [
        ...new Set(
          [...placed.values()]
            .filter((p) => memberIds.has(text(p.red.z)))
            .flatMap((p) => (p.roles ?? []).map((r) => r.id)),
        ),
      ].sort(),
      runMode: { mode: 'parallel', max: 10 },
      nodes,
      edges: flowEdges,
    };
    return { flow, groups };
  });
  return { flows };
};
