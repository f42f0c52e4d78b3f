import { flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import type { Design, Flow, Problem, SiteDevice } from '../../../../renderer/src/canvas/types';
import { builtinCapabilities } from '../../../helpers/library';
import { FlowEditor } from '../../../../renderer/src/flows/editor.svelte';
import type { Offer } from '../../../../renderer/src/flows/offers';
import type { Validator } from '../../../../renderer/src/flows/validator';
import type { CapabilityInfo } from '../../../../renderer/src/flows/capabilities';
import { validateDesign } from '../../../../renderer/src/flows/validate';

const capabilities = builtinCapabilities();

/** Ids that say what they are and in which order they were made, unlike any of the fixtures'. */
const counter = () => {
  let n = 0;
  return (prefix: string) => `${prefix}-new${++n}`;
};

const flow = (id: string, extra: Partial<Flow> = {}): Flow => ({
  id,
  name: id,
  nodes: [],
  edges: [],
  groups: [],
  ...extra,
});

/** Two delay nodes wired together in flow-1, and an empty flow-2. */
const wired = (): Design => ({
  flows: [
    flow('flow-1', {
      nodes: [
        { id: 'a', kind: 'logic.delay', config: { seconds: 1 }, position: { x: 0, y: 0 } },
        { id: 'b', kind: 'logic.delay', config: { seconds: 2 }, position: { x: 300, y: 0 } },
      ],
      edges: [{ id: 'ab', from: { node: 'a', port: 'out' }, to: { node: 'b', port: 'in' } }],
    }),
    flow('flow-2'),
  ],
  roles: [{ id: 'hall-button', capability: 'button@1' }],
});

/** An editor whose validation runs on the spot (as the app's worker would, a moment later). */
const editorWith = (design: Design = wired(), validator?: Validator) => {
  const editor = new FlowEditor(() => capabilities, counter(), validator);
  editor.load(design);
  return editor;
};

const delayOffer: Offer = {
  id: 'logic.delay',
  label: 'Delay',
  detail: 'Logic',
  icon: '',
  kind: 'logic.delay',
  config: {},
};

const relay: SiteDevice = { id: 'hall-relay', name: 'Hall relay', model: 'tasmota-relay', identity: {} };
const pushButton: SiteDevice = { id: 'hall-switch', name: 'Hall switch', model: 'shelly-i3', identity: {} };

const nodesOf = (editor: FlowEditor, flowId = 'flow-1') =>
  editor.design.flows.find((f) => f.id === flowId)?.nodes ?? [];

describe('FlowEditor: loading', () => {
  it('opens the first flow with nothing selected and nothing to undo', () => {
    const editor = editorWith();
    editor.selectedNodes = new Set(['a']);
    editor.addOffer(delayOffer, { x: 0, y: 0 });
    editor.load(wired());
    expect(editor.activeFlowId).toBe('flow-1');
    expect(editor.activeFlow?.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(editor.selectedNodes.size).toBe(0);
    expect(editor.canUndo).toBe(false);
    expect(editor.canRedo).toBe(false);
  });

  it('has no active flow when the design has none', () => {
    const editor = editorWith({ flows: [], roles: [] });
    expect(editor.activeFlow).toBeNull();
    editor.addOffer(delayOffer, { x: 0, y: 0 });
    editor.selectAll();
    editor.deleteSelection();
    expect(editor.design.flows).toEqual([]);
    expect(editor.canUndo).toBe(false);
  });
});

describe('FlowEditor: commands and undo', () => {
  it('adds a node on the grid, selects it, and undo/redo take it away and back', () => {
    const editor = editorWith();
    editor.addOffer(delayOffer, { x: 111, y: 49 });
    const added = nodesOf(editor).at(-1)!;
    expect(added).toMatchObject({ kind: 'logic.delay', position: { x: 120, y: 40 }, config: { seconds: 5 } });
    expect([...(editor.selectRequest ?? [])]).toEqual([added.id]);
    expect(editor.canUndo).toBe(true);

    editor.undo();
    expect(nodesOf(editor).map((n) => n.id)).toEqual(['a', 'b']);
    expect(editor.status).toBe('Undid add delay');
    expect(editor.canRedo).toBe(true);

    editor.redo();
    expect(nodesOf(editor).at(-1)).toEqual(added);
    expect(editor.status).toBe('Redid add delay');
  });

  it('ignores an offer of a kind the catalog does not have', () => {
    const editor = editorWith();
    editor.addOffer({ ...delayOffer, kind: 'logic.nothing-like-this' }, { x: 0, y: 0 });
    expect(nodesOf(editor)).toHaveLength(2);
    expect(editor.canUndo).toBe(false);
  });

  it('a new edit after undo drops the redo', () => {
    const editor = editorWith();
    editor.renameFlow('flow-1', 'Lights');
    editor.undo();
    editor.renameFlow('flow-1', 'Heating');
    expect(editor.canRedo).toBe(false);
    editor.redo();
    expect(editor.design.flows[0]!.name).toBe('Heating');
  });

  it('makes one undo step of the keystrokes typed into one field, and a new one per field', () => {
    const editor = editorWith();
    for (const seconds of [1, 10, 100]) editor.setField('a', 'seconds', seconds, true);
    editor.setField('a', 'label', 'wait', true);
    expect(nodesOf(editor)[0]!.config).toEqual({ seconds: 100, label: 'wait' });

    editor.undo();
    expect(nodesOf(editor)[0]!.config).toEqual({ seconds: 100 });
    editor.undo();
    expect(nodesOf(editor)[0]!.config).toEqual({ seconds: 1 });
    expect(editor.canUndo).toBe(false);
  });

  it('starts a new step when typing resumes after an undo', () => {
    const editor = editorWith();
    editor.setField('a', 'seconds', 3, true);
    editor.setField('a', 'seconds', 4, true);
    editor.undo();
    editor.setField('a', 'seconds', 7, true);
    editor.undo();
    expect(nodesOf(editor)[0]!.config).toEqual({ seconds: 1 });
    expect(editor.canUndo).toBe(false);
  });

  it('records edits that are not live as one step each, and clears a field given undefined', () => {
    const editor = editorWith();
    editor.setField('a', 'seconds', 3, false);
    editor.setField('a', 'seconds', 4, false);
    editor.setField('a', 'seconds', undefined, false);
    expect(nodesOf(editor)[0]!.config).toEqual({});
    editor.undo();
    editor.undo();
    expect(nodesOf(editor)[0]!.config).toEqual({ seconds: 3 });
  });

  it('stores a plain copy of a value, not the object the inspector keeps editing', () => {
    const editor = editorWith();
    const rules = [{ when: 'payload > 1' }];
    editor.setField('a', 'rules', rules, false);
    rules[0]!.when = 'changed later';
    expect(nodesOf(editor)[0]!.config.rules).toEqual([{ when: 'payload > 1' }]);
  });

  it('moves only nodes that moved, naming the step by how many', () => {
    const editor = editorWith();
    editor.move(new Map([['a', { x: 0, y: 0 }]]));
    expect(editor.canUndo).toBe(false);
    editor.move(
      new Map([
        ['a', { x: 20, y: 20 }],
        ['b', { x: 320, y: 20 }],
      ]),
    );
    editor.undo();
    expect(editor.status).toBe('Undid move 2 nodes');
    expect(nodesOf(editor).map((n) => n.position)).toEqual([
      { x: 0, y: 0 },
      { x: 300, y: 0 },
    ]);
  });

  it('shows the flow an undo or redo changed', () => {
    const editor = editorWith();
    editor.activeFlowId = 'flow-2';
    editor.addOffer(delayOffer, { x: 0, y: 0 });
    editor.activeFlowId = 'flow-1';
    editor.undo();
    expect(editor.activeFlowId).toBe('flow-2');
    expect(nodesOf(editor, 'flow-2')).toEqual([]);
    editor.activeFlowId = 'flow-1';
    editor.redo();
    expect(editor.activeFlowId).toBe('flow-2');
  });

  it('closing the open flow shows another, and undo brings it back with its nodes', () => {
    const editor = editorWith();
    editor.closeFlow('flow-1');
    expect(editor.design.flows.map((f) => f.id)).toEqual(['flow-2']);
    expect(editor.activeFlowId).toBe('flow-2');
    editor.undo();
    expect(editor.activeFlowId).toBe('flow-1');
    expect(nodesOf(editor)).toHaveLength(2);
  });

  it('falls back to a remaining flow when undo removes the open one', () => {
    const editor = editorWith();
    editor.newFlow();
    expect(editor.design.flows.at(-1)).toEqual(flow('flow-new1', { name: 'Flow 3' }));
    expect(editor.activeFlowId).toBe('flow-new1');
    editor.undo();
    expect(editor.design.flows.map((f) => f.id)).toEqual(['flow-1', 'flow-2']);
    expect(editor.activeFlowId).toBe('flow-1');
  });

  it('adds an imported flow as one step and shows it', () => {
    const editor = editorWith();
    editor.addImportedFlow(flow('imported', { name: 'From Node-RED' }));
    expect(editor.activeFlowId).toBe('imported');
    editor.undo();
    expect(editor.design.flows.map((f) => f.id)).toEqual(['flow-1', 'flow-2']);
  });

  it('bumps the revision on every edit, undo and redo, so buttons re-read canUndo', () => {
    const editor = editorWith();
    const start = editor.revision;
    editor.renameFlow('flow-1', 'Lights');
    editor.undo();
    editor.redo();
    expect(editor.revision).toBe(start + 3);
    editor.renameFlow('flow-1', 'Lights');
    expect(editor.revision).toBe(start + 3);
  });
});

describe('FlowEditor: selection and clipboard', () => {
  it('selects every node of the open flow', () => {
    const editor = editorWith();
    editor.selectAll();
    expect([...(editor.selectRequest ?? [])]).toEqual(['a', 'b']);
  });

  it('deletes the selected nodes with their wires as one step', () => {
    const editor = editorWith();
    editor.selectedNodes = new Set(['b']);
    editor.deleteSelection();
    expect(editor.activeFlow?.nodes.map((n) => n.id)).toEqual(['a']);
    expect(editor.activeFlow?.edges).toEqual([]);
    editor.undo();
    expect(editor.status).toBe('Undid delete nodes');
    expect(editor.activeFlow?.edges.map((e) => e.id)).toEqual(['ab']);
  });

  it('deletes a selected wire alone', () => {
    const editor = editorWith();
    editor.selectedEdges = new Set(['ab']);
    editor.deleteSelection();
    expect(editor.activeFlow?.nodes).toHaveLength(2);
    expect(editor.activeFlow?.edges).toEqual([]);
    editor.undo();
    expect(editor.status).toBe('Undid delete wires');
  });

  it('copies nothing when nothing is selected', () => {
    const editor = editorWith();
    expect(editor.copyText()).toBeNull();
  });

  it('pastes a copied selection with new ids, its wire rewired, beside the originals, and selects it', () => {
    const editor = editorWith();
    editor.selectedNodes = new Set(['a', 'b']);
    const text = editor.copyText()!;
    editor.activeFlowId = 'flow-2';
    expect(editor.pasteText(text)).toBe(true);
    const pasted = editor.activeFlow!;
    expect(pasted.nodes.map((n) => n.position)).toEqual([
      { x: 40, y: 40 },
      { x: 340, y: 40 },
    ]);
    const ids = pasted.nodes.map((n) => n.id);
    expect(ids).not.toContain('a');
    expect(pasted.edges).toHaveLength(1);
    expect(pasted.edges[0]).toMatchObject({ from: { node: ids[0] }, to: { node: ids[1] } });
    expect([...(editor.selectRequest ?? [])]).toEqual(ids);
    editor.undo();
    expect(editor.status).toBe('Undid paste 2 nodes');
  });

  it('pastes at the cursor when one is given', () => {
    const editor = editorWith();
    editor.selectedNodes = new Set(['b']);
    editor.pasteText(editor.copyText()!, { x: 1000, y: 500 });
    expect(nodesOf(editor).at(-1)!.position).toEqual({ x: 1000, y: 500 });
  });

  it('duplicates the selection in the same flow', () => {
    const editor = editorWith();
    editor.selectedNodes = new Set(['a']);
    editor.duplicate();
    expect(nodesOf(editor)).toHaveLength(3);
    expect(nodesOf(editor).at(-1)).toMatchObject({ kind: 'logic.delay', config: { seconds: 1 } });
  });

  it('says why a paste did nothing: ordinary text, or a selection that is broken', () => {
    const editor = editorWith();
    expect(editor.pasteText('hello')).toBe(false);
    expect(editor.status).toBe('The clipboard holds no Fieldgraph nodes.');
    const broken = {
      format: 'fieldgraph/selection',
      version: 1,
      nodes: [{ id: 'x' }],
      edges: [],
      groups: [],
    };
    expect(editor.pasteText(JSON.stringify(broken))).toBe(false);
    expect(editor.status).toMatch(/Node 1 of the pasted text needs/);
    expect(editor.pasteText(JSON.stringify({ ...broken, version: 2 }))).toBe(false);
    expect(editor.status).toMatch(/format version 2; this Fieldgraph reads version 1/);
    expect(nodesOf(editor)).toHaveLength(2);
    expect(editor.canUndo).toBe(false);
  });

  it('groups the selection under a label cut to the flow format’s 120 characters', () => {
    const editor = editorWith();
    editor.selectedNodes = new Set(['a', 'b']);
    editor.group('x'.repeat(500));
    const group = editor.activeFlow!.groups[0]!;
    expect(group.label).toHaveLength(120);
    expect(editor.activeFlow!.nodes.every((n) => n.group === group.id)).toBe(true);
    editor.relabelGroup(group.id, 'Hall');
    expect(editor.activeFlow!.groups[0]!.label).toBe('Hall');
    editor.ungroup(group.id);
    expect(editor.activeFlow!.groups).toEqual([]);
    expect(editor.activeFlow!.nodes.some((n) => n.group)).toBe(false);
    expect(nodesOf(editor).map((n) => n.position)).toEqual([
      { x: 0, y: 0 },
      { x: 300, y: 0 },
    ]);
  });

  it('groups nothing when nothing is selected', () => {
    const editor = editorWith();
    editor.group('Hall');
    expect(editor.activeFlow!.groups).toEqual([]);
  });
});

describe('FlowEditor: roles and site devices', () => {
  it('refuses a second role with the same id, saying so', () => {
    const editor = editorWith();
    editor.addRole({ id: 'hall-button', capability: 'switch@1' });
    expect(editor.design.roles).toEqual([{ id: 'hall-button', capability: 'button@1' }]);
    expect(editor.status).toContain('There is already a role “hall-button”');
    editor.addRole({ id: 'hall-light', capability: 'switch@1' });
    expect(editor.design.roles.map((r) => r.id)).toEqual(['hall-button', 'hall-light']);
  });

  it('knows the capabilities of its roles, and only of roles the library has', () => {
    const editor = editorWith();
    editor.addRole({ id: 'mystery', capability: 'no-such-thing@1' });
    expect(editor.roles.map((r) => r.name)).toEqual(['hall-button']);
    expect(Object.keys(editor.roles[0]!.capability.events)).toEqual(['pressed']);
  });

  it('binds a role to a device new to the site in one step, and undo takes both back', () => {
    const editor = editorWith();
    editor.bindRole('hall-button', pushButton, 'input-0');
    expect(editor.design.roles[0]).toEqual({
      id: 'hall-button',
      capability: 'button@1',
      device: 'hall-switch',
      implementation: 'input-0',
    });
    expect(editor.design.devices).toEqual([pushButton]);
    editor.undo();
    expect(editor.status).toBe('Undid bind role');
    expect(editor.design.roles[0]).toEqual({ id: 'hall-button', capability: 'button@1' });
    expect(editor.design.devices).toEqual([]);
  });

  it('unbinding keeps the device on the site; binding again as it is changes nothing', () => {
    const editor = editorWith();
    editor.bindRole('hall-button', pushButton);
    editor.bindRole('hall-button', pushButton);
    editor.bindRole('hall-button', null);
    expect(editor.design.roles[0]!.device).toBeUndefined();
    expect(editor.design.devices).toEqual([pushButton]);
    editor.undo();
    expect(editor.status).toBe('Undid unbind role');
    editor.undo();
    expect(editor.canUndo).toBe(false);
  });

  it('adds a dragged device’s role and the device with its node, in one step', () => {
    const editor = editorWith();
    const offer: Offer = {
      ...delayOffer,
      id: 'relay',
      kind: 'action.device-action',
      config: { role: 'hall-light', action: 'toggle' },
      newRole: { id: 'hall-light', capability: 'switch@1', device: 'hall-relay' },
      newDevice: relay,
    };
    editor.addOffer(offer, { x: 0, y: 0 });
    expect(editor.design.roles.map((r) => r.id)).toEqual(['hall-button', 'hall-light']);
    expect(editor.design.devices).toEqual([relay]);
    expect(nodesOf(editor).at(-1)!.config).toMatchObject({ role: 'hall-light', action: 'toggle' });
    editor.undo();
    expect(editor.design.roles.map((r) => r.id)).toEqual(['hall-button']);
    expect(editor.design.devices ?? []).toEqual([]);
    expect(nodesOf(editor)).toHaveLength(2);

    editor.redo();
    editor.addOffer(offer, { x: 100, y: 0 });
    expect(editor.design.roles.map((r) => r.id)).toEqual(['hall-button', 'hall-light']);
    expect(editor.design.devices).toEqual([relay]);
  });

  it('sets and clears a device setting and its login as undoable steps', () => {
    const editor = editorWith({ ...wired(), devices: [relay] });
    editor.setDeviceSetting('hall-relay', 'topic', 'tasmota_hall');
    expect(editor.design.devices![0]!.variables).toEqual({ topic: 'tasmota_hall' });
    editor.setDeviceSetting('hall-relay', 'topic', undefined);
    expect(editor.design.devices![0]).toEqual(relay);
    editor.undo();
    expect(editor.status).toBe('Undid clear topic');
    expect(editor.design.devices![0]!.variables).toEqual({ topic: 'tasmota_hall' });

    const auth = { username: 'admin', password: { secret: 'device/site-1/hall-relay/password' } };
    editor.setDeviceAuth('hall-relay', auth);
    expect(editor.design.devices![0]!.auth).toEqual(auth);
    editor.setDeviceAuth('hall-relay', undefined);
    expect(editor.design.devices![0]!.auth).toBeUndefined();
    editor.undo();
    expect(editor.status).toBe('Undid remove login of hall relay');

    editor.setDeviceSetting('not-on-site', 'topic', 'x');
    expect(editor.design.devices).toHaveLength(1);
  });

  it('loading another site shows its bindings and devices, and the previous site’s edits cannot be undone there', () => {
    const editor = editorWith();
    editor.addRole({ id: 'hall-light', capability: 'switch@1' });
    editor.bindRole('hall-button', pushButton);
    editor.loadSite([relay], [{ role: 'hall-light', device: 'hall-relay', implementation: 'relay-1' }]);
    expect(editor.design.roles).toEqual([
      { id: 'hall-button', capability: 'button@1' },
      { id: 'hall-light', capability: 'switch@1', device: 'hall-relay', implementation: 'relay-1' },
    ]);
    expect(editor.design.devices).toEqual([relay]);
    expect(editor.canUndo).toBe(false);
    editor.undo();
    expect(editor.design.devices).toEqual([relay]);
  });

  it('removes a role as one step', () => {
    const editor = editorWith();
    editor.removeRole('hall-button');
    expect(editor.design.roles).toEqual([]);
    editor.removeRole('hall-button');
    editor.undo();
    expect(editor.design.roles.map((r) => r.id)).toEqual(['hall-button']);
  });
});

describe('FlowEditor: problems', () => {
  it('validates the design after each edit', async () => {
    const editor = new FlowEditor(() => capabilities, counter());
    editor.load(wired());
    flushSync();
    const noTrigger = (p: Problem) => p.flow === 'flow-1' && p.message.startsWith('The flow has no trigger');
    await vi.waitFor(() => expect(editor.problems.filter(noTrigger)).toHaveLength(1));

    editor.addOffer(
      { ...delayOffer, kind: 'trigger.device-event', config: { role: 'no-such-role', event: 'pressed' } },
      { x: 0, y: 200 },
    );
    flushSync();
    const id = nodesOf(editor).at(-1)!.id;
    await vi.waitFor(() =>
      expect(editor.problems.some((p) => p.node === id && p.severity === 'error')).toBe(true),
    );

    expect(editor.problems.some(noTrigger)).toBe(false);

    editor.undo();
    flushSync();
    await vi.waitFor(() => expect(editor.problems.some(noTrigger)).toBe(true));
    expect(editor.problems.some((p) => p.node === id)).toBe(false);
  });

  it('waits for the library: no problems while it loads, then the roles resolve against each reading', async () => {
    const source = $state<{ library: ReadonlyMap<string, CapabilityInfo> | null }>({ library: null });
    const asked: number[] = [];
    const editor = new FlowEditor(
      () => source.library,
      counter(),
      async (design, roles) => {
        asked.push(roles.length);
        return validateDesign(design, roles);
      },
    );
    const pressed = {
      id: 't',
      kind: 'trigger.device-event',
      config: { role: 'hall-button', event: 'pressed' },
      position: { x: 0, y: 0 },
    };
    editor.load({
      flows: [flow('flow-1', { nodes: [pressed] })],
      roles: [{ id: 'hall-button', capability: 'button@1' }],
    });
    flushSync();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(editor.ready).toBe(false);
    expect(asked).toEqual([]);
    expect(editor.problems).toEqual([]);
    expect(editor.design.flows[0]!.nodes).toHaveLength(1);

    source.library = capabilities;
    flushSync();
    await vi.waitFor(() => expect(asked).toEqual([1]));
    expect(editor.ready).toBe(true);
    expect(editor.roles.map((r) => r.name)).toEqual(['hall-button']);
    expect(editor.problems.filter((p) => p.node === 't' && p.severity === 'error')).toEqual([]);

    // A new reading without button@1 (the project that defined it closed): the role is unknown now.
    source.library = new Map([...capabilities].filter(([id]) => id !== 'button@1'));
    flushSync();
    await vi.waitFor(() =>
      expect(editor.problems.some((p) => p.node === 't' && p.severity === 'error')).toBe(true),
    );
    expect(editor.roles).toEqual([]);
  });

  it('keeps the answer for the latest design when an older validation finishes last', async () => {
    const pending: ((problems: Problem[]) => void)[] = [];
    const validator: Validator = () => new Promise((resolve) => pending.push(resolve));
    const editor = editorWith(wired(), validator);
    flushSync();
    editor.renameFlow('flow-1', 'Lights');
    flushSync();
    expect(pending).toHaveLength(2);

    const latest: Problem = { flow: 'flow-1', severity: 'warning', message: 'latest' };
    pending[1]!([latest]);
    await Promise.resolve();
    pending[0]!([{ flow: 'flow-1', severity: 'error', message: 'stale' }]);
    await Promise.resolve();
    expect(editor.problems).toEqual([latest]);
  });
});
