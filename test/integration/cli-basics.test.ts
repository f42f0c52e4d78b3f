import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/fieldgraph.js', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('fieldgraph command', () => {
  it('prints its version', () => {
    const r = cli('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('lists its commands with --help', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: fieldgraph <command>');
    expect(r.stdout).toMatch(/^\s+web\s+Serve the app/m);
  });

  it('explains one command with <command> --help', () => {
    const r = cli('web', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--no-open');
  });

  it('rejects an unknown command and an unknown option with exit code 2 and the usage', () => {
    const unknown = cli('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    const badOption = cli('web', '--colour');
    expect(badOption.status).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--colour'");
    expect(badOption.stderr).toContain('Usage: fieldgraph web');
  });
});

const electronPresent = (() => {
  const pathFile = 'node_modules/electron/path.txt';
  return existsSync(pathFile) && existsSync(`node_modules/electron/dist/${readFileSync(pathFile, 'utf8')}`);
})();

// @ts-expect-error -- a plain .mjs build script without type declarations
const { DESKTOP_NODE, atLeast } = (await import('../../scripts/node-check.mjs')) as {
  DESKTOP_NODE: number[];
  atLeast: (version: string, wanted: number[]) => boolean;
};

describe.skipIf(electronPresent)('npm start without the Electron binary', () => {
  it('explains in plain words what is missing and how to use the web app instead', () => {
    // Point Electron's downloader at a closed loopback port: the test must not reach the internet.
    const r = spawnSync(process.execPath, ['scripts/start.mjs'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', ELECTRON_GET_USE_PROXY: '' },
    });
    expect(r.status).toBe(1);
    if (atLeast(process.versions.node, DESKTOP_NODE)) {
      expect(r.stderr).toContain('the Electron binary is not installed');
    } else {
      // Electron's fetcher refuses this Node.js: the message names both versions and the fix.
      expect(r.stderr).toContain(`needs Node.js ${DESKTOP_NODE.join('.')} or newer`);
      expect(r.stderr).toContain(`This is Node.js ${process.versions.node}`);
      expect(r.stderr).toContain('nvm install 22');
    }
    expect(r.stderr).toContain('npx fieldgraph web');
    expect(r.stderr + r.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
