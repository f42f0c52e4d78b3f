// Writes the JSON Schema of every published file format to resources/schemas/, generated from
// the TypeBox definitions (bundled with esbuild so plain node can run them): the device-model
// formats, the flow and trace formats, and the package manifest and signature. The
// published-schemas unit tests fail when a committed file is stale.
//   node scripts/gen-schemas.mjs
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIALECT = 'http://json-schema.org/draft-07/schema#';

/** Plain JSON of a TypeBox schema: symbols dropped, nested `$id`s hoisted into `definitions`. */
export const renderSchema = (name, schema) => {
  const definitions = {};
  const strip = (node) => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== 'object') return node;
    const out = {};
    for (const [key, value] of Object.entries(node)) out[key] = strip(value);
    return out;
  };
  const hoist = (node, isRoot) => {
    if (Array.isArray(node)) return node.map((n) => hoist(n, false));
    if (!node || typeof node !== 'object') return node;
    if (typeof node.$ref === 'string' && !node.$ref.startsWith('#'))
      return { ...node, $ref: `#/definitions/${node.$ref}` };
    if (!isRoot && typeof node.$id === 'string') {
      const { $id, ...rest } = node;
      if (!definitions[$id]) {
        definitions[$id] = {};
        definitions[$id] = hoist(rest, false);
      }
      return { $ref: `#/definitions/${$id}` };
    }
    const out = {};
    for (const [key, value] of Object.entries(node)) out[key] = hoist(value, false);
    return out;
  };
  const body = hoist(strip(schema), true);
  const sorted = Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b)));
  return {
    $schema: DIALECT,
    $id: `https://fieldgraph.invalid/schemas/${name}.schema.json`,
    title: name,
    ...body,
    ...(Object.keys(sorted).length ? { definitions: sorted } : {}),
  };
};

/** File name → file text for every published schema. */
export const renderSchemas = (published) =>
  Object.fromEntries(
    Object.entries(published).map(([name, schema]) => [
      `${name}.schema.json`,
      JSON.stringify(renderSchema(name, schema), null, 2) + '\n',
    ]),
  );

/** Each source module and the export that lists its published schemas. */
const sources = [
  ['shared/core/model/schemas.ts', 'publishedSchemas'],
  ['shared/core/flow/published.ts', 'publishedFlowSchemas'],
  ['shared/core/package/published.ts', 'publishedPackageSchemas'],
];

const main = async () => {
  const { build } = await import('esbuild');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), 'fg-schemas-'));
  try {
    for (const [index, [entry, exportName]] of sources.entries()) {
      const outfile = join(dir, `schemas-${index}.mjs`);
      await build({
        entryPoints: [join(root, entry)],
        bundle: true,
        format: 'esm',
        platform: 'node',
        outfile,
        logLevel: 'warning',
      });
      const published = (await import(pathToFileURL(outfile).href))[exportName];
      for (const [file, text] of Object.entries(renderSchemas(published))) {
        await writeFile(join(root, 'resources/schemas', file), text);
        console.log(`wrote resources/schemas/${file}`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
