// Writes resources/schemas/package-manifest.schema.json and package-signature.schema.json from
// the TypeBox definitions in shared/core/package/published.ts, rendered like the model schemas.
// test/unit/package/published-schemas.test.ts fails when the files are stale.
//   node scripts/gen-package-schemas.mjs
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderSchemas } from './gen-schemas.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'fg-package-schemas-'));
try {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'published.mjs');
  await build({
    entryPoints: [join(root, 'shared/core/package/published.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'warning',
  });
  const { publishedPackageSchemas } = await import(pathToFileURL(outfile).href);
  for (const [file, text] of Object.entries(renderSchemas(publishedPackageSchemas))) {
    await writeFile(join(root, 'resources/schemas', file), text);
    console.log(`wrote resources/schemas/${file}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
