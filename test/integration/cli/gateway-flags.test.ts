import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(__dirname, '..', '..', '..');
// Prints what the process that runs the CLI was started with, as it exits.
const report =
  'data:text/javascript,process.on("exit",()=>console.log("FLAGS "+JSON.stringify({pid:process.pid,execArgv:process.execArgv})))';

const run = (
  nodeFlags: string[],
  args: string[],
): Promise<{ pid: number; out: { pid: number; execArgv: string[] } }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeFlags, '--import', report, join(repo, 'bin', 'fieldgraph.js'), ...args],
      {
        cwd: repo,
        env: { ...process.env, FIELDGRAPH_GATEWAY_FLAGS: '' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      const line = text.split('\n').find((l) => l.startsWith('FLAGS '));
      if (!line) reject(new Error(`no FLAGS line in: ${text.slice(0, 500)}`));
      else
        resolve({ pid: child.pid!, out: JSON.parse(line.slice(6)) as { pid: number; execArgv: string[] } });
    });
  });

// process.execve exists from Node 22.15 (not on Windows); older Node runs the gateway with V8's defaults.
describe.skipIf(typeof (process as { execve?: unknown }).execve !== 'function')(
  'fieldgraph gateway start-up flags',
  () => {
    it('runs the gateway in the same single process, restarted with its heap flags', async () => {
      const { pid, out } = await run([], ['gateway', '--help']);
      expect(out.pid).toBe(pid);
      expect(out.execArgv).toContain('--max-semi-space-size=2');
      expect(out.execArgv).toContain('--heap-growing-percent=50');
    });

    it("keeps the user's own young-generation size", async () => {
      const { out } = await run(['--max-semi-space-size=8'], ['gateway', '--help']);
      expect(out.execArgv.filter((f) => f.startsWith('--max-semi-space-size'))).toEqual([
        '--max-semi-space-size=8',
      ]);
      expect(out.execArgv).toContain('--heap-growing-percent=50');
    });

    it('leaves the other commands as they were started', async () => {
      const { out } = await run([], ['library', '--help']);
      expect(out.execArgv.some((f) => f.startsWith('--max-semi-space-size'))).toBe(false);
    });
  },
);
