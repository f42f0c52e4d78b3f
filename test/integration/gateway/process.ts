import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
// Under node_modules/.cache so the bundle's bare imports resolve to the repo's packages.
const bundle = join(repo, 'node_modules', '.cache', 'fieldgraph-test', 'gateway.mjs');
let built: Promise<string> | undefined;

/**
 * Bundles the `fieldgraph gateway` command alone (so this test does not depend on every other
 * command building) and returns the file to run with node.
 */
export const gatewayBundle = (): Promise<string> =>
  (built ??= build({
    stdin: {
      contents:
        "import { gatewayCommand } from './cli/commands/gateway';\nprocess.exitCode = await gatewayCommand.run(process.argv.slice(2));\n",
      resolveDir: repo,
      sourcefile: 'test-gateway-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: bundle,
    logLevel: 'warning',
  }).then(() => bundle));

/** A gateway running as its own process, the way a site runs it. */
export interface GatewayProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stdout says the gateway is online. */
  online(timeoutMs?: number): Promise<void>;
  /** SIGKILL unless it already ended, then waits for the exit: for test cleanups. */
  kill(): Promise<void>;
}

/**
 * Starts `fieldgraph gateway ARGS` with plain node; `wrap` runs it through another command (ip
 * netns exec …); `env` adds variables (FIELDGRAPH_GATEWAY_TOKEN).
 */
export const spawnGateway = async (
  args: string[],
  wrap: string[] = [],
  env: Record<string, string> = {},
): Promise<GatewayProcess> => {
  const file = await gatewayBundle();
  const [command, ...prefix] = [...wrap, process.execPath];
  const child = spawn(command, [...prefix, file, ...args], {
    cwd: repo,
    env: { ...process.env, FIELDGRAPH_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return {
    child,
    output: () => text,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    online: async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!/is online at/.test(text)) {
        if (child.exitCode !== null) throw new Error(`the gateway exited early: ${text}`);
        if (Date.now() > deadline) throw new Error(`the gateway did not come online: ${text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
};
