import { describe, expect, it } from 'vitest';
import { applyDesignDelta, designDelta } from '../../../../renderer/src/flows/design-delta';
import { applyChanges, invert } from '../../../../renderer/src/canvas/changes';
import { connect, moveNodes, remove } from '../../../../renderer/src/canvas/commands';
import type { Design, Flow } from '../../../../renderer/src/canvas/types';

const flow = (id: string, count: number): Flow => ({
  id,
  name: id,
  nodes: Array.from({ length: count }, (_, i) => ({
    id: `${id}-n${i}`,
    kind: 'logic.delay',
    config: {},
    position: { x: i * 10, y: 0 },
  })),
  edges: [],
  groups: [],
});

const base: Design = {
  flows: [flow('a', 1000), flow('b', 3)],
  roles: [{ id: 'hall-light', capability: 'switch@1' }],
};

describe('designDelta: what the validator worker is sent for an edit', () => {
  it('carries only the moved node of a 1,000-node flow, and rebuilds the same design', () => {
    const moved = applyChanges(base, moveNodes(base, 'a', new Map([['a-n500', { x: 1, y: 2 }]])));
    const delta = designDelta(base, moved);
    expect(delta.changed).toEqual([
      { id: 'a', name: 'a', nodes: { put: [moved.flows[0]!.nodes[500]], remove: [] } },
    ]);
    expect(applyDesignDelta(base, delta)).toEqual(moved);
    expect(designDelta(moved, moved).changed).toEqual([]);
  });

  it('carries removals, additions, wires, new flows and flow order, and the result equals the edited design', () => {
    let next = applyChanges(base, remove(base, 'a', new Set(['a-n3', 'a-n700']), new Set()));
    next = applyChanges(
      next,
      connect('b', { node: 'b-n0', port: 'out' }, { node: 'b-n1', port: 'in' }, () => 'w1'),
    );
    next = { ...next, flows: [flow('c', 2), ...next.flows] };
    const delta = designDelta(base, next);
    expect(delta.flows).toEqual(['c', 'a', 'b']);
    expect(delta.changed.find((d) => 'id' in d && d.id === 'a')).toMatchObject({
      nodes: { put: [], remove: ['a-n3', 'a-n700'] },
    });
    expect(delta.changed).toContainEqual({ whole: next.flows[0] });
    expect(applyDesignDelta(base, delta)).toEqual(next);
  });

  it('keeps the order when an undone deletion puts a node back where it was', () => {
    const gone = applyChanges(base, remove(base, 'a', new Set(['a-n3']), new Set()));
    const back = applyChanges(gone, invert(remove(base, 'a', new Set(['a-n3']), new Set())));
    expect(back.flows[0]!.nodes[3]!.id).toBe('a-n3');
    const worker = applyDesignDelta(null, designDelta(null, base));
    const then = applyDesignDelta(worker, designDelta(base, gone));
    expect(applyDesignDelta(then, designDelta(gone, back))).toEqual(back);
  });

  it('sends a flow whole when most of it changed, and everything when the worker has nothing yet', () => {
    const shifted = { ...base, flows: [{ ...base.flows[0]!, nodes: flow('a', 1000).nodes }, base.flows[1]!] };
    expect(designDelta(base, shifted).changed).toEqual([{ whole: shifted.flows[0] }]);
    const first = designDelta(null, base);
    expect(first.changed).toEqual(base.flows.map((f) => ({ whole: f })));
    expect(applyDesignDelta(null, first)).toEqual(base);
  });

  it('refuses a delta for a flow it does not hold, so the editor can send the design whole', () => {
    const delta = designDelta(base, { ...base, flows: [{ ...base.flows[1]!, name: 'renamed' }] });
    expect(() => applyDesignDelta(null, delta)).toThrow(/no flow b/);
  });
});
