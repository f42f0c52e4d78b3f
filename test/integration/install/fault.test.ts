/**
 * Fault test: a gateway killed (SIGKILL) at any moment of an install, of a rolled-back install,
 * of a rollback or of the repair after such a crash leaves an install folder that, once reopened,
 * runs exactly the old or the new version, whose files re-verify against its signed manifest, and
 * that takes the next package.
 *
 * Instead of hundreds of kills at random moments (most of which hit the same few states, and
 * which take a quarter of an hour of process starts on a loaded machine), every state a kill can
 * leave is visited: a SIGKILL loses only the process's memory, so what it leaves is the folder as
 * it was at that instant — just before one of the calls that change it. The child
 * (fault-child.ts) numbers those calls and copies the folder before each one, and also with that
 * call half done (half a write, one file of a removal); each copy is checked here. Then real
 * SIGKILLs land in every phase of the install (at each step the installer reports and in the
 * middle of each phase's changes), and what each leaves must be exactly the copy taken at that
 * point, so the copies are what a kill leaves.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../../shared/core/package/bytes';
import { createInstaller } from '../../../shared/node/gateway/install/installer';
import { InstallStore } from '../../../shared/node/gateway/install/store';
import { NOW, installerKey, makePackage } from '../../helpers/packages';

let dir: string;
let child: string;
/** An install folder with version 2 committed and version 1 kept (the child keeps one too). */
let template: string;
const packages: Record<number, string> = {};

const packageBytes = (version: number): Uint8Array => {
  const files: Record<string, Uint8Array> = {};
  // Files in two folders, so unpacking makes a folder and writes several files.
  for (let i = 0; i < 3; i++)
    files[`flows/f${i}.json`] = utf8(JSON.stringify({ id: `f${i}`, version, pad: 'x'.repeat(2000) }));
  files['models/relay.json'] = utf8(JSON.stringify({ id: 'relay', version }));
  return makePackage({ version, files });
};

const installerOn = (root: string) =>
  createInstaller({
    root,
    gatewayId: 'gw-1',
    engineVersion: '1.0.0',
    trust: () => ({ trusted: [installerKey.publicKey], revoked: [] }),
    now: () => NOW,
    // One kept version: committing version 3 removes version 1, so there is work after the commit point.
    keep: 1,
  });

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
  for (const version of [1, 2, 3, 9]) {
    packages[version] = join(dir, `v${version}.fgpkg`);
    writeFileSync(packages[version], packageBytes(version));
  }
  template = join(dir, 'template');
  const installer = installerOn(template);
  for (const version of [1, 2])
    expect(await installer.install(readFileSync(packages[version]!), 'local')).toMatchObject({ ok: true });
  expect(installer.state()).toMatchObject({ committed: 2, previous: [1] });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Mode = 'open' | 'install' | 'unhealthy' | 'rollback';

interface Op {
  readonly n: number;
  readonly name: string;
  readonly phase: string;
}

interface Run {
  readonly ops: Op[];
  readonly steps: string[];
  readonly killed?: string;
  readonly done?: string;
}

let runs = 0;
/** A fresh copy of `from` to run on. */
const copyOf = (from: string): string => {
  const root = join(dir, `run-${++runs}`);
  cpSync(from, root, { recursive: true, verbatimSymlinks: true });
  return root;
};

const runChild = (root: string, mode: Mode, plan: string) =>
  new Promise<Run>((resolve, reject) => {
    const proc = spawn(process.execPath, [child, root, mode, plan, packages[3]!], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      const lines = out.split('\n');
      const run: Run = {
        ops: lines
          .map((l) => /^op (\d+) (\w+) (\w+)$/.exec(l))
          .filter((m) => m !== null)
          .map((m) => ({ n: Number(m[1]), name: m[2]!, phase: m[3]! })),
        steps: lines.filter((l) => l.startsWith('step ')).map((l) => l.slice(5)),
        killed: lines.find((l) => l.startsWith('killed '))?.slice(7),
        done: lines.find((l) => l.startsWith('done '))?.slice(5),
      };
      if (!run.killed && (code !== 0 || !run.done))
        reject(new Error(`the child ended with ${code ?? signal} without a planned kill:\n${out}\n${err}`));
      else if (run.killed && signal !== 'SIGKILL')
        reject(new Error(`the child said it was killed but ended with ${code ?? signal}:\n${out}\n${err}`));
      else resolve(run);
    });
  });

/**
 * The folder as a sorted list (names made by process id and clock normalised): a file by its
 * SHA-256, a symbolic link by its target, a folder by its name.
 */
const treeOf = (root: string): string[] => {
  const entries: string[] = [];
  const walk = (at: string, rel: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      const name = `${rel}/${entry.name}`
        .replace(/\/(\d+)-\d+-\d+$/, '/$1-PID-TIME')
        .replace(/\.\d+\.tmp$/, '.PID.tmp');
      if (entry.isSymbolicLink()) entries.push(`${name} -> ${readlinkSync(path)}`);
      else if (entry.isDirectory()) {
        entries.push(`${name}/`);
        walk(path, name);
      } else entries.push(`${name} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
    }
  };
  walk(root, '');
  return entries.sort();
};

/**
 * What a kill may leave: the folder, reopened (which repairs it), runs one of `versions`, that
 * version and every kept one re-verify, nothing half-made is left, and the next package installs.
 */
const holds = async (root: string, versions: readonly number[], label: string): Promise<number> => {
  const store = new InstallStore(root);
  const state = store.recover();
  expect(versions, label).toContain(state.committed);
  expect(store.currentVersion(), label).toBe(state.committed);
  for (const version of [state.committed!, ...state.previous])
    expect(store.reverify(version), `${label}: version ${version}`).toEqual([]);
  expect(readdirSync(join(root, 'staging')), label).toEqual([]);
  expect(readdirSync(join(root, 'versions')).sort(), label).toEqual(
    [state.committed!, ...state.previous].map(String).sort(),
  );
  expect(
    readdirSync(root).filter((name) => name.endsWith('.tmp')),
    label,
  ).toEqual([]);
  const next = await installerOn(root).install(readFileSync(packages[9]!), 'local');
  expect(next, label).toMatchObject({ ok: true, step: 'committed', running: 9 });
  return state.committed!;
};

/** Every state a kill during `mode` can leave, checked; returns the run's numbered changes. */
const everyCrashState = async (from: string, mode: Mode, versions: readonly number[], expectDone: string) => {
  const snaps = join(dir, `snaps-${mode}-${++runs}`);
  const root = copyOf(from);
  const run = await runChild(root, mode, `snap:${snaps}`);
  expect(run.done).toBe(expectDone);
  const names = readdirSync(snaps);
  // Every numbered change has its copy, writes and recursive removals a half-done one as well.
  for (const op of run.ops) expect(names).toContain(String(op.n));
  const seen = new Map<number, number>();
  const checked = new Set<string>();
  // Killed after the last change: the end state is one of them too.
  for (const path of [...names.sort().map((name) => join(snaps, name)), root]) {
    // Many changes change nothing (a folder that exists, a file already gone): one check per state.
    const tree = treeOf(path).join('\n');
    if (checked.has(tree)) continue;
    checked.add(tree);
    // Checked on a copy: the copy itself is compared with what a real kill leaves later.
    const copy = copyOf(path);
    const committed = await holds(
      copy,
      versions,
      `${mode}, killed before change ${path.slice(snaps.length + 1)}`,
    );
    seen.set(committed, (seen.get(committed) ?? 0) + 1);
    rmSync(copy, { recursive: true, force: true });
  }
  return { run, snaps, root, copies: names.length, states: checked.size, seen };
};

/** A real SIGKILL at `plan`; what it leaves must be the copy `expected` (or the end state). */
const killAndCompare = async (
  from: string,
  mode: Mode,
  plan: string,
  expected: string,
  versions: readonly number[],
) => {
  const root = copyOf(from);
  const run = await runChild(root, mode, `kill:${plan}`);
  expect(run.killed, `${mode}: the kill at ${plan} landed`).toBeDefined();
  expect(treeOf(root), `${mode}: the folder a SIGKILL at ${plan} left`).toEqual(treeOf(expected));
  await holds(root, versions, `${mode}, SIGKILL at ${plan}`);
  rmSync(root, { recursive: true, force: true });
  return run;
};

// Where each phase of the run begins: the first change made after the step was reported.
const firstOpAfter = (run: Run, step: string): Op | undefined => {
  const at = run.steps.indexOf(step);
  return run.ops.find((op) => run.steps.indexOf(op.phase) >= at && op.phase !== 'open');
};

let installCrashes: ReturnType<typeof everyCrashState> | undefined;
const everyInstallCrashState = () =>
  (installCrashes ??= everyCrashState(template, 'install', [2, 3], 'committed 3'));

describe('fault test: SIGKILL at every point of an install', () => {
  it('leaves exactly the old or the new version, whatever point of an install the kill hits', async () => {
    const { run, snaps, root, copies, states, seen } = await everyInstallCrashState();
    // Both outcomes happen: killed before the commit point, and after it.
    expect(seen.get(2)).toBeGreaterThan(0);
    expect(seen.get(3)).toBeGreaterThan(0);
    const phases = ['begin', 'received', 'verified', 'staged', 'switched', 'started', 'healthy'];
    expect(run.steps).toEqual([...phases, 'committed']);

    // Real kills: at each step as it is reported, and in the middle of each phase's changes.
    const landed = new Set<string>();
    for (const step of phases) {
      const next = firstOpAfter(run, step);
      await killAndCompare(template, 'install', step, next ? join(snaps, String(next.n)) : root, [2, 3]);
      landed.add(step);
    }
    for (const phase of ['open', ...phases]) {
      const ops = run.ops.filter((op) => op.phase === phase);
      if (ops.length < 2) continue;
      const middle = ops[ops.length >> 1]!;
      const killed = await killAndCompare(
        template,
        'install',
        String(middle.n),
        join(snaps, String(middle.n)),
        [2, 3],
      );
      expect(killed.ops.at(-1)).toEqual(middle);
      landed.add(phase);
    }
    expect([...landed]).toEqual(expect.arrayContaining(phases));
    console.log(
      `fault test (install): ${states} distinct crash states (${copies} copies) from ${run.ops.length} changes (${JSON.stringify(Object.fromEntries(seen))} by version kept); real kills in ${[...landed].join(', ')}`,
    );
  }, 300_000);

  it('keeps the old version when a rolled-back install or a rollback is killed, and when the repair after a crash is', async () => {
    const unhealthy = await everyCrashState(template, 'unhealthy', [2], 'rolled_back 2');
    expect(unhealthy.run.steps).toContain('started');
    // Killed while the old version is being put back: still the old version.
    const restoring = unhealthy.run.ops.filter((op) => op.phase === 'started');
    expect(restoring.length).toBeGreaterThan(0);
    const middle = restoring[restoring.length >> 1]!;
    await killAndCompare(
      template,
      'unhealthy',
      String(middle.n),
      join(unhealthy.snaps, String(middle.n)),
      [2],
    );

    const rollback = await everyCrashState(template, 'rollback', [1, 2], 'committed 1');
    expect(rollback.seen.get(1)).toBeGreaterThan(0);
    expect(rollback.seen.get(2)).toBeGreaterThan(0);

    // The worst state an install crash leaves (new version switched in, not committed, its
    // staging done), then killed again at every point of the repair when the gateway restarts.
    const install = await everyInstallCrashState();
    const commit = firstOpAfter(install.run, 'healthy')!;
    const crashed = join(install.snaps, String(commit.n));
    expect(new InstallStore(crashed).currentVersion()).toBe(3);
    const repair = await everyCrashState(crashed, 'open', [2], 'opened 2');
    expect(repair.run.ops.filter((op) => op.phase === 'open').length).toBeGreaterThan(2);
    console.log(
      `fault test: distinct crash states: ${unhealthy.states} of a rolled-back install, ${rollback.states} of a rollback, ${repair.states} of a repair`,
    );
  }, 300_000);
});
