/**
 * Maps a Flow to xyflow nodes and edges. Every node carries its width, height and handles
 * from the catalog, so xyflow never mounts nodes to measure them. Unchanged nodes keep
 * their previous xyflow object (and its selection), so an edit to one node of 5,000 does
 * not make xyflow re-process the other 4,999; when nothing changed at all the previous array
 * itself comes back, since xyflow rebuilds its lookups over every node or edge whenever the
 * array it is given is a new one.
 */
import { Position, type Edge, type Node } from '@xyflow/svelte';
import { nodeLayout } from './ports';
import type { Flow, FlowNode, NodeKindSpec, NodeLayout, Problem } from './types';

/** What a drawn node receives through `data`. */
export interface FlowNodeData extends Record<string, unknown> {
  readonly node: FlowNode;
  readonly spec: NodeKindSpec | undefined;
  readonly layout: NodeLayout;
  /** Messages of the problems on this node, errors first. */
  readonly problems: readonly string[];
  readonly severity: 'error' | 'warning' | null;
  /** The role's display name, when the node talks to a role. */
  readonly roleLabel: string | null;
  /** Whether the device bound to the node's role is online, offline, or not bound. */
  readonly status: RoleStatus | null;
}

/** The state of the device behind a role, as the node's status badge shows it. */
export type RoleStatus = 'online' | 'offline' | 'unbound';

/** What a group frame receives through `data`. */
export interface GroupFrameData extends Record<string, unknown> {
  readonly label: string;
  readonly members: readonly string[];
}

/** An xyflow node for one of our nodes. */
export type CanvasNode = Node<FlowNodeData, 'flowNode'>;
/** An xyflow node drawing a labelled group behind its members. */
export type GroupFrame = Node<GroupFrameData, 'groupFrame'>;

/** The unknown-kind stand-in size: a node of a kind the catalog lacks still shows up. */
/** Space between a group's frame and its members, and above them for the label. */
const FRAME_PAD = 20;
const FRAME_LABEL = 28;

/** Inputs of the adapter besides the flow. */
export interface AdaptOptions {
  readonly catalog: ReadonlyMap<string, NodeKindSpec>;
  readonly problems: readonly Problem[];
  readonly roleLabels: ReadonlyMap<string, string>;
  readonly roleStatus: ReadonlyMap<string, RoleStatus>;
  /** The previous result: reused where nothing changed. */
  readonly previous: readonly (CanvasNode | GroupFrame)[];
  /** When given, exactly these nodes end up selected (after paste, problem click, …). */
  readonly select?: ReadonlySet<string>;
}

const NONE: readonly string[] = [];

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** `previous` when `next` holds the very same items in the same order, else `next`. */
const reuse = <T>(previous: readonly T[], next: T[]): T[] =>
  previous.length === next.length && next.every((x, i) => x === previous[i]) ? (previous as T[]) : next;

/** Our flow's nodes (and group frames) as xyflow nodes. */
export const toCanvasNodes = (flow: Flow, options: AdaptOptions): (CanvasNode | GroupFrame)[] => {
  const previous = new Map(options.previous.map((n) => [n.id, n]));
  const problemsByNode = new Map<string, Problem[]>();
  for (const p of options.problems) {
    if (p.flow !== flow.id || !p.node) continue;
    const list = problemsByNode.get(p.node) ?? [];
    list.push(p);
    problemsByNode.set(p.node, list);
  }
  const frames = groupFrames(flow, options);
  const nodes = flow.nodes.map((node): CanvasNode => {
    const spec = options.catalog.get(node.kind);
    // Most nodes have no problems: no arrays made for them (5,000 nodes are adapted per edit).
    const found = problemsByNode
      .get(node.id)
      ?.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
    const problems = found ? found.map((p) => p.message) : NONE;
    const severity = found?.[0]?.severity ?? null;
    const role = typeof node.config.role === 'string' ? node.config.role : null;
    const roleLabel = role ? (options.roleLabels.get(role) ?? role) : null;
    const status = role ? (options.roleStatus.get(role) ?? null) : null;
    const prev = previous.get(node.id);
    const selected = options.select ? options.select.has(node.id) : (prev?.selected ?? false);
    if (
      prev?.type === 'flowNode' &&
      prev.data.node === node &&
      prev.data.spec === spec &&
      prev.data.severity === severity &&
      prev.data.roleLabel === roleLabel &&
      prev.data.status === status &&
      sameList(prev.data.problems, problems) &&
      !!prev.selected === selected
    ) {
      return prev;
    }
    const layout = nodeLayout(node, options.catalog);
    return {
      id: node.id,
      type: 'flowNode',
      position: node.position,
      width: layout.width,
      height: layout.height,
      // Marked as measured too: xyflow's fitView waits until every node is, and nodes it
      // never drew (off screen) would otherwise never count.
      measured: { width: layout.width, height: layout.height },
      handles: layout.handles.map((h) => ({
        ...h,
        position: h.position === 'left' ? Position.Left : Position.Right,
      })),
      data: { node, spec, layout, problems, severity, roleLabel, status },
      selected,
      zIndex: 1,
    };
  });
  return reuse(options.previous, [...frames, ...nodes]);
};

const groupFrames = (flow: Flow, options: AdaptOptions): GroupFrame[] =>
  flow.groups.flatMap((group) => {
    const members = flow.nodes.filter((n) => n.group === group.id);
    if (members.length === 0) return [];
    const boxes = members.map((n) => {
      const size = nodeLayout(n, options.catalog);
      return {
        x: n.position.x,
        y: n.position.y,
        r: n.position.x + size.width,
        b: n.position.y + size.height,
      };
    });
    const x = Math.min(...boxes.map((b) => b.x)) - FRAME_PAD;
    const y = Math.min(...boxes.map((b) => b.y)) - FRAME_PAD - FRAME_LABEL;
    const width = Math.max(...boxes.map((b) => b.r)) + FRAME_PAD - x;
    const height = Math.max(...boxes.map((b) => b.b)) + FRAME_PAD - y;
    return [
      {
        id: `group:${group.id}`,
        type: 'groupFrame' as const,
        position: { x, y },
        width,
        height,
        measured: { width, height },
        handles: [],
        data: { label: group.label, members: members.map((m) => m.id) },
        draggable: false,
        selectable: false,
        connectable: false,
        class: 'fg-frame',
        zIndex: 0,
      },
    ];
  });

/** Our flow's wires as xyflow edges. */
export const toCanvasEdges = (flow: Flow, previous: readonly Edge[]): Edge[] => {
  const prev = new Map(previous.map((e) => [e.id, e]));
  const edges = flow.edges.map((e) => {
    const p = prev.get(e.id);
    if (
      p &&
      p.source === e.from.node &&
      p.sourceHandle === e.from.port &&
      p.target === e.to.node &&
      p.targetHandle === e.to.port
    ) {
      return p;
    }
    return {
      id: e.id,
      source: e.from.node,
      sourceHandle: e.from.port,
      target: e.to.node,
      targetHandle: e.to.port,
      selected: p?.selected ?? false,
    };
  });
  return reuse(previous, edges);
};

/** The ids of our nodes (not group frames) that xyflow shows as selected. */
export const selectedNodeIds = (nodes: readonly Node[]): Set<string> =>
  new Set(nodes.filter((n) => n.selected && n.type === 'flowNode').map((n) => n.id));
