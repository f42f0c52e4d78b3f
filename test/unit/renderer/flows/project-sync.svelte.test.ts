import { flushSync } from 'svelte';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Flow, SiteDevice } from '../../../../renderer/src/canvas/types';
import { toFlowDocument } from '../../../../renderer/src/flows/documents';
import {
  flowsDirty,
  followProject,
  newSite,
  saveEverything,
  saveFlows,
  selectSite,
  sync,
  unsavedWork,
} from '../../../../renderer/src/flows/project-sync.svelte';
import { editor } from '../../../../renderer/src/flows/session.svelte';
import { sites } from '../../../../renderer/src/flows/sites.svelte';
import {
  closeProject,
  openProject,
  projectDialog,
  projectState,
} from '../../../../renderer/src/project/project-state.svelte';
import { asking, settle } from '../../../../renderer/src/shell/ask.svelte';
import { fakeApi as fake, memoryProject } from '../../../helpers/fake-api';
import { doorCapability, libraryService } from '../../../helpers/library';

vi.mock('../../../../renderer/src/api', async () => ({
  api: (await import('../../../helpers/fake-api')).fakeApi.api,
}));

const PATH = '/projects/hall';
let project: ReturnType<typeof memoryProject>;

const relay: SiteDevice = { id: 'hall-relay', name: 'Hall relay', model: 'tasmota-relay', identity: {} };
const lamp: SiteDevice = { id: 'porch-lamp', name: 'Porch lamp', model: 'shelly-plus-1', identity: {} };

const lights: Flow = {
  id: 'lights',
  name: 'Lights',
  nodes: [{ id: 'n1', kind: 'logic.delay', config: { seconds: 1 }, position: { x: 0, y: 0 } }],
  edges: [],
  groups: [],
};

const emptyCanvas = () =>
  editor.load({ flows: [{ id: 'flow-1', name: 'Flow 1', nodes: [], edges: [], groups: [] }], roles: [] });

/** A project with the Lights flow, a light role, and its Home site binding it to the relay. */
const furnish = () => {
  project.put('flows', 'lights', toFlowDocument(lights));
  project.state.roles = [{ id: 'light', capability: 'switch@1' }];
  project.put('sites', 'home', {
    schemaVersion: 1,
    id: 'home',
    name: 'Home',
    rooms: [],
    devices: [relay],
    bindings: [{ role: 'light', device: 'hall-relay' }],
    gateways: [],
  });
};

/** Opens the project as the start page does, and waits until the Flows view shows it. */
const open = async () => {
  expect(await openProject(PATH)).toBe(true);
  flushSync();
  await vi.waitFor(() => expect(sync.path).toBe(PATH));
};

/** Waits until every edit so far has reached the project (the autosave's 200 ms included). */
const sent = async () => {
  flushSync();
  vi.advanceTimersByTime(250);
  await vi.waitFor(() => expect(sync.pending).toBe(false), { interval: 1 });
};

const callsTo = (method: string) => fake.callsTo(`project.${method}`);
const writes = () =>
  fake.calls.filter((c) => /^project\.(put|patch|delete)Document$|^project\.setRoles$/.test(c.method));

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  followProject();
});
afterAll(() => vi.useRealTimers());

beforeEach(async () => {
  // Close whatever the last test left open, then start from an empty canvas and a new project.
  if (projectState.summary) await closeProject(true);
  projectState.summary = null;
  flushSync();
  await vi.waitFor(() => expect(sync.path).toBeNull());
  while (asking.current) settle();
  projectDialog.mode = null;
  emptyCanvas();
  editor.status = '';
  fake.reset();
  project = memoryProject(PATH, (summary) =>
    fake.emit('onProjectChanged', { path: summary?.path ?? null, dirty: summary?.dirty ?? false, summary }),
  );
  project.state.open = false;
  fake.services.project = {
    ...project.project,
    pickFolder: () => ({ native: false, path: null }),
  };
  fake.services.library = libraryService(project.openProjectModels);
});

describe('opening a project', () => {
  it('shows its flows, roles and the selected site’s bindings, and writes nothing back', async () => {
    furnish();
    await open();
    expect(editor.design.flows).toEqual([{ ...lights, saved: { runMode: { mode: 'single', max: 10 } } }]);
    expect(editor.design.roles).toEqual([{ id: 'light', capability: 'switch@1', device: 'hall-relay' }]);
    expect(editor.design.devices).toEqual([relay]);
    expect(sites.selected).toBe('home');
    expect(editor.canUndo).toBe(false);
    vi.advanceTimersByTime(1000);
    await vi.waitFor(() => expect(sync.loading).toBe(false));
    expect(writes()).toEqual([]);
    expect(flowsDirty()).toBe(false);
    expect(unsavedWork()).toBe(false);
  });

  it('reads the project’s own capabilities before it shows the flows, so their roles are never unknown', async () => {
    furnish();
    project.put('models', 'acme-door', doorCapability);
    project.state.roles = [{ id: 'door', capability: doorCapability.id }];
    const seen: string[][] = [];
    $effect.root(() => {
      $effect(() => {
        if (editor.design.roles.some((r) => r.id === 'door')) seen.push(editor.roles.map((r) => r.name));
      });
    });
    await open();
    flushSync();
    expect(editor.ready).toBe(true);
    expect(editor.roles.find((r) => r.name === 'door')?.capability.events).toHaveProperty('slammed');
    // From the first frame that shows the project's roles, the door's capability is known.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((names) => names.includes('door'))).toBe(true);
  });

  it('says why when the project’s flows cannot be listed', async () => {
    project.fail('listDocuments', 'The flows folder cannot be read.');
    expect(await openProject(PATH)).toBe(true);
    flushSync();
    await vi.waitFor(() => expect(sync.error).toBe('The flows folder cannot be read.'));
    expect(sync.path).toBeNull();
  });
});

describe('autosave', () => {
  it('shows an edit as unsaved at once and sends only the node that changed', async () => {
    furnish();
    await open();
    editor.move(new Map([['n1', { x: 40, y: 0 }]]));
    flushSync();
    expect(sync.pending).toBe(true);
    expect(flowsDirty()).toBe(true);
    expect(unsavedWork()).toBe(true);
    expect(writes()).toEqual([]);

    await sent();
    expect(callsTo('patchDocument').map((c) => c.args)).toEqual([
      {
        kind: 'flows',
        id: 'lights',
        ops: [
          {
            op: 'put',
            path: ['nodes', { id: 'n1' }],
            value: { ...lights.nodes[0], position: { x: 40, y: 0 } },
          },
        ],
      },
    ]);
    expect(project.get('flows', 'lights')).toEqual(toFlowDocument(editor.design.flows[0]!));
    // Sent, but not saved: the project itself now has unsaved changes.
    expect(flowsDirty()).toBe(true);
  });

  it('never reads "Saved" between sending an edit and the project saying it has unsaved changes', async () => {
    furnish();
    await open();
    // The project's change event is held back, as a busy connection delivers it late.
    const held: (() => void)[] = [];
    const announce = fake.emit.bind(fake);
    const emit = vi.spyOn(fake, 'emit').mockImplementation((name, payload) => {
      if (name === 'onProjectChanged') held.push(() => announce(name, payload));
      else announce(name, payload);
    });
    try {
      editor.move(new Map([['n1', { x: 80, y: 0 }]]));
      await sent();
      expect(held.length).toBeGreaterThan(0);
      expect(projectState.summary?.dirty).toBe(true);
      expect(flowsDirty()).toBe(true);
    } finally {
      emit.mockRestore();
      for (const deliver of held) deliver();
    }
    expect(flowsDirty()).toBe(true);
  });

  it('sends the keystrokes typed within the autosave’s wait as one change', async () => {
    furnish();
    await open();
    for (const seconds of [2, 20, 200]) {
      editor.setField('n1', 'seconds', seconds, true);
      flushSync();
      vi.advanceTimersByTime(50);
    }
    await sent();
    expect(callsTo('patchDocument')).toHaveLength(1);
    expect(project.get('flows', 'lights')).toMatchObject({ nodes: [{ config: { seconds: 200 } }] });
  });

  it('sends a new flow whole, and removes a closed one from the project', async () => {
    furnish();
    await open();
    editor.newFlow();
    await sent();
    const added = editor.design.flows[1]!;
    expect(callsTo('putDocument').map((c) => c.args)).toEqual([
      { kind: 'flows', id: added.id, document: toFlowDocument(added) },
    ]);
    editor.closeFlow('lights');
    await sent();
    expect(callsTo('deleteDocument').map((c) => c.args)).toEqual([{ kind: 'flows', id: 'lights' }]);
    expect([...project.documents.keys()].filter((k) => k.startsWith('flows/'))).toEqual([
      `flows/${added.id}`,
    ]);
  });

  it('keeps roles in fieldgraph.json without their devices, and bindings in the site', async () => {
    furnish();
    await open();
    editor.addRole({ id: 'porch', capability: 'switch@1' });
    await sent();
    expect(callsTo('setRoles').map((c) => c.args)).toEqual([
      {
        roles: [
          { id: 'light', capability: 'switch@1' },
          { id: 'porch', capability: 'switch@1' },
        ],
      },
    ]);
    editor.bindRole('porch', lamp);
    await sent();
    expect(callsTo('setRoles')).toHaveLength(1);
    expect(project.get('sites', 'home')).toMatchObject({
      devices: [relay, lamp],
      bindings: [
        { role: 'light', device: 'hall-relay' },
        { role: 'porch', device: 'porch-lamp' },
      ],
    });
  });

  it('saving sends what waits first, then saves, and the window shows nothing unsaved', async () => {
    furnish();
    await open();
    editor.move(new Map([['n1', { x: 60, y: 20 }]]));
    flushSync();
    expect(await saveFlows()).toBe(true);
    expect(
      fake.calls
        .map((c) => c.method)
        .filter((m) => m !== 'project.current')
        .slice(-2),
    ).toEqual(['project.patchDocument', 'project.save']);
    expect(project.state.saves).toBe(1);
    flushSync();
    expect(sync.pending).toBe(false);
    expect(flowsDirty()).toBe(false);
    expect(unsavedWork()).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(callsTo('patchDocument')).toHaveLength(1);
  });

  it('says why a change could not be sent, keeps it unsaved, and sends it with the next edit', async () => {
    furnish();
    await open();
    project.fail('patchDocument', 'The project is being saved by another window.');
    editor.move(new Map([['n1', { x: 40, y: 0 }]]));
    flushSync();
    await vi.waitFor(() => expect(sync.error).toBe('The project is being saved by another window.'));
    expect(flowsDirty()).toBe(true);

    project.heal('patchDocument');
    editor.setField('n1', 'seconds', 9, false);
    await sent();
    expect(sync.error).toBeNull();
    expect(project.get('flows', 'lights')).toEqual(toFlowDocument(editor.design.flows[0]!));
    expect(project.get('flows', 'lights')).toMatchObject({
      nodes: [{ position: { x: 40, y: 0 }, config: { seconds: 9 } }],
    });
  });

  it('says why a closed flow could not be removed from the project, and removes it with the next edit', async () => {
    furnish();
    await open();
    editor.newFlow();
    await sent();
    project.fail('deleteDocument', 'flows/lights.json is locked by another program.');
    editor.closeFlow('lights');
    flushSync();
    await vi.waitFor(() => expect(sync.error).toBe('flows/lights.json is locked by another program.'));
    expect(flowsDirty()).toBe(true);
    expect(project.get('flows', 'lights')).toBeDefined();

    project.heal('deleteDocument');
    editor.renameFlow(editor.design.flows[0]!.id, 'Heating');
    await sent();
    expect(sync.error).toBeNull();
    expect(project.get('flows', 'lights')).toBeUndefined();
  });

  it('sends an edit made while the previous one is still on its way against what that one sent', async () => {
    furnish();
    await open();
    // The project applies each change as it arrives; only the first answer is slow to come back.
    let answer!: () => void;
    const late = new Promise<void>((resolve) => (answer = resolve));
    const patch = project.project.patchDocument;
    let calls = 0;
    fake.services.project = {
      ...fake.services.project,
      patchDocument: async (args, context) => {
        const result = patch(args, context);
        if (++calls === 1) await late;
        return result;
      },
    };
    editor.selectedNodes = new Set(['n1']);
    editor.deleteSelection();
    flushSync();
    vi.advanceTimersByTime(250);
    await vi.waitFor(() => expect(calls).toBe(1));

    editor.setField('n1', 'seconds', 3, false);
    editor.addOffer(
      { id: 'logic.delay', label: 'Delay', detail: 'Logic', icon: '', kind: 'logic.delay', config: {} },
      { x: 200, y: 0 },
    );
    flushSync();
    vi.advanceTimersByTime(250);
    await Promise.resolve();
    answer();
    await sent();
    expect(sync.error).toBeNull();
    expect(project.get('flows', 'lights')).toEqual(toFlowDocument(editor.design.flows[0]!));
  });

  it('never writes into a project open read-only', async () => {
    furnish();
    project.state.readOnly = true;
    await open();
    editor.move(new Map([['n1', { x: 40, y: 0 }]]));
    await sent();
    expect(writes()).toEqual([]);
  });
});

describe('closing a project', () => {
  it('empties the canvas and forgets the project’s sites', async () => {
    furnish();
    await open();
    expect(await closeProject(true)).toBe(true);
    flushSync();
    await vi.waitFor(() => expect(sync.path).toBeNull());
    expect(editor.design.flows).toEqual([{ id: 'flow-1', name: 'Flow 1', nodes: [], edges: [], groups: [] }]);
    expect(editor.design.roles).toEqual([]);
    expect(sites.list).toEqual([]);
    expect(unsavedWork()).toBe(false);
  });
});

describe('a drawing made with no project open', () => {
  const draw = () =>
    editor.addOffer(
      { id: 'logic.delay', label: 'Delay', detail: 'Logic', icon: '', kind: 'logic.delay', config: {} },
      { x: 100, y: 100 },
    );

  it('counts as unsaved work, though there is no project to be dirty', () => {
    expect(unsavedWork()).toBe(false);
    draw();
    expect(unsavedWork()).toBe(true);
    expect(flowsDirty()).toBe(false);
  });

  it('becomes the content of a new, empty project, undo history and all', async () => {
    draw();
    const drawn = editor.design.flows[0]!;
    await open();
    await sent();
    expect(editor.status).toBe('Your drawing (1 node) is now part of “Hall”.');
    expect(project.get('flows', 'flow-1')).toEqual(toFlowDocument(drawn));
    expect(editor.canUndo).toBe(true);
  });

  it('shows as unsaved from the moment it moves into the project, before it has reached it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const put = project.project.putDocument;
    fake.services.project = {
      ...fake.services.project,
      putDocument: async (args, context) => {
        await gate;
        return put(args, context);
      },
    };
    draw();
    await open();
    expect(editor.status).toBe('Your drawing (1 node) is now part of “Hall”.');
    expect(project.get('flows', 'flow-1')).toBeUndefined();
    expect(flowsDirty()).toBe(true);
    release();
    await sent();
    expect(project.get('flows', 'flow-1')).toBeDefined();
    expect(flowsDirty()).toBe(true);
  });

  it('is added beside the flows of a project that has some when the person says so', async () => {
    project.put('flows', 'flow-1', toFlowDocument({ ...lights, id: 'flow-1', name: 'Flow 1' }));
    draw();
    expect(await openProject(PATH)).toBe(true);
    flushSync();
    await vi.waitFor(() => expect(asking.current).not.toBeNull());
    expect(asking.current!.question).toMatchObject({
      title: 'Add your drawing to “Hall”?',
      confirm: 'Add to the project',
      cancel: 'Discard the drawing',
    });
    (asking.current!.answer as (yes: boolean) => void)(true);
    settle();
    await vi.waitFor(() => expect(sync.path).toBe(PATH));
    await sent();
    expect(editor.design.flows.map((f) => [f.id, f.name])).toEqual([
      ['flow-1', 'Flow 1'],
      ['flow-1-2', 'Flow 1 (2)'],
    ]);
    expect(editor.status).toBe('Your drawing was added to “Hall”.');
    expect(project.get('flows', 'flow-1-2')).toMatchObject({
      name: 'Flow 1 (2)',
      nodes: [{ kind: 'logic.delay' }],
    });
  });

  it('is dropped when the person discards it, and the project is left as it was', async () => {
    furnish();
    draw();
    expect(await openProject(PATH)).toBe(true);
    flushSync();
    await vi.waitFor(() => expect(asking.current).not.toBeNull());
    (asking.current!.answer as (yes: boolean) => void)(false);
    settle();
    await vi.waitFor(() => expect(sync.path).toBe(PATH));
    await sent();
    expect(editor.design.flows.map((f) => f.id)).toEqual(['lights']);
    expect(writes()).toEqual([]);
  });

  it('Ctrl+S asks for a project to keep it in; with nothing drawn it does nothing', async () => {
    await saveEverything();
    expect(projectDialog.mode).toBeNull();
    draw();
    await saveEverything();
    expect(projectDialog.mode).toBe('create');
    expect(editor.status).toBe('Create a project to save your drawing in; it moves into the new project.');
  });
});

describe('sites', () => {
  it('switching site sends the current site’s bindings first, then shows the other’s', async () => {
    furnish();
    project.put('sites', 'cellar', {
      schemaVersion: 1,
      id: 'cellar',
      name: 'Cellar',
      rooms: [],
      devices: [lamp],
      bindings: [{ role: 'light', device: 'porch-lamp' }],
      gateways: [],
    });
    await open();
    editor.bindRole('light', null);
    flushSync();
    await selectSite('cellar');
    expect(project.get('sites', 'home')).toMatchObject({ bindings: [] });
    expect(sites.selected).toBe('cellar');
    expect(editor.design.roles).toEqual([{ id: 'light', capability: 'switch@1', device: 'porch-lamp' }]);
    expect(editor.design.devices).toEqual([lamp]);
    expect(editor.canUndo).toBe(false);
    await sent();
    expect(project.get('sites', 'cellar')).toMatchObject({
      bindings: [{ role: 'light', device: 'porch-lamp' }],
    });
  });

  it('a new site starts with no bindings', async () => {
    furnish();
    await open();
    await newSite('Garage');
    expect(sites.selected).toBe('garage');
    expect(editor.design.roles).toEqual([{ id: 'light', capability: 'switch@1' }]);
    expect(editor.design.devices).toEqual([]);
    expect(project.get('sites', 'home')).toMatchObject({
      bindings: [{ role: 'light', device: 'hall-relay' }],
    });
  });
});
