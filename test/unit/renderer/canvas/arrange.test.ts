import { describe, expect, it } from 'vitest';
import { align, autoLayout, distribute } from '../../../../renderer/src/canvas/arrange';
import type { Flow, NodeKindSpec } from '../../../../renderer/src/canvas/types';

const spec = (kind: string, inputs: string[], outputs: string[]): NodeKindSpec => ({
  kind,
  title: kind,
  category: 'Logic',
  icon: '',
  description: '',
  inputs: inputs.map((name) => ({ name, type: 'any' })),
  outputs: outputs.map((name) => ({ name, type: 'any' })),
  config: {},
  defaults: {},
  keyConfig: [],
  layout: () => ({
    width: 200,
    height: 60,
    inputs: inputs.map((name) => ({ name, type: 'any' })),
    outputs: outputs.map((name) => ({ name, type: 'any' })),
    handles: [],
  }),
});
const catalog = new Map([
  ['t', spec('t', [], ['out'])],
  ['m', spec('m', ['in'], ['out'])],
]);
const node = (id: string, kind: string, x: number, y: number) => ({
  id,
  kind,
  config: {},
  position: { x, y },
});

describe('arrange', () => {
  it('aligns left edges and distributes with equal gaps', () => {
    const nodes = [node('a', 'm', 10, 0), node('b', 'm', 50, 100), node('c', 'm', 500, 1000)];
    expect([...align(nodes, catalog, 'left').values()].map((p) => p.x)).toEqual([10, 10, 10]);
    const spread = distribute(nodes, catalog, 'x');
    expect(spread.get('b')!.x).toBe(255);
  });

  it('auto-layout puts each node right of the nodes that feed it', async () => {
    const flow: Flow = {
      id: 'f',
      name: 'F',
      nodes: [node('c', 'm', 0, 0), node('a', 't', 0, 0), node('b', 'm', 0, 0)],
      edges: [
        { id: 'e1', from: { node: 'a', port: 'out' }, to: { node: 'b', port: 'in' } },
        { id: 'e2', from: { node: 'b', port: 'out' }, to: { node: 'c', port: 'in' } },
      ],
      groups: [],
    };
    const p = await autoLayout(flow, catalog);
    expect(p.get('a')!.x).toBeLessThan(p.get('b')!.x - 200);
    expect(p.get('b')!.x).toBeLessThan(p.get('c')!.x - 200);
    expect([...p.values()].every((v) => v.x % 20 === 0 && v.y % 20 === 0)).toBe(true);
  });
});
