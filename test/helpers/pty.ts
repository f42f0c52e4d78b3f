import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A pair of linked pseudo-terminals made by socat: the device end and the host end. */
export interface PtyPair {
  /** Open this one as the virtual device. */
  readonly devicePath: string;
  /** Open this one as the app (serialport). */
  readonly hostPath: string;
  close(): Promise<void>;
}

/** Creates a socat pty pair in a fresh temp folder and waits until both links exist. */
export const createPtyPair = async (name = 'tty'): Promise<PtyPair> => {
  const dir = await mkdtemp(join(tmpdir(), 'fg-pty-'));
  const devicePath = join(dir, `${name}DEV`);
  const hostPath = join(dir, `${name}HOST`);
  const child = spawn('socat', [`pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${hostPath}`], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 5000;
  while (!(existsSync(devicePath) && existsSync(hostPath))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error('socat did not create the pty pair (is socat installed?)');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    devicePath,
    hostPath,
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
};
