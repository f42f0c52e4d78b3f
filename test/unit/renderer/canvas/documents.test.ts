import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { Flow as FlowSchema } from '../../../../shared/core/flow/schema';
import { flowPatch, fromFlowDocument, toFlowDocument } from '../../../../renderer/src/flows/documents';
import { deviceOffers, slug } from '../../../../renderer/src/flows/offers';
import { builtinCapabilities } from '../../../helpers/library';
import type { Flow } from '../../../../renderer/src/canvas/types';

const flow: Flow = {
  id: 'flow-1',
  name: 'Hallway',
  nodes: [
    {
      id: 'a',
      kind: 'trigger.property-change',
      config: { role: 'hall-pir', property: 'motion' },
      position: { x: 0, y: 0 },
      group: 'g',
    },
    {
      id: 'b',
      kind: 'action.set-property',
      config: { role: 'hall-light', property: 'on', value: 'payload' },
      position: { x: 300, y: 0 },
      group: 'g',
    },
  ],
  edges: [{ id: 'e', from: { node: 'a', port: 'out' }, to: { node: 'b', port: 'in' } }],
  groups: [{ id: 'g', label: 'Hallway' }],
};

describe('flow documents', () => {
  it('a canvas flow becomes a valid flow document listing its roles, and comes back unchanged', () => {
    const doc = toFlowDocument(flow);
    expect([...Value.Errors(FlowSchema, doc)].map((e) => `${e.path} ${e.message}`)).toEqual([]);
    expect(doc.roles).toEqual(['hall-light', 'hall-pir']);
    const back = fromFlowDocument(JSON.parse(JSON.stringify(doc)));
    expect(back).toMatchObject({
      id: flow.id,
      name: flow.name,
      nodes: flow.nodes,
      edges: flow.edges,
      groups: flow.groups,
    });
  });

  it('keeps fields the canvas does not edit (run mode, description) as loaded', () => {
    const loaded = fromFlowDocument({
      ...toFlowDocument(flow),
      runMode: { mode: 'queued', max: 3 },
      description: 'Lights',
    })!;
    expect(toFlowDocument(loaded)).toMatchObject({
      runMode: { mode: 'queued', max: 3 },
      description: 'Lights',
    });
  });

  it('returns null for a document that is not a flow', () => {
    expect(fromFlowDocument({ id: 'x' })).toBeNull();
    expect(fromFlowDocument('nope')).toBeNull();
  });
});

describe('device offers', () => {
  const capabilities = builtinCapabilities();

  it('offers a new role bound to the device, with its capability’s triggers and actions', () => {
    const offers = deviceOffers({ id: 'topic:relay', name: 'Demo relay' }, ['switch@1'], [], capabilities);
    expect(offers.map((o) => o.label)).toEqual(
      expect.arrayContaining(['When Demo relay On changes', 'Set Demo relay On', 'Toggle Demo relay']),
    );
    expect(offers[0]!.newRole).toEqual({
      id: 'demo-relay-switch',
      title: 'Demo relay',
      capability: 'switch@1',
      device: 'topic:relay',
    });
  });

  it('names a second role of the same device by the device and what it does', () => {
    const bound = { id: 'sensor', title: 'Hallway sensor', capability: 'motion@1', device: 'mac:01' };
    const offers = deviceOffers(
      { id: 'mac:01', name: 'Hallway sensor' },
      ['motion@1', 'temperature@1'],
      [bound],
      capabilities,
    );
    expect(offers.filter((o) => o.config.role === 'sensor').every((o) => !o.newRole)).toBe(true);
    const temperature = offers.find((o) => o.newRole);
    expect(temperature?.newRole).toEqual({
      id: 'hallway-sensor-temperature',
      title: 'Hallway sensor · Temperature sensor',
      capability: 'temperature@1',
      device: 'mac:01',
    });
    // A device with several capabilities and no role yet is named by itself alone.
    const first = deviceOffers(
      { id: 'mac:01', name: 'Hallway sensor' },
      ['motion@1', 'temperature@1'],
      [],
      capabilities,
    );
    expect(new Set(first.map((o) => o.newRole?.title))).toEqual(new Set(['Hallway sensor']));
  });

  it('reuses the role already bound to the device, and never reuses another role’s id', () => {
    const bound = { id: 'relay', capability: 'switch@1', device: 'topic:relay' };
    expect(
      deviceOffers({ id: 'topic:relay', name: 'Demo relay' }, ['switch@1'], [bound], capabilities).every(
        (o) => !o.newRole && o.config.role === 'relay',
      ),
    ).toBe(true);
    const taken = { id: 'demo-relay-switch', capability: 'switch@1' };
    const fresh = deviceOffers(
      { id: 'topic:relay', name: 'Demo relay' },
      ['switch@1'],
      [taken],
      capabilities,
    );
    expect(fresh[0]!.newRole?.id).toBe('demo-relay-switch-2');
    expect(slug('  Küche Licht #1 ')).toBe('k-che-licht-1');
  });
});

describe('flowPatch: what autosave sends for an edit', () => {
  const base: Flow = {
    id: 'f',
    name: 'Hall',
    nodes: Array.from({ length: 500 }, (_, i) => ({
      id: `n${i}`,
      kind: 'logic.delay',
      config: i === 0 ? { role: 'hall-light' } : {},
      position: { x: i * 10, y: 0 },
    })),
    edges: [{ id: 'e', from: { node: 'n0', port: 'out' }, to: { node: 'n1', port: 'in' } }],
    groups: [],
  };

  it('sends only the moved node of a big flow, and nothing for no change', () => {
    const moved = {
      ...base,
      nodes: base.nodes.map((n, i) => (i === 7 ? { ...n, position: { x: 1, y: 2 } } : n)),
    };
    expect(flowPatch(base, moved)).toEqual([
      { op: 'put', path: ['nodes', { id: 'n7' }], value: { ...moved.nodes[7] } },
    ]);
    expect(flowPatch(base, { ...base })).toEqual([]);
  });

  it('adds, removes, renames, and updates the roles list when a node using a role goes', () => {
    const next: Flow = {
      ...base,
      name: 'Hall lights',
      nodes: [...base.nodes.slice(1), { id: 'x', kind: 'logic.delay', config: {}, position: { x: 0, y: 0 } }],
      edges: [],
    };
    const ops = flowPatch(base, next)!;
    expect(ops).toContainEqual({ op: 'put', path: ['nodes', { id: 'x' }], value: next.nodes.at(-1) });
    expect(ops).toContainEqual({ op: 'remove', path: ['nodes', { id: 'n0' }] });
    expect(ops).toContainEqual({ op: 'remove', path: ['edges', { id: 'e' }] });
    expect(ops).toContainEqual({ op: 'put', path: ['name'], value: 'Hall lights' });
    expect(ops).toContainEqual({ op: 'put', path: ['roles'], value: [] });
  });

  it('updates the roles list when an edit in place gives a node a role or takes it away, not for a move', () => {
    const given = {
      ...base,
      nodes: base.nodes.map((n, i) => (i === 3 ? { ...n, config: { role: 'hall-pir' } } : n)),
    };
    expect(flowPatch(base, given)).toContainEqual({
      op: 'put',
      path: ['roles'],
      value: ['hall-light', 'hall-pir'],
    });
    const taken = { ...base, nodes: base.nodes.map((n, i) => (i === 0 ? { ...n, config: {} } : n)) };
    expect(flowPatch(base, taken)).toContainEqual({ op: 'put', path: ['roles'], value: [] });
    const moved = {
      ...base,
      nodes: base.nodes.map((n, i) => (i === 0 ? { ...n, position: { x: 5, y: 5 } } : n)),
    };
    expect(flowPatch(base, moved)!.some((o) => o.path[0] === 'roles')).toBe(false);
  });

  it('sends the whole document when fields the canvas does not edit changed, or most of the flow did', () => {
    expect(flowPatch(base, { ...base, saved: { description: 'x' } })).toBeNull();
    const big: Flow = {
      ...base,
      nodes: Array.from({ length: 2500 }, (_, i) => ({
        id: `m${i}`,
        kind: 'logic.delay',
        config: {},
        position: { x: 0, y: 0 },
      })),
    };
    expect(flowPatch(base, big)).toBeNull();
  });
});
