/**
 * The open project as the UI sees it: its summary (kept current by `onProjectChanged`) and the
 * actions the start page and the project bar offer. Every action reports failure in `error`.
 */
import type { Static } from '@sinclair/typebox';
import type { ProjectSummary } from '../../../shared/core/api/areas/project';
import type { Result } from '../../../shared/core/result';
import { api } from '../api';

/** The open project's summary. */
export type Summary = Static<typeof ProjectSummary>;

/** The open project (null when none), whether an action is running, and the last failure. */
export const projectState = $state<{ summary: Summary | null; busy: boolean; error: string | null }>({
  summary: null,
  busy: false,
  error: null,
});

let watching = false;

/** Starts following the open project; safe to call from every component that shows it. */
export const watchProject = (): void => {
  if (watching) return;
  watching = true;
  api.events.onProjectChanged((payload) => {
    if (payload.summary !== undefined) projectState.summary = payload.summary;
    else void refresh();
  });
  void refresh();
};

const refresh = async () => {
  const current = await api.project.current({});
  if (current.ok) projectState.summary = current.value;
};

// A failed open carries the located problems; the first one says which file and why.
const describe = (error: { message: string; details?: unknown }): string => {
  const problems = (
    error.details as { problems?: { path: string; message: string; hint?: string }[] } | undefined
  )?.problems;
  const hint = problems?.[0]?.hint;
  return hint ? `${error.message} ${hint}` : error.message;
};

const run = async (action: () => Promise<Result<Summary | object>>): Promise<boolean> => {
  projectState.busy = true;
  projectState.error = null;
  try {
    const result = await action();
    if (!result.ok) {
      projectState.error = describe(result.error);
      return false;
    }
    if ('path' in result.value) projectState.summary = result.value as Summary;
    return true;
  } finally {
    projectState.busy = false;
  }
};

/** Creates a project folder at `path` and opens it. */
export const createProject = (path: string, name: string) => run(() => api.project.create({ path, name }));
/** Opens the project folder at `path`. */
export const openProject = (path: string) => run(() => api.project.open({ path }));
/** Saves the open project. */
export const saveProject = () => run(() => api.project.save({}));
/** Closes the open project, discarding unsaved changes only when asked to. */
export const closeProject = async (discardChanges = false) => {
  const closed = await run(() => api.project.close({ discardChanges }));
  if (closed) projectState.summary = null;
  return closed;
};
/** Renames the open project (unsaved until saved). */
export const renameProject = (name: string) => run(() => api.project.rename({ name }));
/** Restores or discards the autosaved work offered at open. */
export const recoverProject = (action: 'restore' | 'discard') => run(() => api.project.recover({ action }));
/** Clears the last failure message. */
export const dismissProjectError = (): void => {
  projectState.error = null;
};

/** The New/Open project dialog the window shows (null: none). */
export const projectDialog = $state<{ mode: 'create' | 'open' | null }>({ mode: null });

/**
 * Starts creating or opening a project: the desktop app answers with its native folder dialog;
 * a browser has none, so the app's own dialog opens.
 */
export const startProjectDialog = async (mode: 'create' | 'open'): Promise<void> => {
  dismissProjectError();
  const picked = await api.project.pickFolder({ purpose: mode });
  if (picked.ok && picked.value.native) {
    if (picked.value.path === null) return;
    if (mode === 'open') await openProject(picked.value.path);
    else
      await createProject(
        picked.value.path,
        picked.value.path.split(/[\\/]/).filter(Boolean).pop() ?? 'Project',
      );
    return;
  }
  projectDialog.mode = mode;
};

/** Closes the New/Open project dialog. */
export const closeProjectDialog = (): void => {
  projectDialog.mode = null;
};
