import { SerialPort } from 'serialport';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A socat pseudo-terminal pair: the app opens `hostPath`, a virtual device `devicePath`. */
export interface SimPty {
  readonly hostPath: string;
  readonly devicePath: string;
  close(): Promise<void>;
}

/**
 * Links two pseudo-terminals with socat (a Debian package the demo's serial side needs) and
 * waits until both links exist. Fails with a clear message when socat is missing.
 */
export const openSimPty = async (hostPath: string, devicePath: string): Promise<SimPty> => {
  const child = spawn('socat', [`pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${hostPath}`], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<Error>((resolve) => child.once('error', (e) => resolve(e)));
  let spawnError: Error | undefined;
  void failed.then((e) => (spawnError = e));
  const deadline = Date.now() + 5000;
  while (!(existsSync(devicePath) && existsSync(hostPath))) {
    if (spawnError || child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `socat could not link ${hostPath} (${spawnError?.message ?? 'no pty'}); install socat for the demo's serial ports.`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    hostPath,
    devicePath,
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
};

/**
 * Opens the device end of a pty as a virtual device does: no lock (the host end may be locked
 * by the app) and no hang-up on close. Errors after opening are ignored: the peer may vanish.
 */
export const openDeviceEnd = async (devicePath: string, baudRate = 115200): Promise<SerialPort> => {
  const port = new SerialPort({ path: devicePath, baudRate, autoOpen: false, hupcl: false, lock: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  port.on('error', () => {});
  return port;
};
