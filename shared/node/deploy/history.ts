/** The deployment history: one JSON file in the data folder, newest last on disk, capped. */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { DeployOutcome } from './target';

/** One deployment as recorded. */
export interface DeploymentRecord {
  readonly id: string;
  readonly at: string;
  readonly site: string;
  readonly version: number;
  readonly ok: boolean;
  readonly results: ReadonlyArray<DeployOutcome & { code?: string }>;
  /**
   * Path and SHA-256 of each project file the package carried (never secret values), so a later
   * preview can compare with a version a gateway reports only by number (over HTTP).
   */
  readonly files?: ReadonlyArray<{ readonly path: string; readonly sha256: string }>;
  /** A rollback (asked of a gateway, `version` is what it runs after) rather than a delivery. */
  readonly kind?: 'rollback';
}

const LIMIT = 200;

/** Reads and appends deployment records at `path`. */
export const openDeployHistory = (path: string) => ({
  list(): DeploymentRecord[] {
    try {
      return (JSON.parse(readFileSync(path, 'utf8')) as { deployments: DeploymentRecord[] }).deployments;
    } catch {
      return [];
    }
  },
  add(record: DeploymentRecord): void {
    mkdirSync(dirname(path), { recursive: true });
    const deployments = [...this.list(), record].slice(-LIMIT);
    writeFileAtomic.sync(path, JSON.stringify({ schemaVersion: 1, deployments }, null, 2) + '\n');
  },
});
