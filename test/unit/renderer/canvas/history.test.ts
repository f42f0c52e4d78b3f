import { describe, expect, it } from 'vitest';
import { applyChanges, invert, type Change } from '../../../../renderer/src/canvas/changes';
import {
  addFlow,
  addNode,
  connect,
  fragmentOf,
  groupNodes,
  insertFragment,
  moveNodes,
  remove,
  removeFlow,
  ungroup,
} from '../../../../renderer/src/canvas/commands';
import { createHistory } from '../../../../renderer/src/canvas/history';
import type { Design, NodeKindSpec } from '../../../../renderer/src/canvas/types';

const spec: NodeKindSpec = {
  kind: 'logic.delay',
  title: 'Delay',
  category: 'Logic',
  icon: 'D',
  description: '',
  inputs: [{ name: 'in', type: 'any' }],
  outputs: [{ name: 'out', type: 'any' }],
  config: { type: 'object', properties: {} },
  defaults: { seconds: 5 },
  keyConfig: [],
  layout: () => ({ width: 200, height: 56, inputs: [], outputs: [], handles: [] }),
};

const ids = () => {
  let n = 0;
  return (prefix: string) => `${prefix}-${++n}`;
};

const empty: Design = { flows: [{ id: 'f', name: 'F', nodes: [], edges: [], groups: [] }], roles: [] };

/** Runs a command against an editor-like loop: apply, mark, record. */
const session = () => {
  let design = empty;
  const history = createHistory();
  const newId = ids();
  return {
    get design() {
      return design;
    },
    newId,
    history,
    apply(label: string, changes: Change[]) {
      design = applyChanges(design, changes);
      history.mark(label);
      history.record(changes);
    },
    undo() {
      const step = history.undo();
      if (step) design = applyChanges(design, step.changes);
      return step;
    },
    redo() {
      const step = history.redo();
      if (step) design = applyChanges(design, step.changes);
      return step;
    },
  };
};

describe('changes', () => {
  it('applying a change list and then its inverse gives back the same design', () => {
    const s = session();
    s.apply('a', addNode('f', spec, { x: 0, y: 0 }, s.newId).changes);
    s.apply('b', addNode('f', spec, { x: 100, y: 0 }, s.newId).changes);
    const before = s.design;
    const changes = [
      ...connect('f', { node: 'n-1', port: 'out' }, { node: 'n-2', port: 'in' }, s.newId),
      ...moveNodes(before, 'f', new Map([['n-1', { x: 40, y: 40 }]])),
    ];
    const after = applyChanges(before, changes);
    expect(after.flows[0]!.edges).toHaveLength(1);
    expect(applyChanges(after, invert(changes))).toEqual(before);
  });

  it('refuses to change a node that is not there, naming it', () => {
    const ghost = { id: 'ghost', kind: 'x', config: {}, position: { x: 0, y: 0 } };
    expect(() => applyChanges(empty, [{ type: 'node', flow: 'f', before: ghost, after: null }])).toThrow(
      /ghost/,
    );
  });
});

describe('history', () => {
  it('undoes and redoes ten steps back to the exact designs', () => {
    const s = session();
    const snapshots: Design[] = [s.design];
    for (let i = 0; i < 10; i++) {
      s.apply(`Add ${i}`, addNode('f', spec, { x: i * 10, y: 0 }, s.newId).changes);
      snapshots.push(s.design);
    }
    for (let i = 9; i >= 0; i--) {
      expect(s.undo()?.label).toBe(`Add ${i}`);
      expect(s.design).toEqual(snapshots[i]);
    }
    expect(s.undo()).toBeNull();
    for (let i = 1; i <= 10; i++) {
      s.redo();
      expect(s.design).toEqual(snapshots[i]);
    }
    expect(s.redo()).toBeNull();
  });

  it('a new edit after undo drops the redo stack', () => {
    const s = session();
    s.apply('one', addNode('f', spec, { x: 0, y: 0 }, s.newId).changes);
    s.undo();
    expect(s.history.canRedo).toBe(true);
    s.apply('two', addNode('f', spec, { x: 0, y: 0 }, s.newId).changes);
    expect(s.history.canRedo).toBe(false);
  });

  it('changes recorded without a new mark join the current step', () => {
    const s = session();
    const h = createHistory();
    h.mark('typing');
    h.record(addNode('f', spec, { x: 0, y: 0 }, s.newId).changes);
    h.record(addNode('f', spec, { x: 0, y: 0 }, s.newId).changes);
    expect(h.undo()?.changes).toHaveLength(2);
    expect(h.canUndo).toBe(false);
  });

  it('keeps at most the step limit', () => {
    const h = createHistory(3);
    const newId = ids();
    for (let i = 0; i < 5; i++) {
      h.mark(`s${i}`);
      h.record(addNode('f', spec, { x: 0, y: 0 }, newId).changes);
    }
    expect([h.undo()?.label, h.undo()?.label, h.undo()?.label, h.undo()]).toEqual(['s4', 's3', 's2', null]);
  });
});

describe('commands', () => {
  it('deleting a node removes its wires, and undo brings both back', () => {
    const s = session();
    s.apply('a', addNode('f', spec, { x: 0, y: 0 }, s.newId).changes);
    s.apply('b', addNode('f', spec, { x: 0, y: 0 }, s.newId).changes);
    s.apply('c', connect('f', { node: 'n-1', port: 'out' }, { node: 'n-2', port: 'in' }, s.newId));
    const wired = s.design;
    s.apply('delete', remove(s.design, 'f', new Set(['n-2']), new Set()));
    expect(s.design.flows[0]!.nodes.map((n) => n.id)).toEqual(['n-1']);
    expect(s.design.flows[0]!.edges).toEqual([]);
    s.undo();
    expect(s.design.flows[0]!.nodes.map((n) => n.id).sort()).toEqual(['n-1', 'n-2']);
    expect(s.design.flows[0]!.edges).toEqual(wired.flows[0]!.edges);
  });

  it('undoing a deletion puts nodes, wires, groups and flows back in their places, so wire order is kept', () => {
    const s = session();
    for (let i = 0; i < 6; i++)
      s.apply(`add ${i}`, addNode('f', spec, { x: i * 100, y: 0 }, s.newId).changes);
    const wire = (from: string, to: string) =>
      s.apply('wire', connect('f', { node: from, port: 'out' }, { node: to, port: 'in' }, s.newId));
    // n-1 fans out to n-2, n-3 and n-4, in that order: the order the gateway sends in.
    wire('n-1', 'n-2');
    wire('n-1', 'n-3');
    wire('n-1', 'n-4');
    wire('n-4', 'n-5');
    wire('n-5', 'n-6');
    wire('n-2', 'n-6');
    s.apply('group a', groupNodes(s.design, 'f', new Set(['n-2']), 'A', s.newId));
    s.apply('group b', groupNodes(s.design, 'f', new Set(['n-3']), 'B', s.newId));
    s.apply('group c', groupNodes(s.design, 'f', new Set(['n-6']), 'C', s.newId));
    s.apply('flow', addFlow('Second', s.newId).changes);
    const before = s.design;
    // The first and a middle node, their wires, the wire n-2 → n-6 on its own, and group B left empty.
    const gone = remove(
      s.design,
      'f',
      new Set(['n-1', 'n-3', 'n-5']),
      new Set([before.flows[0]!.edges[5]!.id]),
    );
    s.apply('delete', gone);
    expect(s.design.flows[0]!.nodes.map((n) => n.id)).toEqual(['n-2', 'n-4', 'n-6']);
    expect(s.design.flows[0]!.edges).toEqual([]);
    expect(s.design.flows[0]!.groups.map((g) => g.label)).toEqual(['A', 'C']);
    s.undo();
    expect(s.design).toEqual(before);
    s.redo();
    s.undo();
    expect(s.design).toEqual(before);

    // A removed flow comes back where it was in the list, not after the others.
    s.apply('remove flow', removeFlow(s.design, 'f'));
    expect(s.design.flows.map((f) => f.name)).toEqual(['Second']);
    s.undo();
    expect(s.design).toEqual(before);
  });

  it('pasting a fragment gives fresh ids, keeps inner wires and drops wires to outside nodes', () => {
    const s = session();
    for (let i = 0; i < 3; i++) s.apply('a', addNode('f', spec, { x: i * 100, y: 50 }, s.newId).changes);
    s.apply('w1', connect('f', { node: 'n-1', port: 'out' }, { node: 'n-2', port: 'in' }, s.newId));
    s.apply('w2', connect('f', { node: 'n-2', port: 'out' }, { node: 'n-3', port: 'in' }, s.newId));
    const fragment = fragmentOf(s.design.flows[0]!, new Set(['n-1', 'n-2']));
    expect(fragment.edges).toHaveLength(1);
    const { changes, nodeIds } = insertFragment('f', fragment, { x: 500, y: 500 }, s.newId);
    s.apply('paste', changes);
    const flow = s.design.flows[0]!;
    expect(flow.nodes).toHaveLength(5);
    expect(nodeIds.every((id) => !['n-1', 'n-2', 'n-3'].includes(id))).toBe(true);
    const pasted = flow.nodes.filter((n) => nodeIds.includes(n.id));
    expect(pasted.map((n) => n.position)).toEqual([
      { x: 500, y: 500 },
      { x: 600, y: 500 },
    ]);
    const newEdge = flow.edges.find((e) => nodeIds.includes(e.from.node))!;
    expect(nodeIds).toContain(newEdge.to.node);
  });

  it('groups and ungroups nodes as one step each', () => {
    const s = session();
    for (let i = 0; i < 2; i++) s.apply('a', addNode('f', spec, { x: i * 100, y: 0 }, s.newId).changes);
    s.apply('group', groupNodes(s.design, 'f', new Set(['n-1', 'n-2']), 'Hallway', s.newId));
    const flow = s.design.flows[0]!;
    expect(flow.groups).toEqual([{ id: 'g-3', label: 'Hallway' }]);
    expect(flow.nodes.every((n) => n.group === 'g-3')).toBe(true);
    s.apply('ungroup', ungroup(s.design, 'f', 'g-3'));
    expect(s.design.flows[0]!.groups).toEqual([]);
    expect(s.design.flows[0]!.nodes.some((n) => 'group' in n)).toBe(false);
    s.undo();
    expect(s.design.flows[0]!.groups).toHaveLength(1);
  });
});
