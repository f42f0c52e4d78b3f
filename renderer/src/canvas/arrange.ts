/**
 * Align, distribute and auto-layout: each computes new positions for some nodes; the editor
 * turns them into one `moveNodes` command so the result is a single undo step.
 */
import { nodeLayout } from './ports';
import type ElkEngine from 'elkjs/lib/elk.bundled.js';
import type { Flow, FlowNode, NodeKindSpec, Point } from './types';

/** Which edge or centre line to line nodes up on. */
export type Alignment = 'left' | 'right' | 'top' | 'bottom' | 'middle' | 'center';

type Sized = { node: FlowNode; w: number; h: number };

const sized = (nodes: readonly FlowNode[], catalog: ReadonlyMap<string, NodeKindSpec>): Sized[] =>
  nodes.map((node) => {
    const layout = nodeLayout(node, catalog);
    return { node, w: layout.width, h: layout.height };
  });

/** Positions that line `nodes` up on one side (or centre line) of their bounding box. */
export const align = (
  nodes: readonly FlowNode[],
  catalog: ReadonlyMap<string, NodeKindSpec>,
  how: Alignment,
): Map<string, Point> => {
  const items = sized(nodes, catalog);
  const out = new Map<string, Point>();
  if (items.length < 2) return out;
  const left = Math.min(...items.map((i) => i.node.position.x));
  const right = Math.max(...items.map((i) => i.node.position.x + i.w));
  const top = Math.min(...items.map((i) => i.node.position.y));
  const bottom = Math.max(...items.map((i) => i.node.position.y + i.h));
  for (const { node, w, h } of items) {
    const { x, y } = node.position;
    const p =
      how === 'left'
        ? { x: left, y }
        : how === 'right'
          ? { x: right - w, y }
          : how === 'center'
            ? { x: (left + right) / 2 - w / 2, y }
            : how === 'top'
              ? { x, y: top }
              : how === 'bottom'
                ? { x, y: bottom - h }
                : { x, y: (top + bottom) / 2 - h / 2 };
    out.set(node.id, p);
  }
  return out;
};

/** Positions that spread `nodes` with equal gaps between them, along x or y. */
export const distribute = (
  nodes: readonly FlowNode[],
  catalog: ReadonlyMap<string, NodeKindSpec>,
  axis: 'x' | 'y',
): Map<string, Point> => {
  const items = sized(nodes, catalog).sort((a, b) => a.node.position[axis] - b.node.position[axis]);
  const out = new Map<string, Point>();
  if (items.length < 3) return out;
  const size = (i: Sized) => (axis === 'x' ? i.w : i.h);
  const first = items[0]!;
  const last = items.at(-1)!;
  const span = last.node.position[axis] + size(last) - first.node.position[axis];
  const gap = (span - items.reduce((s, i) => s + size(i), 0)) / (items.length - 1);
  let cursor = first.node.position[axis];
  for (const item of items) {
    out.set(item.node.id, { ...item.node.position, [axis]: Math.round(cursor) });
    cursor += size(item) + gap;
  }
  return out;
};

// elkjs is 1.5 MB of JavaScript: loaded on the first auto-layout, not with the editor.
let elk: Promise<InstanceType<typeof ElkEngine>> | undefined;
const layoutEngine = () => (elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: ELK }) => new ELK()));

/**
 * A left-to-right layered layout of the whole flow (elkjs), ports kept in catalog order so
 * wires do not cross needlessly; positions are snapped to `grid`.
 */
export const autoLayout = async (
  flow: Flow,
  catalog: ReadonlyMap<string, NodeKindSpec>,
  grid = 20,
): Promise<Map<string, Point>> => {
  const graph = await (
    await layoutEngine()
  ).layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '40',
      'elk.layered.spacing.nodeNodeBetweenLayers': '80',
      'elk.portConstraints': 'FIXED_ORDER',
    },
    children: sized(flow.nodes, catalog).map(({ node, w, h }) => {
      const layout = nodeLayout(node, catalog);
      return {
        id: node.id,
        width: w,
        height: h,
        layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
        ports: [
          ...layout.inputs.map((p, i) => ({
            id: `${node.id}:in:${p.name}`,
            layoutOptions: { 'elk.port.side': 'WEST', 'elk.port.index': String(i) },
          })),
          ...layout.outputs.map((p, i) => ({
            id: `${node.id}:out:${p.name}`,
            layoutOptions: { 'elk.port.side': 'EAST', 'elk.port.index': String(i) },
          })),
        ],
      };
    }),
    edges: flow.edges.map((e) => ({
      id: e.id,
      sources: [`${e.from.node}:out:${e.from.port}`],
      targets: [`${e.to.node}:in:${e.to.port}`],
    })),
  });
  const snap = (v: number) => Math.round(v / grid) * grid;
  return new Map((graph.children ?? []).map((c) => [c.id, { x: snap(c.x ?? 0), y: snap(c.y ?? 0) }]));
};
