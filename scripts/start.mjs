// `npm start`: build, then launch the desktop app. Where it cannot start (a Node.js too old to
// build or to fetch Electron, no Electron binary and no way to download it), say so plainly and
// point to what works: a newer Node.js, or the web app.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_NODE, WEB_APP_HINT, atLeast, startProblem } from './node-check.mjs';

const say = (lines) => console.error(['', ...lines, ''].join('\n'));

const electronDir = join('node_modules', 'electron');
const binary = () => {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const full = join(electronDir, 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(full) ? full : null;
};

// Checked before building: an old Node.js fails the build with errors that name no cause.
if (!atLeast(process.versions.node, BUILD_NODE)) {
  say(startProblem(process.versions.node, false));
  process.exit(1);
}

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
if (run(process.execPath, ['scripts/build.mjs']) !== 0) process.exit(1);

let electron = binary();
const problem = startProblem(process.versions.node, !!electron);
if (problem) {
  say(problem);
  process.exit(1);
}
if (!electron && existsSync(join(electronDir, 'install.js'))) {
  console.log('Fetching the Electron binary (first start only)…');
  spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'ignore', timeout: 120_000 });
  electron = binary();
}

if (!electron) {
  say([
    'Fieldgraph could not start its desktop window because the Electron binary is not installed.',
    'Electron downloads that binary from the internet the first time it runs, and this computer',
    'could not reach it.',
    WEB_APP_HINT,
    'Or run `npm start` again on a connection that can download Electron.',
  ]);
  process.exit(1);
}

const child = spawn(electron, ['dist/electron/main.mjs'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
