import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChanges, invert, type Change } from '../../../../renderer/src/canvas/changes';
import {
  addDevice,
  addFlow,
  addNode,
  addRole,
  bindRole,
  connect,
  fragmentOf,
  groupNodes,
  insertFragment,
  moveNodes,
  relabelGroup,
  remove,
  removeFlow,
  removeRole,
  renameFlow,
  replaceDevice,
  setConfig,
  ungroup,
} from '../../../../renderer/src/canvas/commands';
import type { Design, FlowNode, NodeKindSpec, SiteDevice } from '../../../../renderer/src/canvas/types';

const spec: NodeKindSpec = {
  kind: 'logic.delay',
  title: 'Delay',
  category: 'Logic',
  icon: 'D',
  description: '',
  inputs: [{ name: 'in', type: 'any' }],
  outputs: [{ name: 'out', type: 'any' }],
  config: { type: 'object', properties: {} },
  defaults: { seconds: 5, unit: 's' },
  keyConfig: [],
  layout: () => ({ width: 200, height: 56, inputs: [], outputs: [], handles: [] }),
};

const ids = () => {
  let n = 0;
  return (prefix: string) => `${prefix}-new${++n}`;
};

const node = (id: string, x: number, y: number, group?: string): FlowNode => ({
  id,
  kind: 'logic.delay',
  config: { seconds: 1 },
  position: { x, y },
  ...(group ? { group } : {}),
});

const relay: SiteDevice = { id: 'hall-relay', name: 'Hall relay', model: 'tasmota-relay', identity: {} };

/** a → b → c, with a and b in group g1 and c in g2; a second, empty flow. */
const design: Design = {
  flows: [
    {
      id: 'f',
      name: 'Lights',
      nodes: [node('a', 100, 50, 'g1'), node('b', 300, 80, 'g1'), node('c', 500, 20, 'g2')],
      edges: [
        { id: 'ab', from: { node: 'a', port: 'out' }, to: { node: 'b', port: 'in' } },
        { id: 'bc', from: { node: 'b', port: 'out' }, to: { node: 'c', port: 'in' } },
      ],
      groups: [
        { id: 'g1', label: 'Hall' },
        { id: 'g2', label: 'Porch' },
      ],
    },
    { id: 'other', name: 'Other', nodes: [], edges: [], groups: [] },
  ],
  roles: [
    { id: 'light', capability: 'switch@1', device: 'hall-relay' },
    { id: 'button', capability: 'button@1' },
  ],
  devices: [relay],
};

const flowAfter = (changes: Change[], id = 'f') =>
  applyChanges(design, changes).flows.find((f) => f.id === id)!;

describe('node commands', () => {
  it('adds a node with the kind’s defaults, overridden by the offer’s config', () => {
    const { changes, id } = addNode('f', spec, { x: 10, y: 20 }, ids(), { seconds: 30 });
    expect(id).toBe('n-new1');
    expect(flowAfter(changes).nodes.at(-1)).toEqual({
      id: 'n-new1',
      kind: 'logic.delay',
      config: { seconds: 30, unit: 's' },
      position: { x: 10, y: 20 },
    });
  });

  it('moves only the nodes whose position changed, ignoring ids not in the flow', () => {
    const changes = moveNodes(
      design,
      'f',
      new Map([
        ['a', { x: 100, y: 50 }],
        ['b', { x: 320, y: 80 }],
        ['zz', { x: 0, y: 0 }],
      ]),
    );
    expect(changes).toEqual([
      { type: 'node', flow: 'f', before: design.flows[0]!.nodes[1], after: { ...node('b', 320, 80, 'g1') } },
    ]);
  });

  it('replaces a node’s config, and changes nothing for a node that is not there', () => {
    expect(flowAfter(setConfig(design, 'f', 'a', { seconds: 9 })).nodes[0]!.config).toEqual({ seconds: 9 });
    expect(setConfig(design, 'f', 'gone', { seconds: 9 })).toEqual([]);
  });

  it('names the flow a command was given that the design does not have', () => {
    expect(() => moveNodes(design, 'missing', new Map())).toThrow('There is no flow missing in this design.');
  });

  it('wires an output to an input with a fresh id', () => {
    const changes = connect('f', { node: 'c', port: 'out' }, { node: 'a', port: 'in' }, ids());
    expect(flowAfter(changes).edges.at(-1)).toEqual({
      id: 'e-new1',
      from: { node: 'c', port: 'out' },
      to: { node: 'a', port: 'in' },
    });
  });
});

describe('remove', () => {
  it('takes the wires touching a removed node, and a group left empty, but not a group with nodes left', () => {
    const flow = flowAfter(remove(design, 'f', new Set(['b', 'c']), new Set()));
    expect(flow.nodes.map((n) => n.id)).toEqual(['a']);
    expect(flow.edges).toEqual([]);
    expect(flow.groups.map((g) => g.id)).toEqual(['g1']);
  });

  it('removes a wire alone', () => {
    const flow = flowAfter(remove(design, 'f', new Set(), new Set(['ab'])));
    expect(flow.nodes).toHaveLength(3);
    expect(flow.edges.map((e) => e.id)).toEqual(['bc']);
  });
});

describe('clipboard fragments', () => {
  it('copies the selected nodes with the wires among them and their groups only', () => {
    const fragment = fragmentOf(design.flows[0]!, new Set(['a', 'b']));
    expect(fragment.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(fragment.edges.map((e) => e.id)).toEqual(['ab']);
    expect(fragment.groups.map((g) => g.id)).toEqual(['g1']);
  });

  it('pastes with fresh ids for nodes, wires and groups, its top-left corner where asked', () => {
    const fragment = fragmentOf(design.flows[0]!, new Set(['a', 'b']));
    const { changes, nodeIds } = insertFragment('other', fragment, { x: 0, y: 0 }, ids());
    const pasted = flowAfter(changes, 'other');
    expect(pasted.groups).toEqual([{ id: 'g-new3', label: 'Hall' }]);
    expect(pasted.nodes).toEqual([
      { ...node('n-new1', 0, 0), group: 'g-new3' },
      { ...node('n-new2', 200, 30), group: 'g-new3' },
    ]);
    expect(nodeIds).toEqual(['n-new1', 'n-new2']);
    expect(pasted.edges).toEqual([
      { id: 'e-new4', from: { node: 'n-new1', port: 'out' }, to: { node: 'n-new2', port: 'in' } },
    ]);
  });

  it('drops a pasted wire whose other end was not copied', () => {
    const fragment = { ...fragmentOf(design.flows[0]!, new Set(['b'])), edges: design.flows[0]!.edges };
    const { changes } = insertFragment('other', fragment, { x: 0, y: 0 }, ids());
    expect(flowAfter(changes, 'other').edges).toEqual([]);
  });
});

describe('groups', () => {
  it('moves nodes into a new group, removing a group they leave empty and keeping one they do not', () => {
    const flow = flowAfter(groupNodes(design, 'f', new Set(['b', 'c']), 'Hall and porch', ids()));
    expect(flow.groups).toEqual([
      { id: 'g1', label: 'Hall' },
      { id: 'g-new1', label: 'Hall and porch' },
    ]);
    expect(flow.nodes.map((n) => [n.id, n.group])).toEqual([
      ['a', 'g1'],
      ['b', 'g-new1'],
      ['c', 'g-new1'],
    ]);
  });

  it('ungroups leaving the nodes where they are, and ignores a group that is not there', () => {
    const flow = flowAfter(ungroup(design, 'f', 'g1'));
    expect(flow.groups.map((g) => g.id)).toEqual(['g2']);
    expect(flow.nodes.map((n) => [n.id, n.group, n.position])).toEqual([
      ['a', undefined, { x: 100, y: 50 }],
      ['b', undefined, { x: 300, y: 80 }],
      ['c', 'g2', { x: 500, y: 20 }],
    ]);
    expect(ungroup(design, 'f', 'nope')).toEqual([]);
  });

  it('relabels a group, and records nothing when the label is the same', () => {
    expect(flowAfter(relabelGroup(design, 'f', 'g2', 'Garden')).groups[1]).toEqual({
      id: 'g2',
      label: 'Garden',
    });
    expect(relabelGroup(design, 'f', 'g2', 'Porch')).toEqual([]);
  });
});

describe('flows', () => {
  it('adds, renames and removes flows; a rename to the same name is no edit', () => {
    const { changes, id } = addFlow('Heating', ids());
    expect(applyChanges(design, changes).flows.at(-1)).toEqual({
      id,
      name: 'Heating',
      nodes: [],
      edges: [],
      groups: [],
    });
    expect(applyChanges(design, renameFlow(design, 'f', 'Hall lights')).flows[0]!.name).toBe('Hall lights');
    expect(applyChanges(design, renameFlow(design, 'f', 'Hall lights')).flows[0]!.nodes).toBe(
      design.flows[0]!.nodes,
    );
    expect(renameFlow(design, 'f', 'Lights')).toEqual([]);
    expect(applyChanges(design, removeFlow(design, 'f')).flows.map((f) => f.id)).toEqual(['other']);
  });
});

describe('roles and site devices', () => {
  const lamp: SiteDevice = { id: 'porch-lamp', name: 'Porch lamp', model: 'shelly-plus-1', identity: {} };

  it('binds a role to a device new to the site, adding the device first', () => {
    const changes = bindRole(design, 'button', lamp, 'input-0');
    expect(changes.map((c) => c.type)).toEqual(['device', 'role']);
    const after = applyChanges(design, changes);
    expect(after.roles[1]).toEqual({
      id: 'button',
      capability: 'button@1',
      device: 'porch-lamp',
      implementation: 'input-0',
    });
    expect(after.devices).toEqual([relay, lamp]);
  });

  it('binds to a device the site has without adding it again; the same binding again is no edit', () => {
    expect(bindRole(design, 'button', relay).map((c) => c.type)).toEqual(['role']);
    expect(bindRole(design, 'light', relay)).toEqual([]);
    expect(bindRole(design, 'light', relay, 'relay-2').map((c) => c.type)).toEqual(['role']);
    expect(bindRole(design, 'nobody', relay)).toEqual([]);
  });

  it('unbinds a role, dropping its implementation and keeping the device on the site', () => {
    const bound = applyChanges(design, bindRole(design, 'light', relay, 'relay-2'));
    const after = applyChanges(bound, bindRole(bound, 'light', null));
    expect(after.roles[0]).toEqual({ id: 'light', capability: 'switch@1' });
    expect(after.devices).toEqual([relay]);
  });

  it('adds a device once, and replaces one only when it changed', () => {
    expect(addDevice(design, relay)).toEqual([]);
    expect(addDevice(design, lamp)).toEqual([{ type: 'device', before: null, after: lamp }]);
    expect(replaceDevice(design, { ...relay })).toEqual([]);
    expect(replaceDevice(design, lamp)).toEqual([]);
    const renamed = { ...relay, variables: { topic: 'tasmota_hall' } };
    expect(applyChanges(design, replaceDevice(design, renamed)).devices).toEqual([renamed]);
  });

  it('removes a role, and undo puts it back at its place in the list', () => {
    const changes = removeRole(design, 'light');
    const after = applyChanges(design, changes);
    expect(after.roles.map((r) => r.id)).toEqual(['button']);
    expect(applyChanges(after, invert(changes)).roles.map((r) => r.id)).toEqual(['light', 'button']);
    expect(removeRole(design, 'nope')).toEqual([]);
  });

  it('adds a role', () => {
    expect(
      applyChanges(design, addRole({ id: 'porch', capability: 'switch@1' })).roles.map((r) => r.id),
    ).toEqual(['light', 'button', 'porch']);
  });
});

describe('every command', () => {
  // Any command on any selection: the inverse of its changes gives back exactly the design it
  // started from, which is what undo relies on — items a command removed come back where they
  // were in their lists, since a node's wires are followed in list order at run time, and the
  // Roles list and groups should not reshuffle on undo.
  const nodeIds = ['a', 'b', 'c', 'zz'];
  const selection = fc.uniqueArray(fc.constantFrom(...nodeIds), { maxLength: 4 }).map((x) => new Set(x));
  const point = fc.record({ x: fc.integer({ min: -500, max: 500 }), y: fc.integer({ min: -500, max: 500 }) });
  const command = fc.oneof(
    selection.map((s) => (d: Design) => remove(d, 'f', s, new Set())),
    fc
      .uniqueArray(fc.constantFrom('ab', 'bc'), { maxLength: 2 })
      .map((e) => (d: Design) => remove(d, 'f', new Set(), new Set(e))),
    selection.map((s) => (d: Design) => groupNodes(d, 'f', s, 'G', ids())),
    fc.constantFrom('g1', 'g2').map((g) => (d: Design) => ungroup(d, 'f', g)),
    fc.tuple(fc.constantFrom(...nodeIds), point).map(
      ([n, p]) =>
        (d: Design) =>
          moveNodes(d, 'f', new Map([[n, p]])),
    ),
    fc
      .tuple(selection, fc.constantFrom('f', 'other'), point)
      .filter(([s]) => [...s].some((id) => id !== 'zz'))
      .map(
        ([s, to, at]) =>
          (d: Design) =>
            insertFragment(to, fragmentOf(d.flows[0]!, s), at, ids()).changes,
      ),
    fc
      .constantFrom('button', 'light')
      .map((r) => (d: Design) => bindRole(d, r, r === 'light' ? null : relay)),
    fc.constant((d: Design) => removeFlow(d, 'f')),
    fc.constantFrom('light', 'button', 'nope').map((r) => (d: Design) => removeRole(d, r)),
  );

  it('is undone by its inverse: the same flows, nodes, wires, groups, roles and devices', () => {
    fc.assert(
      fc.property(command, (run) => {
        const changes = run(design);
        const after = applyChanges(design, changes);
        expect(applyChanges(after, invert(changes))).toEqual(design);
      }),
      { numRuns: 300 },
    );
  });
});
