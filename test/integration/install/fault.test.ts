/**
 * Fault test: SIGKILL the installing process at random points, 200+ times. After every kill
 * the install folder, once reopened, runs exactly the old or the new version and that
 * version's files re-verify against its signed manifest.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../../shared/core/package/bytes';
import { InstallStore } from '../../../shared/node/gateway/install/store';
import { makePackage } from '../../helpers/packages';

const KILLS = 200;
let dir: string;
let child: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fg-fault-'));
  child = join(dir, 'child.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'fault-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: child,
    logLevel: 'error',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const packageFile = (version: number): string => {
  const path = join(dir, `v${version}.fgpkg`);
  const files: Record<string, Uint8Array> = {};
  // Enough files that a kill often lands between two of them.
  for (let i = 0; i < 12; i++)
    files[`flows/f${i}.json`] = utf8(JSON.stringify({ id: `f${i}`, version, pad: 'x'.repeat(2000) }));
  writeFileSync(path, makePackage({ version, files }));
  return path;
};

/** Runs the child; kills it `delayMs` after it says "begin" (or lets it finish when undefined). */
const runChild = (root: string, pkg: string, delayMs: number | undefined) =>
  new Promise<{ finished: boolean; duringInstall: boolean; elapsed?: number }>((resolve) => {
    const proc = spawn(process.execPath, [child, root, pkg], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let began = false;
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!began && out.includes('begin\n')) {
        began = true;
        if (delayMs !== undefined) setTimeout(() => proc.kill('SIGKILL'), delayMs);
      }
    });
    proc.on('exit', () => {
      const done = /done (\w+) ([\d.]+)/.exec(out);
      resolve({
        finished: Boolean(done),
        duringInstall: began && !done,
        elapsed: done ? Number(done[2]) : undefined,
      });
    });
  });

describe('fault test: SIGKILL during installs', () => {
  it(`leaves exactly the old or the new version after ${KILLS} kills`, async () => {
    const root = join(dir, 'install');
    const first = await runChild(root, packageFile(1), undefined);
    expect(first.finished).toBe(true);
    // How long an install takes here: the median of five uninterrupted ones, so one slow run
    // (a cold start, a busy machine) does not stretch the window the kills are spread over.
    const PROBES = 5;
    const timings: number[] = [];
    for (let v = 2; v < 2 + PROBES; v++) {
      const probe = await runChild(root, packageFile(v), undefined);
      expect(probe.finished).toBe(true);
      timings.push(probe.elapsed ?? 5);
    }
    const installMs = Math.max(1, timings.sort((a, b) => a - b)[Math.floor(PROBES / 2)]!);
    let version = 1 + PROBES;
    let midInstall = 0;
    let completed = 0;
    let landedNew = 0;
    for (let i = 0; i < KILLS; i++) {
      const old = new InstallStore(root).readState().committed!;
      const next = version + 1;
      const pkg = packageFile(next);
      const outcome = await runChild(root, pkg, Math.random() * installMs * 1.3);
      if (outcome.duringInstall) midInstall++;
      if (outcome.finished) completed++;
      const store = new InstallStore(root);
      const state = store.recover();
      expect([old, next]).toContain(state.committed);
      expect(store.currentVersion()).toBe(state.committed);
      expect(store.reverify(state.committed!)).toEqual([]);
      if (state.committed === next) {
        version = next;
        if (outcome.duringInstall) landedNew++;
      }
      rmSync(pkg);
    }
    // Most kills must land inside the install itself, or the test proves little.
    expect(midInstall).toBeGreaterThan(KILLS / 2);
    // …and some after the commit point, so both outcomes are exercised.
    expect(landedNew).toBeGreaterThan(0);
    console.log(
      `fault test: ${KILLS} kills, ${midInstall} during an install, ${completed} finished first, ${landedNew} killed after commit, install ≈ ${installMs.toFixed(1)} ms (probes ${timings.map((t) => t.toFixed(1)).join(', ')})`,
    );
  }, 300_000);
});
