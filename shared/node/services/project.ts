import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { FieldgraphServices } from '../../core/api';
import { PROJECT_FILE, createModelValidation, type ProjectValidator } from '../../core/project';
import { loadLibrary } from '../library/load';
import { createProjectStore, createRecoveryArea, type ProjectSummary } from '../project';
import { createRecentStore } from '../stores/recent';
import type { ServiceContext } from './context';
import type { OpenProjectModels } from './library';

/** Autosave period: FIELDGRAPH_AUTOSAVE_MS when set (tests), else 15 s. */
const autosaveMs = (): number => {
  const fromEnv = Number(process.env.FIELDGRAPH_AUTOSAVE_MS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 15_000;
};

const MAX_SUGGESTIONS = 20;

const expandHome = (input: string): string =>
  input === '~' ? homedir() : input.startsWith('~/') ? join(homedir(), input.slice(2)) : input;

const isProjectFolder = async (dir: string): Promise<boolean> => {
  try {
    return (await stat(join(dir, PROJECT_FILE))).isFile();
  } catch {
    return false;
  }
};

/** Folders under the typed path's parent whose names start with what was typed after the last separator. */
const suggestFolders = async (input: string) => {
  const expanded = expandHome(input.trim() || homedir() + sep);
  const absolute = resolve(expanded);
  const [parent, prefix] =
    expanded.endsWith('/') || expanded.endsWith(sep)
      ? [absolute, '']
      : [dirname(absolute), basename(absolute)];
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const matches = names
    .filter((n) => n.startsWith(prefix) && (prefix.startsWith('.') || !n.startsWith('.')))
    .sort()
    .slice(0, MAX_SUGGESTIONS * 3);
  const out: { path: string; isProject: boolean }[] = [];
  for (const name of matches) {
    const path = join(parent, name);
    try {
      if (!(await stat(path)).isDirectory()) continue;
    } catch {
      continue;
    }
    out.push({ path, isProject: await isProjectFolder(path) });
    if (out.length >= MAX_SUGGESTIONS) break;
  }
  return out;
};

/**
 * The `project` area: one open project per service instance, saved durably, autosaved to
 * `<dataDir>/recovery`; and, for the library area, the open project's models/ documents.
 */
export const createProjectService = (
  ctx: ServiceContext,
): FieldgraphServices['project'] & { openProjectModels(): OpenProjectModels | null } => {
  const recent = createRecentStore(ctx.dataDir);
  // Projects are checked against the built-in library; until it has loaded, only the format is checked.
  let validate: ProjectValidator | undefined;
  const libraryReady = loadLibrary().then(
    (library) => {
      validate = createModelValidation(library);
    },
    (error: unknown) =>
      ctx.log.warn('the device-model library did not load; projects are checked for format only', {
        error: String(error),
      }),
  );
  const store = createProjectStore({
    recovery: createRecoveryArea(join(ctx.dataDir, 'recovery')),
    autosaveMs: autosaveMs(),
    validate: (project) => validate?.(project) ?? [],
    onChange: (summary) =>
      ctx.hub.emit('onProjectChanged', {
        path: summary?.path ?? null,
        dirty: summary?.dirty ?? false,
        summary,
      }),
    onAutosaveError: (error) =>
      ctx.log.warn('autosave failed; the next one retries', { error: String(error) }),
  });
  const opened = async (summary: ProjectSummary): Promise<ProjectSummary> => {
    await recent.touch({ path: summary.path, name: summary.name, openedAt: new Date().toISOString() });
    return summary;
  };
  const current = (): ProjectSummary => store.summary()!;
  return {
    openProjectModels: () => {
      const summary = store.summary();
      if (!summary) return null;
      return {
        path: summary.path,
        modelsRevision: summary.modelsRevision,
        documents: store
          .listDocuments('models')
          .map((id) => ({ file: `models/${id}.json`, value: store.getDocument('models', id) })),
      };
    },
    recent: () => recent.list(),
    create: async ({ path, name }) => {
      await libraryReady;
      return opened(await store.create(expandHome(path), name));
    },
    open: async ({ path }) => {
      await libraryReady;
      return opened(await store.open(expandHome(path)));
    },
    save: async () => {
      const summary = await store.save();
      await recent.touch({ path: summary.path, name: summary.name, openedAt: new Date().toISOString() });
      return summary;
    },
    close: async ({ discardChanges }) => {
      await store.close(discardChanges ?? false);
      return {};
    },
    current: () => store.checkedSummary(),
    getDocument: ({ kind, id }) => store.getDocument(kind, id),
    listDocuments: ({ kind }) => store.listDocuments(kind),
    getMeta: () => store.meta(),
    setRoles: ({ roles }) => {
      store.setRoles(roles);
      return current();
    },
    putDocument: ({ kind, id, document }) => {
      store.putDocument(kind, id, document);
      return current();
    },
    patchDocument: ({ kind, id, ops }) => {
      store.patchDocument(kind, id, ops);
      return current();
    },
    deleteDocument: ({ kind, id }) => {
      store.deleteDocument(kind, id);
      return current();
    },
    rename: ({ name }) => {
      store.rename(name);
      return current();
    },
    recover: ({ action }) => (action === 'restore' ? store.restoreRecovery() : store.discardRecovery()),
    suggestFolders: ({ input }) => suggestFolders(input),
    pickFolder: async ({ purpose }) =>
      ctx.pickFolder ? { native: true, path: await ctx.pickFolder(purpose) } : { native: false, path: null },
  };
};
