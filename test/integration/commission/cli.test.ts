import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { commissionCommand } from '../../../cli/commands/commission';
import { UsageError } from '../../../cli/command';
import { startVirtualImprovDevice } from '../../../shared/node/sim/improv-device';
import { startVirtualTasmotaConsole } from '../../../shared/node/sim/tasmota-console';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';
import { createPtyPair } from '../../helpers/pty';

let broker: Mosquitto;
let dir: string;
beforeAll(async () => {
  broker = await startMosquitto();
  dir = await mkdtemp(join(tmpdir(), 'fg-cli-commission-'));
  process.env.FG_TEST_WIFI = 'correct horse';
  process.env.FG_TEST_WRONG = 'not the password';
  process.env.FG_TEST_LONG = 'x'.repeat(65);
  process.env.FG_TEST_SEMI = 'pass;word123';
});
afterAll(async () => {
  await broker.stop();
  await rm(dir, { recursive: true, force: true });
  delete process.env.FG_TEST_WIFI;
  delete process.env.FG_TEST_WRONG;
  delete process.env.FG_TEST_LONG;
  delete process.env.FG_TEST_SEMI;
});
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

const run = async (argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const code = await commissionCommand.run(argv);
  vi.restoreAllMocks();
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
};

const improvOnPty = async (options: Parameters<typeof startVirtualImprovDevice>[1] = {}) => {
  const pty = await createPtyPair();
  cleanup.push(() => pty.close());
  const device = await startVirtualImprovDevice(pty.devicePath, options);
  cleanup.push(() => device.close());
  return { pty, device };
};

describe('fieldgraph commission', () => {
  it('--port --ssid --password-env --json prints the provisioned device and exits 0', async () => {
    const { pty, device } = await improvOnPty({
      firmware: 'ESPHome',
      version: '2025.6.2',
      chip: 'ESP32-C3',
      url: 'http://127.0.0.1/x',
      supportsNames: true,
    });
    const res = await run([
      '--port',
      pty.hostPath,
      '--ssid',
      'SiteNet',
      '--password-env',
      'FG_TEST_WIFI',
      '--name',
      'Hall light',
      '--json',
    ]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({
      result: 'provisioned',
      code: null,
      port: pty.hostPath,
      device: {
        firmware: 'ESPHome',
        version: '2025.6.2',
        chip: 'ESP32-C3',
        name: 'Hall light',
        url: 'http://127.0.0.1/x',
      },
    });
    expect(device.joinedSsid).toBe('SiteNet');
    expect(res.stdout + res.stderr).not.toContain('correct horse');
  });

  it('exits 1 with result failed and a code when the device rejects the password', async () => {
    const { pty } = await improvOnPty();
    const res = await run([
      '--port',
      pty.hostPath,
      '--ssid',
      'SiteNet',
      '--password-env',
      'FG_TEST_WRONG',
      '--json',
    ]);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toMatchObject({ result: 'failed', code: 'commission.wifi_rejected' });
  });

  it('--site with a broker commissions Improv and Tasmota together and writes the report', async () => {
    const a = await improvOnPty({ deviceName: 'esp-a' });
    const pty = await createPtyPair();
    cleanup.push(() => pty.close());
    const tasmota = await startVirtualTasmotaConsole(pty.devicePath);
    cleanup.push(() => tasmota.close());
    const site = join(dir, 'depot.json');
    await writeFile(
      site,
      JSON.stringify({
        id: 'depot',
        name: 'Depot',
        wifi: { ssid: 'SiteNet', password: { secret: 'site/depot/wifi' } },
        broker: { host: '127.0.0.1', port: broker.port },
        naming: { scheme: '{room}-{capability}-{n}' },
        rooms: [{ id: 'hall', name: 'Hall' }],
        devices: [],
        bindings: [],
        gateways: [],
      }),
    );
    const report = join(dir, 'report.csv');
    const res = await run([
      '--port',
      a.pty.hostPath,
      '--port',
      pty.hostPath,
      '--site',
      site,
      '--password-env',
      'FG_TEST_WIFI',
      '--room',
      'hall',
      '--installer',
      'Ana',
      '--report',
      report,
      '--json',
      '--timeout',
      '15',
    ]);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as {
      result: string;
      devices: { device: { name: string; firmware: string } }[];
    };
    expect(out.result).toBe('provisioned');
    expect(out.devices.map((d) => d.device.firmware)).toEqual(['ESPHome', 'Tasmota']);
    // The Improv firmware cannot be renamed (no 0x06), so it keeps its own name; Tasmota takes the scheme's.
    expect(out.devices.map((d) => d.device.name)).toEqual(['esp-a', 'hall-device-2']);
    expect(tasmota.settings.DEVICENAME).toBe('hall-device-2');
    expect(tasmota.settings.MQTTPORT).toBe(String(broker.port));
    const csv = await readFile(report, 'utf8');
    expect(csv).toContain('# Site: Depot');
    expect(csv).toContain('# Installer: Ana');
    expect(csv.split('\r\n').filter((l) => l.includes(',provisioned,'))).toHaveLength(2);
  });

  it('refuses a Wi-Fi password over 64 bytes before sending anything, and ";" for Tasmota', async () => {
    const { pty, device } = await improvOnPty();
    const long = await run([
      '--port',
      pty.hostPath,
      '--ssid',
      'SiteNet',
      '--password-env',
      'FG_TEST_LONG',
      '--json',
    ]);
    expect(long.code).toBe(1);
    expect(JSON.parse(long.stdout)).toMatchObject({ result: 'failed', code: 'commission.invalid_value' });
    expect(long.stdout).not.toContain('xxxxxxxx');
    expect(device.joinedSsid).toBeUndefined();
    const tpty = await createPtyPair();
    cleanup.push(() => tpty.close());
    const tasmota = await startVirtualTasmotaConsole(tpty.devicePath);
    cleanup.push(() => tasmota.close());
    const semi = await run([
      '--port',
      tpty.hostPath,
      '--ssid',
      'SiteNet',
      '--password-env',
      'FG_TEST_SEMI',
      '--protocol',
      'tasmota',
      '--json',
    ]);
    expect(JSON.parse(semi.stdout)).toMatchObject({ result: 'failed', code: 'commission.invalid_value' });
    expect(JSON.parse(semi.stdout).message).toMatch(/";"/);
    expect(tasmota.settings.PASSWORD1).toBe('');
  });

  it('--all takes USB serial ports from the OS list (a fake udevadm here) and skips built-in UARTs', async () => {
    const bin = join(dir, 'bin');
    await rm(bin, { recursive: true, force: true });
    await mkdir(bin);
    await writeFile(
      join(bin, 'udevadm'),
      [
        '#!/bin/sh',
        "printf 'P: /devices/usb1/ttyUSB97\\nN: ttyUSB97\\nE: DEVNAME=/dev/ttyUSB97\\nE: ID_VENDOR_ID=1a86\\nE: ID_MODEL_ID=7523\\n\\n'",
        "printf 'P: /devices/platform/serial8250/tty/ttyS0\\nN: ttyS0\\nE: DEVNAME=/dev/ttyS0\\n\\n'",
        '',
      ].join('\n'),
    );
    await chmod(join(bin, 'udevadm'), 0o755);
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath}`;
    try {
      const res = await run(['--all', '--ssid', 'SiteNet', '--password-env', 'FG_TEST_WIFI', '--json']);
      const out = JSON.parse(res.stdout) as { port?: string; devices?: { port: string; code: string }[] };
      const devices = out.devices ?? [out as { port: string; code: string }];
      expect(devices.map((d) => d.port)).toContain('/dev/ttyUSB97');
      expect(devices.map((d) => d.port)).not.toContain('/dev/ttyS0');
      expect(devices.find((d) => d.port === '/dev/ttyUSB97')?.code).toBe('serial.open_failed');
      expect(res.code).toBe(1);
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('names usage mistakes and bad site files', async () => {
    await expect(run(['--ssid', 'X', '--password-env', 'FG_TEST_WIFI'])).rejects.toThrow(UsageError);
    await expect(run(['--port', '/dev/x', '--ssid', 'X'])).rejects.toThrow(/--password-env/);
    await expect(run(['--port', '/dev/x', '--ssid', 'X', '--password-env', 'FG_NOPE_UNSET'])).rejects.toThrow(
      /FG_NOPE_UNSET/,
    );
    await expect(
      run(['--port', '/dev/x', '--ssid', 'X', '--password-env', 'FG_TEST_WIFI', '--broker', 'mqtt://u:pw@h']),
    ).rejects.toThrow(/broker-password-env/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"id":"x"}');
    await expect(run(['--port', '/dev/x', '--site', bad])).rejects.toThrow(/not a site file/);
    const res = await run([
      '--port',
      join(dir, 'no-such-tty'),
      '--ssid',
      'X',
      '--password-env',
      'FG_TEST_WIFI',
      '--json',
    ]);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toMatchObject({ result: 'failed', code: 'serial.open_failed' });
  });

  it('the built binary (plain node) commissions over a pty and exits 0 only when provisioned', async () => {
    const { pty } = await improvOnPty({
      firmware: 'WLED',
      version: '0.15.0',
      chip: 'esp32',
      url: 'http://127.0.0.1/',
    });
    const cli = (password: string) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        // Async spawn: the virtual device runs on this process's event loop and must keep answering.
        const child = spawn(
          process.execPath,
          [
            'bin/fieldgraph.js',
            'commission',
            '--port',
            pty.hostPath,
            '--ssid',
            'SiteNet',
            '--password-env',
            password,
            '--json',
          ],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.once('exit', (code) => resolve({ code, stdout }));
      });
    const wrong = await cli('FG_TEST_WRONG');
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ result: 'failed', code: 'commission.wifi_rejected' });
    const ok = await cli('FG_TEST_WIFI');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      result: 'provisioned',
      device: { firmware: 'WLED', url: 'http://127.0.0.1/' },
    });
  });
});
