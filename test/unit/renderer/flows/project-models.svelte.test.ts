import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  clearProjectModels,
  deviceCatalog,
  followLibrary,
  loadLibrary,
} from '../../../../renderer/src/flows/project-models.svelte';
import { projectState } from '../../../../renderer/src/project/project-state.svelte';
import { fakeApi as fake, memoryProject } from '../../../helpers/fake-api';
import { builtinLibrary, deskLamp, doorCapability, libraryService } from '../../../helpers/library';

vi.mock('../../../../renderer/src/api', async () => ({
  api: (await import('../../../helpers/fake-api')).fakeApi.api,
}));

const PATH = '/projects/hall';
let project: ReturnType<typeof memoryProject>;

const reads = () => fake.callsTo('library.documents').length;

/** Shows the project (or none) as the window's project state would after an event. */
const show = (open: boolean) => {
  projectState.summary = open ? project.summary() : null;
  flushSync();
};

beforeEach(() => {
  fake.reset();
  project = memoryProject(PATH);
  fake.services.project = project.project;
  fake.services.library = libraryService(project.openProjectModels);
  show(false);
  clearProjectModels();
});

describe('the Flows view’s library', () => {
  it('is loading until the built-in library arrives through the API, then holds every valid file', async () => {
    expect(deviceCatalog.status).toBe('loading');
    expect(deviceCatalog.capabilities.size).toBe(0);
    await loadLibrary();
    expect(deviceCatalog.status).toBe('ready');
    expect(reads()).toBe(1);
    expect(deviceCatalog.catalog.models.size).toBe(builtinLibrary.models.length);
    expect(deviceCatalog.capabilities.size).toBe(builtinLibrary.capabilities.length);
    // Flattened by core's rule: a colour light has its dimmer's and its switch's members.
    expect(Object.keys(deviceCatalog.capabilities.get('color-light@1')!.shape.properties)).toEqual(
      expect.arrayContaining(['on', 'brightness']),
    );
  });

  it('adds the project’s models and capabilities, telling one from the other, and leaves out what does not load', async () => {
    project.put('models', 'desk-lamp', deskLamp);
    project.put('models', 'acme-door', doorCapability);
    project.put('models', 'notes', { id: 'notes', text: 'neither a model nor a capability' });
    show(true);
    await loadLibrary();
    expect(deviceCatalog.projectPath).toBe(PATH);
    expect(deviceCatalog.projectModels).toEqual([deskLamp]);
    expect(deviceCatalog.projectCapabilities).toEqual([doorCapability]);
    expect(deviceCatalog.catalog.models.size).toBe(builtinLibrary.models.length + 1);
    // The editor's lookups include the project's own capability, inherited members and all.
    const door = deviceCatalog.capabilities.get('acme-door@1')!;
    expect(Object.keys(door.shape.events)).toContain('slammed');
    expect(Object.keys(door.shape.properties)).toContain('on');
  });

  it('lets a project model replace the library’s model of the same id', async () => {
    const library = builtinLibrary.models[0]!;
    project.put('models', library.id, { ...library, title: 'Our own build' });
    show(true);
    await loadLibrary();
    expect(deviceCatalog.catalog.models.get(library.id)?.title).toBe('Our own build');
    expect(deviceCatalog.catalog.models.size).toBe(builtinLibrary.models.length);
  });

  it('keeps its lookups when a reading says what it holds already (a project with no models of its own)', async () => {
    await loadLibrary();
    const capabilities = deviceCatalog.capabilities;
    const catalog = deviceCatalog.catalog;
    show(true);
    await loadLibrary();
    expect(deviceCatalog.projectPath).toBe(PATH);
    expect(deviceCatalog.capabilities).toBe(capabilities);
    expect(deviceCatalog.catalog).toBe(catalog);
    project.put('models', 'desk-lamp', deskLamp);
    show(true);
    await loadLibrary();
    expect(deviceCatalog.catalog).not.toBe(catalog);
  });

  it('reads again when the project opens or its models change, not on other edits', async () => {
    followLibrary();
    await vi.waitFor(() => expect(deviceCatalog.status).toBe('ready'));
    const before = reads();
    show(true);
    await vi.waitFor(() => expect(reads()).toBe(before + 1));
    await vi.waitFor(() => expect(deviceCatalog.projectPath).toBe(PATH));

    await fake.api.project.putDocument({ kind: 'flows', id: 'f', document: { name: 'F' } });
    show(true);
    await fake.api.project.setRoles({ roles: [] });
    show(true);
    expect(reads()).toBe(before + 1);

    await fake.api.project.putDocument({ kind: 'models', id: 'desk-lamp', document: deskLamp });
    show(true);
    await vi.waitFor(() => expect(deviceCatalog.projectModels.map((m) => m.id)).toEqual(['desk-lamp']));
    expect(reads()).toBe(before + 2);

    // Closing drops the project's part at once, without a read.
    show(false);
    expect(deviceCatalog.projectModels).toEqual([]);
    expect(deviceCatalog.projectPath).toBeNull();
    expect(reads()).toBe(before + 2);
  });

  it('drops an answer for a project already closed, and joins a read under way for the same project', async () => {
    project.put('models', 'desk-lamp', deskLamp);
    show(true);
    const real = fake.services.library!.documents!;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fake.services.library = {
      documents: async (args, context) => {
        await gate;
        return real(args, context);
      },
    };
    const first = loadLibrary();
    expect(loadLibrary()).toBe(first);
    show(false);
    clearProjectModels();
    release();
    await first;
    expect(reads()).toBe(1);
    expect(deviceCatalog.projectModels).toEqual([]);
  });

  it('keeps the library it has when a read fails, and says why', async () => {
    await loadLibrary();
    fake.services.library = {};
    show(true);
    await loadLibrary();
    expect(deviceCatalog.status).toBe('ready');
    expect(deviceCatalog.error).toMatch(/^The device library could not be read: library\.documents/);
    expect(deviceCatalog.catalog.models.size).toBe(builtinLibrary.models.length);
  });
});
