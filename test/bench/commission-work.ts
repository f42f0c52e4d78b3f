// Work for test/bench/commission.mjs, bundled by esbuild: pty pairs, virtual Improv devices
// (run in a child process so the app side is measured on its own event loop), and one
// commissioning run through the real queue.
import { CommissionQueue } from '../../shared/node/commission/queue';
import { startVirtualImprovDevice, type VirtualImprovDevice } from '../../shared/node/sim/improv-device';
import { createPtyPair, type PtyPair } from '../helpers/pty';

export { createPtyPair, type PtyPair };

/** Starts one virtual device per path; resolves with a closer. */
export const startDevices = async (paths: string[], connectDelayMs: number): Promise<() => Promise<void>> => {
  const devices: VirtualImprovDevice[] = [];
  for (const path of paths)
    devices.push(await startVirtualImprovDevice(path, { connectDelayMs, logIntervalMs: 50 }));
  return async () => {
    for (const d of devices) await d.close();
  };
};

/** Commissions every host path at once; resolves with wall time and how many were provisioned. */
export const commissionAll = async (hostPaths: string[]): Promise<{ ms: number; provisioned: number }> => {
  const queue = new CommissionQueue({ serial: { improvAttempts: 3, improvIntervalMs: 1000 } });
  const started = performance.now();
  const run = queue.start(
    { wifi: { ssid: 'SiteNet', password: 'correct horse' } },
    hostPaths.map((port, i) => ({
      target: { kind: 'serial' as const, port },
      assignment: { name: `bench-${i + 1}` },
    })),
  );
  const done = await queue.wait(run.id);
  return {
    ms: performance.now() - started,
    provisioned: done.jobs.filter((j) => j.status === 'provisioned').length,
  };
};
