// Builds every program: the renderer (Vite + Svelte), the CLI (plain Node ESM), and the
// Electron main process and preload (the preload as ONE CommonJS file, so sandbox works).
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';
import { DESKTOP_NODE, atLeast } from './node-check.mjs';

const only = process.argv[2];
const started = Date.now();

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};

// The ES-module libraries the gateway runs on are bundled into the CLI, with only what it uses of
// them: loaded from node_modules, Node kept every module of each package (typebox alone is 247
// files) with its source text and loader entries. Measured on the idle gateway (bench:engine's
// flow, Node 22): 431 modules -> 185, live heap 16.2 -> 14.5 MB. The rest (CommonJS packages,
// native ones, those with optional peers) stays in node_modules.
const BUNDLED = [
  '@sinclair/typebox',
  '@noble/curves',
  '@noble/hashes',
  '@noble/ciphers',
  '@marcbachmann/cel-js',
  'croner',
];
const dependencies = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).dependencies);
const cliPackages = {
  packages: undefined,
  external: dependencies.filter((name) => !BUNDLED.includes(name)).flatMap((name) => [name, `${name}/*`]),
};

const steps = {
  renderer: async () => {
    await vite({ configFile: 'vite.config.ts', logLevel: 'warn' });
  },
  cli: async () => {
    await rm('dist/cli', { recursive: true, force: true });
    // Split: each command is a chunk loaded when it runs (cli/commands/index.ts), so a site
    // gateway does not hold the code and libraries of the other commands in memory.
    await esbuild({
      ...node,
      ...cliPackages,
      entryPoints: { fieldgraph: 'cli/main.ts' },
      format: 'esm',
      splitting: true,
      outdir: 'dist/cli',
      chunkNames: 'chunks/[name]-[hash]',
    });
  },
  electron: async () => {
    await rm('dist/electron', { recursive: true, force: true });
    await esbuild({
      ...node,
      entryPoints: ['electron/main/index.ts'],
      format: 'esm',
      outfile: 'dist/electron/main.mjs',
      external: ['electron'],
    });
    await esbuild({
      ...node,
      entryPoints: ['electron/preload/index.ts'],
      format: 'cjs',
      packages: 'bundle',
      external: ['electron'],
      outfile: 'dist/electron/preload.cjs',
    });
  },
};

for (const [name, step] of Object.entries(steps)) {
  if (only && only !== name) continue;
  await step();
}
console.log(`build: done in ${Date.now() - started} ms`);
// npm's EBADENGINE warnings on an older Node.js name Electron's packages, not what they mean.
if (process.env.npm_lifecycle_event === 'prepare' && !atLeast(process.versions.node, DESKTOP_NODE)) {
  console.log(
    `Node.js ${process.versions.node}: the web app (npx fieldgraph web), the CLI, the gateway and the tests run;` +
      ` the desktop window needs Node.js ${DESKTOP_NODE.join('.')} or newer (Electron 45), which is what npm's` +
      ' EBADENGINE warnings above are about.',
  );
}
