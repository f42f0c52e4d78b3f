import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FieldgraphError } from '../../../../shared/core/errors';
import {
  closeProject,
  closeProjectDialog,
  createProject,
  dismissProjectError,
  openProject,
  projectDialog,
  projectState,
  saveProject,
  startProjectDialog,
  watchProject,
} from '../../../../renderer/src/project/project-state.svelte';
import { fakeApi as fake, projectSummary } from '../../../helpers/fake-api';

vi.mock('../../../../renderer/src/api', async () => ({
  api: (await import('../../../helpers/fake-api')).fakeApi.api,
}));

const hall = projectSummary({ path: '/projects/hall', name: 'Hall' });

beforeEach(() => {
  fake.reset();
  projectState.summary = null;
  projectState.error = null;
  projectDialog.mode = null;
});

describe('the open project', () => {
  it('is read once and then follows what the service announces', async () => {
    let current: typeof hall | null = hall;
    fake.services.project = { current: () => current };
    watchProject();
    watchProject();
    await vi.waitFor(() => expect(projectState.summary).toEqual(hall));
    expect(fake.callsTo('project.current')).toHaveLength(1);

    const dirty = { ...hall, dirty: true };
    fake.emit('onProjectChanged', { path: hall.path, dirty: true, summary: dirty });
    expect(projectState.summary).toEqual(dirty);

    // An announcement without the summary: the state is read again.
    current = null;
    fake.emit('onProjectChanged', { path: null, dirty: false });
    await vi.waitFor(() => expect(projectState.summary).toBeNull());
  });

  it('opens a project, busy while the service works', async () => {
    let finish!: () => void;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    fake.services.project = {
      open: async () => {
        await slow;
        return hall;
      },
    };
    const opening = openProject('/projects/hall');
    expect(projectState.busy).toBe(true);
    finish();
    expect(await opening).toBe(true);
    expect(projectState.busy).toBe(false);
    expect(projectState.summary).toEqual(hall);
    expect(fake.callsTo('project.open').map((c) => c.args)).toEqual([{ path: '/projects/hall' }]);
  });

  it('says which file is wrong and how to fix it when a project does not open', async () => {
    fake.services.project = {
      open: () => {
        throw new FieldgraphError(
          'project.invalid',
          'The project has a file that does not match its schema.',
          {
            problems: [
              {
                path: 'flows/lights.json',
                message: 'nodes/0 has no kind',
                hint: 'Give the node a kind, or remove it.',
              },
            ],
          },
        );
      },
    };
    expect(await openProject('/projects/broken')).toBe(false);
    expect(projectState.error).toBe(
      'The project has a file that does not match its schema. Give the node a kind, or remove it.',
    );
    expect(projectState.summary).toBeNull();
    expect(projectState.busy).toBe(false);
    dismissProjectError();
    expect(projectState.error).toBeNull();
  });

  it('clears the last failure when the next action starts', async () => {
    projectState.error = 'Saving failed; the previous file was kept.';
    fake.services.project = { save: () => hall };
    expect(await saveProject()).toBe(true);
    expect(projectState.error).toBeNull();
  });

  it('keeps the project open when closing is refused, saying why', async () => {
    projectState.summary = { ...hall, dirty: true };
    fake.services.project = {
      close: ({ discardChanges }) => {
        if (!discardChanges)
          throw new FieldgraphError('project.unsaved_changes', 'Hall has unsaved changes.');
        return {};
      },
    };
    expect(await closeProject()).toBe(false);
    expect(projectState.error).toBe('Hall has unsaved changes.');
    expect(projectState.summary?.path).toBe('/projects/hall');
    expect(await closeProject(true)).toBe(true);
    expect(projectState.summary).toBeNull();
  });
});

describe('New and Open', () => {
  it('create a project named after the folder the desktop dialog picked', async () => {
    fake.services.project = {
      pickFolder: () => ({ native: true, path: '/home/ana/Sites/Hall/' }),
      create: ({ path, name }) => projectSummary({ path, name }),
    };
    await startProjectDialog('create');
    expect(fake.callsTo('project.create').map((c) => c.args)).toEqual([
      { path: '/home/ana/Sites/Hall/', name: 'Hall' },
    ]);
    expect(projectState.summary?.name).toBe('Hall');
    expect(projectDialog.mode).toBeNull();
  });

  it('open the folder picked, and do nothing when the desktop dialog is cancelled', async () => {
    let path: string | null = null;
    fake.services.project = {
      pickFolder: () => ({ native: true, path }),
      open: ({ path: p }) => projectSummary({ path: p }),
    };
    await startProjectDialog('open');
    expect(fake.callsTo('project.open')).toEqual([]);
    path = 'C:\\Sites\\Hall';
    await startProjectDialog('open');
    expect(projectState.summary?.path).toBe('C:\\Sites\\Hall');
  });

  it('show the app’s own dialog where there is no native one (a browser)', async () => {
    projectState.error = 'An older failure.';
    fake.services.project = { pickFolder: () => ({ native: false, path: null }) };
    await startProjectDialog('open');
    expect(projectDialog.mode).toBe('open');
    expect(projectState.error).toBeNull();
    closeProjectDialog();
    expect(projectDialog.mode).toBeNull();
  });

  it('name a project created in a folder without a usable last part “Project”', async () => {
    fake.services.project = {
      pickFolder: () => ({ native: true, path: '/' }),
      create: ({ path, name }) => projectSummary({ path, name }),
    };
    await startProjectDialog('create');
    expect(fake.callsTo('project.create').map((c) => c.args)).toEqual([{ path: '/', name: 'Project' }]);
    expect(await createProject('/x', 'X')).toBe(true);
  });
});
