/**
 * Child process of the fault test. Opens an install folder (which repairs it) and runs one
 * operation on it — nothing more (`open`), `install` a package, `unhealthy` (install one whose health check fails, so
 * it is rolled back) or `rollback` — printing each install step as it is reached.
 *
 * Every call that changes the folder (mkdir, creating open, write, rename, symlink, rm, …) is
 * numbered. Then, by the plan given:
 * - `snap:DIR` copies the whole folder to DIR/<n> just before change n — exactly what a SIGKILL
 *   at that instant leaves, since a killed process loses only its memory, never what the kernel
 *   already holds — and for a write or a recursive rm also DIR/<n>t: the change half done (half
 *   the bytes written, one file of the tree removed). The run itself goes on to the end.
 * - `kill:N` SIGKILLs itself just before change N; `kill:STEP` at the moment it reports STEP.
 *
 * Output lines: `step S`, `op N NAME PHASE` (PHASE: the last step reported, `open` before any),
 * `killed …` right before a kill, `done STEP` at the end.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { createInstaller, idleRuntime } from '../../../shared/node/gateway/install/installer';
import { NOW, installerKey } from '../../helpers/packages';

const [root, mode, plan, packagePath] = process.argv.slice(2) as [string, Mode, string, string?];
type Mode = 'open' | 'install' | 'unhealthy' | 'rollback';
const snapDir = plan.startsWith('snap:') ? plan.slice(5) : undefined;
const killAt = plan.startsWith('kill:') ? plan.slice(5) : undefined;

const original = { ...fs };
const out = (line: string): void => void original.writeSync(1, `${line}\n`);
const die = (why: string): never => {
  out(`killed ${why}`);
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL to oneself is delivered before kill() returns; this line is never reached.
  throw new Error('still alive after SIGKILL');
};

let phase = 'open';
let count = 0;
let copying = false;
let inside = false;
const paths = new Map<number, string>();

const snapshot = (name: string, tear?: (copy: string) => void): void => {
  copying = true;
  try {
    const copy = join(snapDir!, name);
    original.cpSync(root, copy, { recursive: true, verbatimSymlinks: true });
    tear?.(copy);
  } finally {
    copying = false;
  }
};

// Where `path` (inside the folder) lies in a snapshot of it.
const inCopy = (copy: string, path: string): string => join(copy, path.slice(root.length));

const firstFile = (dir: string): string | undefined => {
  for (const entry of original
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = firstFile(path);
      if (inner) return inner;
    } else return path;
  }
  return undefined;
};

// Half of what a write call is about to write, appended to the file's copy.
const tornWrite = (args: unknown[], name: string) => (copy: string) => {
  if (name === 'writeSync') {
    const [fd, data, offset = 0, length] = args as [number, Uint8Array, number?, number?];
    const path = paths.get(fd);
    const bytes = Buffer.from(data).subarray(offset, offset + (length ?? data.length - offset));
    if (path) original.appendFileSync(inCopy(copy, path), bytes.subarray(0, bytes.length >> 1));
  } else {
    const [path, data] = args as [string, Uint8Array];
    original.writeFileSync(inCopy(copy, path), Buffer.from(data).subarray(0, data.length >> 1));
  }
};

const changes = (name: string, args: unknown[]): boolean => {
  if (name !== 'openSync') return true;
  const flags = args[1] ?? 'r';
  if (typeof flags === 'number')
    return (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT)) !== 0;
  return /[wa+]/.test(String(flags));
};

const CHANGES = [
  'mkdirSync',
  'openSync',
  'writeSync',
  'writeFileSync',
  'appendFileSync',
  'renameSync',
  'symlinkSync',
  'linkSync',
  'rmSync',
  'rmdirSync',
  'unlinkSync',
  'copyFileSync',
  'cpSync',
  'truncateSync',
  'ftruncateSync',
] as const;

for (const name of CHANGES) {
  const real = original[name] as (...args: unknown[]) => unknown;
  (fs as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
    // A change made inside another (the files `rm -r` removes) is part of it: its half-done copy stands for it.
    if (copying || inside || !changes(name, args)) return real(...args);
    const n = ++count;
    out(`op ${n} ${name} ${phase}`);
    if (killAt === String(n)) die(`before op ${n}`);
    if (snapDir) {
      snapshot(String(n));
      if (name === 'writeSync' || name === 'writeFileSync') snapshot(`${n}t`, tornWrite(args, name));
      const [path, options] = args as [string, { recursive?: boolean }?];
      if (
        name === 'rmSync' &&
        options?.recursive &&
        original.existsSync(path) &&
        original.statSync(path).isDirectory()
      ) {
        const file = firstFile(path);
        if (file) snapshot(`${n}t`, (copy) => original.rmSync(inCopy(copy, file)));
      }
    }
    inside = true;
    let result: unknown;
    try {
      result = real(...args);
    } finally {
      inside = false;
    }
    if (name === 'openSync' && typeof result === 'number') paths.set(result, String(args[0]));
    return result;
  };
}
// The installer's `import { … } from 'node:fs'` bindings now see the numbered calls.
syncBuiltinESMExports();

const installer = createInstaller({
  root,
  gatewayId: 'gw-1',
  engineVersion: '1.0.0',
  trust: () => ({ trusted: [installerKey.publicKey], revoked: [] }),
  now: () => NOW,
  keep: 1,
  runtime: mode === 'unhealthy' ? { ...idleRuntime, healthCheck: async () => false } : idleRuntime,
  report: (report) => {
    out(`step ${report.step}`);
    phase = report.step;
    if (killAt === report.step) die(`at step ${report.step}`);
  },
});
if (mode === 'open') {
  out(`done opened ${installer.store.currentVersion()}`);
} else {
  out('step begin');
  phase = 'begin';
  if (killAt === 'begin') die('at step begin');
  const result =
    mode === 'rollback'
      ? await installer.rollback()
      : await installer.install(fs.readFileSync(packagePath!), 'local');
  out(`done ${result.step} ${result.running}`);
}
