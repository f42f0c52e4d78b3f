#!/usr/bin/env node
// Entry point of the `fieldgraph` command: runs the compiled CLI with plain Node.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/fieldgraph.js', import.meta.url));
if (!existsSync(cli)) {
  console.error(
    'Fieldgraph is not built yet (dist/cli/fieldgraph.js is missing). Run `npm install` (or `npm run build`) in the fieldgraph folder, then try again.',
  );
  process.exit(1);
}
await import(pathToFileURL(cli).href);
