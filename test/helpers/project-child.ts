import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles test/integration/project/child.ts into one self-contained file in a world-readable
 * temp folder (so a child running as another user can load it); returns its path.
 */
export const buildProjectChild = async (): Promise<{ script: string; dir: string }> => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-project-child-'));
  chmodSync(dir, 0o755);
  const script = join(dir, 'child.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, '..', 'integration', 'project', 'child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: script,
    logLevel: 'warning',
  });
  chmodSync(script, 0o644);
  return { script, dir };
};
