import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DOCUMENT_KINDS, type JsonObject, type RawProject } from '../../core/project';
import { removeFileDurable, writeFileDurable } from './atomic';

/** Work autosaved for one project folder, kept outside the folder so git never sees it. */
export interface RecoverySnapshot {
  format: 'fieldgraph-recovery';
  /** The project folder (resolved path) the work belongs to. */
  projectPath: string;
  /** ISO 8601 time of the autosave. */
  savedAt: string;
  project: RawProject;
}

/** The recovery area: one snapshot file per project folder. */
export interface RecoveryArea {
  write(projectPath: string, project: RawProject, savedAt: string): Promise<void>;
  /** The snapshot for `projectPath`, or null when none (or only an unreadable one) exists. */
  read(projectPath: string): Promise<RecoverySnapshot | null>;
  remove(projectPath: string): Promise<void>;
}

const isSnapshot = (value: unknown, projectPath: string): value is RecoverySnapshot => {
  const v = value as Partial<RecoverySnapshot> | null;
  const docs = v?.project?.documents as Record<string, unknown> | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.format === 'fieldgraph-recovery' &&
    v.projectPath === projectPath &&
    typeof v.savedAt === 'string' &&
    typeof (v.project?.meta as JsonObject | undefined) === 'object' &&
    typeof docs === 'object' &&
    docs !== null &&
    DOCUMENT_KINDS.every((k) => typeof docs[k] === 'object' && docs[k] !== null)
  );
};

/**
 * A recovery area in `dir` (the per-user data folder's `recovery/`). Snapshots are written
 * durably (temp file + fsync + rename), so a crash during an autosave keeps the previous one.
 */
export const createRecoveryArea = (dir: string): RecoveryArea => {
  const fileFor = (projectPath: string) =>
    join(dir, `${createHash('sha256').update(projectPath).digest('hex').slice(0, 32)}.json`);
  return {
    async write(projectPath, project, savedAt) {
      await mkdir(dir, { recursive: true });
      const snapshot: RecoverySnapshot = { format: 'fieldgraph-recovery', projectPath, savedAt, project };
      await writeFileDurable(fileFor(projectPath), JSON.stringify(snapshot));
    },
    async read(projectPath) {
      try {
        const value: unknown = JSON.parse(await readFile(fileFor(projectPath), 'utf8'));
        return isSnapshot(value, projectPath) ? value : null;
      } catch {
        return null;
      }
    },
    async remove(projectPath) {
      await removeFileDurable(fileFor(projectPath));
    },
  };
};
