// Writes resources/schemas/flow.schema.json and trace.schema.json from the TypeBox definitions
// in shared/core/flow/published.ts, rendered like the model schemas (scripts/gen-schemas.mjs).
// test/unit/shared/core/flow/published-schemas.test.ts fails when the files are stale.
//   node scripts/gen-flow-schemas.mjs
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderSchemas } from './gen-schemas.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'fg-flow-schemas-'));
try {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'published.mjs');
  await build({
    entryPoints: [join(root, 'shared/core/flow/published.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'warning',
  });
  const { publishedFlowSchemas } = await import(pathToFileURL(outfile).href);
  for (const [file, text] of Object.entries(renderSchemas(publishedFlowSchemas))) {
    await writeFile(join(root, 'resources/schemas', file), text);
    console.log(`wrote resources/schemas/${file}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
