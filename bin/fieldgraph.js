#!/usr/bin/env node
// Entry point of the `fieldgraph` command: runs the compiled CLI with plain Node.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// `fieldgraph gateway` runs for months on a small site box. V8 sizes its heap from flags read
// before any script runs (v8.setFlagsFromString is too late), so the gateway replaces this
// process with Node started with the flags below: the same process id, one process, nothing
// kept of the first start but ~40 ms. Measured on the 200,000-message burst of bench:engine:
// - an old generation collected once it grew by half of what was live after the last full
//   collection (V8's default lets it grow 2-4x): peak 100-121 -> 93-102 MB, the old
//   generation at 20-22 MB after the burst instead of 22-43;
// - 2 MB semi-spaces (default 16): a young generation of 4 MB instead of 8 (4 MB semi-spaces)
//   or 32. With the old generation held as above, the messages promoted by the smaller young
//   generation no longer pile up there (18-20 MB at peak either way): burst peak 96-98 -> 90-92
//   MB (four runs each, load 10-17); at 2,000 msg/s as many scavenges as with 4 MB.
// Flags given by the user (on the command line or in NODE_OPTIONS) win; Node older than 22.15
// (and Windows) has no process.execve and runs with V8's defaults.
const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=50'];
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
