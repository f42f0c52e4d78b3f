/** The project store's data types and the small pure helpers it uses (see store.ts). */
import { FieldgraphError } from '../../core/errors';
import {
  stableStringify,
  type DocumentKind,
  type ProjectProblem,
  type ProjectValidator,
  type RawProject,
} from '../../core/project';
import type { RecoveryArea } from './recovery';

/** What the UI and the CLI see of the open project. */
export interface ProjectSummary {
  path: string;
  id: string;
  name: string;
  dirty: boolean;
  readOnly: boolean;
  /** ISO time of the last successful save in this session; null before the first. */
  savedAt: string | null;
  /** The format version on disk when opened. */
  schemaVersion: number;
  /** Migration steps applied in memory; written on the next save. */
  migrations: string[];
  problems: ProjectProblem[];
  /** Autosaved work from an earlier session that differs from the files, offered for restore. */
  recovery: { savedAt: string } | null;
  counts: Record<DocumentKind, number>;
  /** Changes whenever the models/ documents may have changed; never repeats within one store. */
  modelsRevision: number;
}

/** How the store is set up by the program that owns it. */
export interface ProjectStoreOptions {
  recovery: RecoveryArea;
  /** Autosave period in milliseconds; 0 turns autosave off. */
  autosaveMs: number;
  /** Whole-project validation beyond the format (the device-model validators with the library). */
  validate?: ProjectValidator;
  /** Called after every change of the summary (open, edit, save, close). */
  onChange?: (summary: ProjectSummary | null) => void;
  /** Called when a background autosave fails; the next one retries. */
  onAutosaveError?: (error: unknown) => void;
  now?: () => Date;
}

export interface OpenState {
  root: string;
  project: RawProject;
  readOnly: boolean;
  schemaVersion: number;
  migrations: string[];
  /** Problems with the files themselves (damaged, unreadable, newer, not writable); kept until reopened. */
  fileProblems: ProjectProblem[];
  /** Problems in the content; recomputed shortly after edits (see `stale`). */
  contentProblems: ProjectProblem[];
  /** True when edits happened since contentProblems was computed. */
  stale: boolean;
  damaged: Set<string>;
  /** Project-relative path → the exact text on disk, for files this session knows are intact. */
  disk: Map<string, string>;
  revision: number;
  savedRevision: number;
  autosavedRevision: number;
  savedAt: string | null;
  recovery: { savedAt: string; project: RawProject } | null;
}

export const clone = <T>(value: T): T => structuredClone(value);

export const slug = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 64) || 'project';

export const sameProject = (a: RawProject, b: RawProject): boolean =>
  stableStringify(a) === stableStringify(b);

export const errnoHint = (code: string | undefined, root: string): string =>
  code === 'EACCES' || code === 'EPERM'
    ? `Fieldgraph has no write permission in ${root}. Fix the folder's permissions, or copy the project somewhere writable.`
    : code === 'ENOSPC'
      ? 'The disk is full. Free some space and save again.'
      : code === 'EROFS'
        ? 'The disk is mounted read-only. Copy the project somewhere writable.'
        : 'Check the disk and save again.';

export const writeFailed = (rel: string, error: unknown, root: string): FieldgraphError => {
  const code = (error as NodeJS.ErrnoException).code;
  return new FieldgraphError(
    'project.write_failed',
    `Saving ${rel} failed (${code ?? String(error)}); the previous file was kept. ${errnoHint(code, root)}`,
    { path: rel, reason: code ?? String(error) },
  );
};

/** How long after the last edit the content is checked again. */
export const RECHECK_DELAY_MS = 250;

// Several files at once: their fsyncs share journal commits, which makes saving hundreds of
// files several times faster. Each file is still replaced atomically on its own.
export const SAVE_PARALLELISM = 8;

/** Runs `fn` over `items`, `limit` at a time; waits for all, then throws the first failure. */
export const inParallel = async <T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length && failures.length === 0) {
      const item = items[next++];
      await fn(item).catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
};
