// `npm start`: build, then launch the desktop app. Where the Electron binary is missing and
// cannot be downloaded (offline machines, CI), say so plainly and point to the web app.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

if (run(process.execPath, ['scripts/build.mjs']) !== 0) process.exit(1);

const electronDir = join('node_modules', 'electron');
const binary = () => {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const full = join(electronDir, 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(full) ? full : null;
};

let electron = binary();
if (!electron && existsSync(join(electronDir, 'install.js'))) {
  console.log('Fetching the Electron binary (first start only)…');
  spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'ignore', timeout: 120_000 });
  electron = binary();
}

if (!electron) {
  console.error(
    [
      '',
      'Fieldgraph could not start its desktop window because the Electron binary is not installed.',
      'Electron downloads that binary from the internet the first time it runs, and this computer',
      'could not reach it. Everything else is installed and built: run `npx fieldgraph web` to use',
      'the same app in your browser (served on 127.0.0.1 only), or run `npm start` again on a',
      'connection that can download Electron.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

const child = spawn(electron, ['dist/electron/main.mjs'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
