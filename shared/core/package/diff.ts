/**
 * What a package changes on a gateway: flows added, changed and removed, found by comparing
 * the flow files (path and SHA-256) of the new manifest with those the gateway runs.
 */
import type { ManifestFile } from './manifest';

/** Flow ids by kind of change, each list sorted. */
export interface FlowChanges {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
  readonly unchanged: string[];
}

const flows = (files: readonly Pick<ManifestFile, 'path' | 'sha256'>[]): Map<string, string> =>
  new Map(
    files
      .filter((f) => /^flows\/[^/]+\.json$/.test(f.path))
      .map((f) => [f.path.slice('flows/'.length, -'.json'.length), f.sha256]),
  );

/** The flow changes from `running` (empty when the gateway runs nothing) to `next`. */
export const diffFlows = (
  running: readonly Pick<ManifestFile, 'path' | 'sha256'>[],
  next: readonly Pick<ManifestFile, 'path' | 'sha256'>[],
): FlowChanges => {
  const before = flows(running);
  const after = flows(next);
  const sorted = (ids: Iterable<string>) => [...ids].sort();
  return {
    added: sorted([...after.keys()].filter((id) => !before.has(id))),
    changed: sorted([...after.keys()].filter((id) => before.has(id) && before.get(id) !== after.get(id))),
    removed: sorted([...before.keys()].filter((id) => !after.has(id))),
    unchanged: sorted([...after.keys()].filter((id) => before.get(id) === after.get(id))),
  };
};
