import { describe, expect, it } from 'vitest';
import { toCanvasEdges, toCanvasNodes } from '../../../../renderer/src/canvas/adapter';
import type { Flow, Problem } from '../../../../renderer/src/canvas/types';

const flow: Flow = {
  id: 'f',
  name: 'Hall',
  nodes: Array.from({ length: 50 }, (_, i) => ({
    id: `n${i}`,
    kind: 'logic.delay',
    config: {},
    position: { x: i * 10, y: 0 },
  })),
  edges: Array.from({ length: 49 }, (_, i) => ({
    id: `e${i}`,
    from: { node: `n${i}`, port: 'out' },
    to: { node: `n${i + 1}`, port: 'in' },
  })),
  groups: [],
};
const options = { catalog: new Map(), roleLabels: new Map(), roleStatus: new Map() };

describe('the canvas adapter hands xyflow the same arrays when nothing changed', () => {
  it('gives back the previous node and edge arrays for an unchanged flow and equal problems', () => {
    const nodes = toCanvasNodes(flow, { ...options, problems: [], previous: [] });
    const edges = toCanvasEdges(flow, []);
    // xyflow rebuilds its lookups over every edge when handed a new array: a new flow object
    // with the same wires (a moved node) must not cause that.
    const moved: Flow = {
      ...flow,
      nodes: flow.nodes.map((n, i) => (i === 3 ? { ...n, position: { x: 0, y: 9 } } : n)),
    };
    expect(toCanvasEdges(moved, edges)).toBe(edges);
    expect(toCanvasNodes(flow, { ...options, problems: [], previous: nodes })).toBe(nodes);

    const after = toCanvasNodes(moved, { ...options, problems: [], previous: nodes });
    expect(after).not.toBe(nodes);
    expect(after.filter((n, i) => n !== nodes[i]).map((n) => n.id)).toEqual(['n3']);
    expect(after[3]!.position).toEqual({ x: 0, y: 9 });
  });

  it('redraws exactly the nodes whose problems changed, errors first', () => {
    const nodes = toCanvasNodes(flow, { ...options, problems: [], previous: [] });
    const problems: Problem[] = [
      { flow: 'f', node: 'n5', severity: 'warning', message: 'slow' },
      { flow: 'f', node: 'n5', severity: 'error', message: 'broken' },
      { flow: 'other', node: 'n6', severity: 'error', message: 'elsewhere' },
    ];
    const after = toCanvasNodes(flow, { ...options, problems, previous: nodes });
    expect(after.filter((n, i) => n !== nodes[i]).map((n) => n.id)).toEqual(['n5']);
    expect(after[5]!.data).toMatchObject({ problems: ['broken', 'slow'], severity: 'error' });
    const rewired: Flow = { ...flow, edges: flow.edges.slice(1) };
    expect(toCanvasEdges(rewired, toCanvasEdges(flow, []))).toHaveLength(48);
  });
});
