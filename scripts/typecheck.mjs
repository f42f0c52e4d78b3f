// Type-checks every layer against its own tsconfig (shared/core without DOM or Node types,
// renderer with DOM only, the rest with Node), electron/ against electron's own electron.d.ts,
// and the Svelte components with svelte-check.
import { spawnSync } from 'node:child_process';

const checks = [
  ['shared/core', ['tsc', '-p', 'shared/core/tsconfig.json']],
  ['shared/node', ['tsc', '-p', 'shared/node/tsconfig.json']],
  ['cli', ['tsc', '-p', 'cli/tsconfig.json']],
  ['electron', ['tsc', '-p', 'electron/tsconfig.json']],
  [
    'renderer',
    ['svelte-check', '--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings', '--output', 'human'],
  ],
  ['tests', ['tsc', '-p', 'tsconfig.json']],
];

let failed = 0;
for (const [name, [bin, ...args]] of checks) {
  const started = Date.now();
  const result = spawnSync(`node_modules/.bin/${bin}`, args, { stdio: 'inherit' });
  const ok = result.status === 0;
  if (!ok) failed++;
  console.log(`typecheck ${name}: ${ok ? 'ok' : 'FAILED'} (${Date.now() - started} ms)`);
}
process.exit(failed ? 1 : 0);
