#!/usr/bin/env node
// Entry point of the `fieldgraph` command: runs the compiled CLI with plain Node.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// `fieldgraph gateway` runs for months on a small site box. V8 sizes its young generation from
// flags read before any script runs (v8.setFlagsFromString is too late), and its default (16 MB
// semi-spaces) grows the gateway by ~20 MB under a burst. So the gateway replaces this process
// with Node started with the flags below: the same process id, one process, nothing kept of the
// first start but ~40 ms. 4 MB semi-spaces measured best (idle 89 / burst peak 97 MB, against
// 95 / 118 by default); 2 MB promotes short-lived messages into the old generation (126 MB).
// Flags given by the user (on the command line or in NODE_OPTIONS) win; Node older than 22.15
// (and Windows) has no process.execve and runs with V8's defaults.
const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=4'];
if (
  process.argv[2] === 'gateway' &&
  typeof process.execve === 'function' &&
  process.env.FIELDGRAPH_GATEWAY_FLAGS !== 'applied'
) {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map((flag) =>
    flag.split('=')[0].replaceAll('_', '-'),
  );
  const missing = GATEWAY_NODE_FLAGS.filter((flag) => !given.includes(flag.split('=')[0]));
  if (missing.length > 0) {
    try {
      process.execve(
        process.execPath,
        [process.execPath, ...process.execArgv, ...missing, ...process.argv.slice(1)],
        { ...process.env, FIELDGRAPH_GATEWAY_FLAGS: 'applied' },
      );
    } catch {
      // execve returns only when it failed (a runtime that refuses it): run with the defaults.
    }
  }
}

const cli = fileURLToPath(new URL('../dist/cli/fieldgraph.js', import.meta.url));
if (!existsSync(cli)) {
  console.error(
    'Fieldgraph is not built yet (dist/cli/fieldgraph.js is missing). Run `npm install` (or `npm run build`) in the fieldgraph folder, then try again.',
  );
  process.exit(1);
}
await import(pathToFileURL(cli).href);
