import { describe, expect, it } from 'vitest';
import type { Flow, FlowNode } from '../../../../renderer/src/canvas/types';
import { canvasCatalog } from '../../../../renderer/src/flows/catalog';
import { wireTargetFinder } from '../../../../renderer/src/flows/wire-targets';

const catalog = canvasCatalog([]);
const wireTargets = wireTargetFinder();
const roleLabels = new Map([['hall', 'Hall light']]);
const node = (
  id: string,
  kind: string,
  x: number,
  y: number,
  config: Record<string, unknown> = {},
): FlowNode => ({
  id,
  kind,
  config,
  position: { x, y },
});

describe('the inputs "Wire to" offers', () => {
  const from = node('t', 'trigger.manual', 0, 0);
  const flow: Flow = {
    id: 'f',
    name: 'F',
    nodes: [
      from,
      node('far', 'action.log', 900, 0),
      node('near', 'logic.if', 100, 40),
      node('lit', 'action.device-action', 400, 0, { role: 'hall' }),
    ],
    edges: [],
    groups: [],
  };

  it('lists every other node’s inputs, nearest first, never the node itself or one without inputs', () => {
    const { shown, more, total } = wireTargets(flow, from, catalog, roleLabels);
    expect(shown.map((t) => t.value.split('\n')[0])).toEqual(['near', 'lit', 'far']);
    expect(shown.every((t) => !t.value.startsWith('t\n'))).toBe(true);
    expect(shown[1]!.label).toContain('Hall light');
    expect(more).toBe(0);
    expect(total).toBe(3);
  });

  it('keeps the inputs whose label holds every typed word, in any case', () => {
    const { shown, total } = wireTargets(flow, from, catalog, roleLabels, 'HALL  light');
    expect(shown.map((t) => t.value.split('\n')[0])).toEqual(['lit']);
    expect(total).toBe(3);
    expect(wireTargets(flow, from, catalog, roleLabels, 'nothing like it').shown).toEqual([]);
  });

  it('gives a 5,000-node flow a short list of the nearest, and says how many more match', () => {
    const nodes = [from];
    for (let i = 1; i < 5_000; i++)
      nodes.push(node(`n${i}`, 'action.log', (i % 70) * 220, Math.floor(i / 70) * 120));
    const big: Flow = { id: 'b', name: 'B', nodes, edges: [], groups: [] };
    const find = wireTargetFinder();
    const { shown, more } = find(big, from, catalog, roleLabels);
    expect(shown).toHaveLength(100);
    expect(more).toBe(4_999 - 100);
    const distance = (v: string) => {
      const n = nodes.find((x) => x.id === v.split('\n')[0])!;
      return Math.hypot(n.position.x, n.position.y);
    };
    const distances = shown.map((t) => distance(t.value));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    const farthestShown = distances.at(-1)!;
    expect(
      nodes.slice(1).filter((n) => Math.hypot(n.position.x, n.position.y) < farthestShown).length,
    ).toBeLessThan(100);
  });
});
