import { build } from 'esbuild';
import type { ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import type { NetNs } from '../../helpers/netns';

/**
 * A runner bundled to one .mjs file (npm packages stay external), so it runs with plain node
 * inside a namespace. It is written under dist/ so the code finds the package root from its path.
 */
export const bundleRunner = async (
  entry = join(import.meta.dirname, 'mdns-runner.ts'),
): Promise<{ file: string; dispose: () => Promise<void> }> => {
  const dir = join(import.meta.dirname, '..', '..', '..', 'dist', 'test-bundles');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${basename(entry, '.ts')}-${process.pid}-${Date.now()}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: file,
    logLevel: 'silent',
    packages: 'external',
  });
  return { file, dispose: () => rm(file, { force: true }) };
};

/** A browser running inside the namespace, with its latest device list. */
export interface RunningBrowser {
  readonly child: ChildProcess;
  devices: DiscoveredDevice[];
  problems: { reason: string }[];
  waitFor<T>(probe: (devices: DiscoveredDevice[]) => T | undefined, what: string, ms?: number): Promise<T>;
  stop(): Promise<void>;
}

export const startBrowser = async (
  ns: NetNs,
  runner: string,
  maxRequeryMs = 60000,
): Promise<RunningBrowser> => {
  const child = ns.spawn(process.execPath, [runner, ns.address, String(maxRequeryMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const state: RunningBrowser = {
    child,
    devices: [],
    problems: [],
    async waitFor(probe, what, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = probe(state.devices);
        if (value !== undefined) return value;
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${what}; have ${JSON.stringify(state.devices.map((d) => [d.name, d.online]))}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
  let ready: () => void;
  const isReady = new Promise<void>((resolve, reject) => {
    ready = resolve;
    child.once('exit', (code) => reject(new Error(`the runner exited with ${code} before it was ready`)));
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as {
      devices?: DiscoveredDevice[];
      problem?: { reason: string };
      ready?: boolean;
    };
    if (message.devices) state.devices = message.devices;
    if (message.problem) state.problems.push(message.problem);
    if (message.ready) ready();
  });
  await isReady;
  return state;
};
