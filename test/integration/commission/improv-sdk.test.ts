/**
 * Protocol fidelity the other way round: our virtual Improv device against ESPHome's own
 * client, improv-wifi-serial-sdk, driven from Node over a socat pty. Its ESM build has an
 * extensionless import, so it is bundled with esbuild first.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVirtualImprovDevice } from '../../../shared/node/sim/improv-device';
import { DEMO_RADIO } from '../../../shared/node/sim/site';
import { createPtyPair } from '../../helpers/pty';

interface SdkClient {
  initialize(
    timeout?: number,
  ): Promise<{ name: string; firmware: string; version: string; chipFamily: string }>;
  scan(timeout?: number): Promise<{ name: string; rssi: number; secured: boolean }[]>;
  provision(ssid: string, password: string, timeout?: number): Promise<void>;
  requestCurrentState(timeout?: number): Promise<void>;
  getHostname(timeout?: number): Promise<string>;
  setHostname(name: string, timeout?: number): Promise<string>;
  close(): Promise<void>;
  state?: number;
  nextUrl?: string;
}
type SdkConstructor = new (port: unknown, logger: unknown) => SdkClient;

let ImprovSerial: SdkConstructor;
let bundleDir: string;
beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'fg-improv-sdk-'));
  const out = await build({
    entryPoints: ['node_modules/improv-wifi-serial-sdk/dist/serial.js'],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  const file = join(bundleDir, 'serial.mjs');
  await writeFile(file, out.outputFiles[0]?.text ?? '');
  ({ ImprovSerial } = (await import(pathToFileURL(file).href)) as { ImprovSerial: SdkConstructor });
});
afterAll(async () => {
  await rm(bundleDir, { recursive: true, force: true });
});

const quietLogger = { log() {}, error() {}, debug() {} };

const openWebPort = async (
  path: string,
): Promise<{ port: SerialPort; web: { readable: ReadableStream; writable: WritableStream } }> => {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  return { port, web: { readable: Readable.toWeb(port) as ReadableStream, writable: Writable.toWeb(port) } };
};

describe('virtual Improv device against improv-wifi-serial-sdk', () => {
  it('initializes, scans, provisions and reports the URL; rerun sees it provisioned', async () => {
    const pty = await createPtyPair();
    const device = await startVirtualImprovDevice(pty.devicePath, {
      firmware: 'ESPHome',
      version: '2025.6.2',
      chip: 'ESP32-C3',
      deviceName: 'porch-light',
      logIntervalMs: 20,
      url: 'http://127.0.0.1/{name}',
      networks: [
        { ssid: 'SiteNet', rssi: -40, secured: true },
        { ssid: 'Cafe', rssi: -80, secured: false },
      ],
      supportsNames: true,
    });
    const { port, web } = await openWebPort(pty.hostPath);
    try {
      const client = new ImprovSerial(web, quietLogger);
      const info = await client.initialize(3000);
      expect(info).toMatchObject({
        name: 'porch-light',
        firmware: 'ESPHome',
        version: '2025.6.2',
        chipFamily: 'ESP32-C3',
      });
      expect(client.state).toBe(2);
      const networks = await client.scan(5000);
      expect(networks).toEqual([
        { name: 'Cafe', rssi: -80, secured: false },
        { name: 'SiteNet', rssi: -40, secured: true },
      ]);
      expect(await client.setHostname('porch-light-2', 3000)).toBe('porch-light-2');
      await client.provision('SiteNet', 'correct horse', 5000);
      expect(client.nextUrl).toBe('http://127.0.0.1/porch-light');
      expect(device.joinedSsid).toBe('SiteNet');
      await client.requestCurrentState(3000);
      expect(client.state).toBe(4);
      expect(client.nextUrl).toBe('http://127.0.0.1/porch-light');
      expect(device.invalidFramesReceived).toBe(0);
      await client.close();
    } finally {
      port.destroy();
      await device.close();
      await pty.close();
    }
  });

  it("answers a scan of the demo's street like ESPHome: no hidden network, each name once, names in UTF-8", async () => {
    const pty = await createPtyPair();
    const device = await startVirtualImprovDevice(pty.devicePath, { networks: [...DEMO_RADIO] });
    const { port, web } = await openWebPort(pty.hostPath);
    try {
      const client = new ImprovSerial(web, quietLogger);
      await client.initialize(3000);
      // The SDK sorts by name; what it parsed is what the device sent.
      expect(await client.scan(5000)).toEqual([
        { name: 'Bäckerei Müller Gast', rssi: -78, secured: false },
        { name: 'DIRECT-7E-HP OfficeJet 8010', rssi: -83, secured: true },
        { name: 'Fieldgraph-Demo', rssi: -47, secured: true },
        { name: 'Vodafone-A1B2C3', rssi: -88, secured: true },
      ]);
      await client.close();
    } finally {
      port.destroy();
      await device.close();
      await pty.close();
    }
  });

  it('reports a wrong password as the SDK error "unable to connect"', async () => {
    const pty = await createPtyPair();
    const device = await startVirtualImprovDevice(pty.devicePath);
    const { port, web } = await openWebPort(pty.hostPath);
    try {
      const client = new ImprovSerial(web, quietLogger);
      await client.initialize(3000);
      await expect(client.provision('SiteNet', 'nope', 5000)).rejects.toThrow(/connect/i);
      expect(device.joinedSsid).toBeUndefined();
      await client.close();
    } finally {
      port.destroy();
      await device.close();
      await pty.close();
    }
  });

  it('is a real check: the SDK refuses a device that sends wrong checksums', async () => {
    const pty = await createPtyPair();
    const device = await startVirtualImprovDevice(pty.devicePath, { corruptChecksums: true });
    const { port, web } = await openWebPort(pty.hostPath);
    try {
      const client = new ImprovSerial(web, quietLogger);
      await expect(client.initialize(1500)).rejects.toThrow();
    } finally {
      port.destroy();
      await device.close();
      await pty.close();
    }
  });
});
