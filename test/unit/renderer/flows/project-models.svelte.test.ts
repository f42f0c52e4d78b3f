import { beforeEach, describe, expect, it, vi } from 'vitest';
import { libraryModels } from '../../../../renderer/src/flows/devices.svelte';
import {
  clearProjectModels,
  deviceCatalog,
  loadProjectModels,
} from '../../../../renderer/src/flows/project-models.svelte';
import { fakeApi as fake, memoryProject } from '../../../helpers/fake-api';

vi.mock('../../../../renderer/src/api', async () => ({
  api: (await import('../../../helpers/fake-api')).fakeApi.api,
}));

let project: ReturnType<typeof memoryProject>;

const garageDoor = {
  schemaVersion: 1,
  id: 'acme-garage-door',
  title: 'ACME garage door',
  protocols: ['mqtt'],
  implements: { 'cover@1': { state: { topic: 'garage/state' } } },
};
const doorCapability = { schemaVersion: 1, id: 'acme-door@1', title: 'Door', properties: {} };

beforeEach(() => {
  clearProjectModels();
  fake.reset();
  project = memoryProject();
  fake.services.project = project.project;
});

describe('the Flows view’s device catalog', () => {
  it('is the built-in library when no project is open', () => {
    expect(deviceCatalog.catalog.models.size).toBe(libraryModels.length);
    expect(deviceCatalog.catalog.capabilities.get('switch@1')?.id).toBe('switch@1');
  });

  it('adds the project’s models and capabilities from models/, telling one from the other', async () => {
    project.put('models', 'acme-garage-door', garageDoor);
    project.put('models', 'acme-door', doorCapability);
    project.put('models', 'notes', { id: 'notes', text: 'neither a model nor a capability' });
    await loadProjectModels();
    expect(deviceCatalog.projectModels.map((m) => m.id)).toEqual(['acme-garage-door']);
    expect(deviceCatalog.projectCapabilities.map((c) => c.id)).toEqual(['acme-door@1']);
    expect(deviceCatalog.catalog.models.get('acme-garage-door')).toEqual(garageDoor);
    expect(deviceCatalog.catalog.capabilities.has('acme-door@1')).toBe(true);
    expect(deviceCatalog.catalog.models.size).toBe(libraryModels.length + 1);
  });

  it('lets a project model replace the library’s model of the same id', async () => {
    const library = libraryModels[0]!;
    const own = { ...library, title: 'Our own build' };
    project.put('models', library.id, own as unknown as Record<string, unknown>);
    await loadProjectModels();
    expect(deviceCatalog.catalog.models.get(library.id)?.title).toBe('Our own build');
    expect(deviceCatalog.catalog.models.size).toBe(libraryModels.length);
  });

  it('skips what cannot be read and forgets the project’s part when it closes', async () => {
    project.put('models', 'acme-garage-door', garageDoor);
    await loadProjectModels();
    project.fail('getDocument', 'models/acme-garage-door.json is not valid JSON.');
    await loadProjectModels();
    expect(deviceCatalog.projectModels).toEqual([]);
    project.heal('getDocument');
    await loadProjectModels();
    expect(deviceCatalog.projectModels).toHaveLength(1);
    clearProjectModels();
    expect(deviceCatalog.catalog.models.has('acme-garage-door')).toBe(false);
  });
});
