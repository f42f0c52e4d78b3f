import { afterEach, describe, expect, it } from 'vitest';
import { FieldgraphError } from '../../../shared/core/errors';
import { ImprovClient } from '../../../shared/node/protocols/improv-client';
import { ImprovState } from '../../../shared/node/protocols/improv-frame';
import { openSerialLink, isSerialPortInUse } from '../../../shared/node/serial/port';
import { probeSerialPort } from '../../../shared/node/serial/probe';
import { startVirtualImprovDevice, type VirtualImprovDevice } from '../../../shared/node/sim/improv-device';
import { createPtyPair, type PtyPair } from '../../helpers/pty';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

const rig = async (
  options: Parameters<typeof startVirtualImprovDevice>[1] = {},
): Promise<{
  pty: PtyPair;
  device: VirtualImprovDevice;
}> => {
  const pty = await createPtyPair();
  cleanup.push(() => pty.close());
  const device = await startVirtualImprovDevice(pty.devicePath, options);
  cleanup.push(() => device.close());
  return { pty, device };
};

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'resolved';
  } catch (error) {
    return error instanceof FieldgraphError ? error.code : `non-FieldgraphError: ${String(error)}`;
  }
};

describe('Improv client against the virtual device over a socat pty', () => {
  it('reads state and device info, scans, provisions and reads the URL, with log lines interleaved', async () => {
    const { pty, device } = await rig({
      logIntervalMs: 5,
      firmware: 'WLED',
      version: '0.15.0/2406',
      chip: 'esp32',
      deviceName: 'desk-light',
      url: 'http://127.0.0.1:8123/{name}',
      networks: [
        { ssid: 'SiteNet', rssi: -48, secured: true },
        { ssid: 'Guest', rssi: -70, secured: false },
      ],
    });
    const link = await openSerialLink(pty.hostPath);
    cleanup.push(() => link.close());
    const lines: string[] = [];
    const client = new ImprovClient(link, { onLine: (l) => lines.push(l) });
    expect(await client.requestState()).toEqual({ state: ImprovState.ready, urls: [] });
    expect(await client.deviceInfo()).toEqual({
      firmware: 'WLED',
      version: '0.15.0/2406',
      chip: 'esp32',
      name: 'desk-light',
    });
    expect(await client.scan()).toEqual([
      { ssid: 'SiteNet', rssi: -48, secured: true },
      { ssid: 'Guest', rssi: -70, secured: false },
    ]);
    expect(await client.hostname()).toBeUndefined();
    const result = await client.provision('SiteNet', 'correct horse');
    expect(result).toEqual({ state: ImprovState.provisioned, urls: ['http://127.0.0.1:8123/desk-light'] });
    expect(device.joinedSsid).toBe('SiteNet');
    // Already provisioned: request-state reports it with the URL, so a rerun can skip provisioning.
    expect(await client.requestState()).toEqual({
      state: ImprovState.provisioned,
      urls: ['http://127.0.0.1:8123/desk-light'],
    });
    expect(lines.some((l) => l.includes('uptime tick'))).toBe(true);
    expect(device.invalidFramesReceived).toBe(0);
  });

  it('sets hostname and device name where the firmware supports them', async () => {
    const { pty, device } = await rig({ supportsNames: true });
    const link = await openSerialLink(pty.hostPath);
    cleanup.push(() => link.close());
    const client = new ImprovClient(link);
    expect(await client.hostname('kitchen-relay-1')).toBe('kitchen-relay-1');
    expect(await client.deviceName('Kitchen relay 1')).toBe('Kitchen relay 1');
    expect(device.hostname).toBe('kitchen-relay-1');
    expect((await client.deviceInfo()).name).toBe('Kitchen relay 1');
    expect(await codeOf(client.hostname('bad_host name'))).toBe('commission.invalid_value');
  });

  it('reports a rejected Wi-Fi password as wifi_rejected and the device stays ready', async () => {
    const { pty, device } = await rig();
    const link = await openSerialLink(pty.hostPath);
    cleanup.push(() => link.close());
    const client = new ImprovClient(link);
    expect(await codeOf(client.provision('SiteNet', 'wrong'))).toBe('commission.wifi_rejected');
    expect(device.state).toBe(ImprovState.ready);
    expect(device.joinedSsid).toBeUndefined();
  });

  it('names a silent device as no_answer with the port and baud in the message', async () => {
    const { pty } = await rig({ silent: true });
    const link = await openSerialLink(pty.hostPath);
    cleanup.push(() => link.close());
    const client = new ImprovClient(link);
    const error = await client.requestState(2, 200).catch((e: FieldgraphError) => e);
    expect(error).toBeInstanceOf(FieldgraphError);
    expect((error as FieldgraphError).code).toBe('commission.no_answer');
    expect((error as FieldgraphError).message).toContain(`${pty.hostPath} at 115200 baud`);
  });

  it('rejects corrupt checksums and truncated frames as protocol errors, never as success', async () => {
    for (const options of [{ corruptChecksums: true }, { truncateFrames: true }]) {
      const { pty } = await rig(options);
      const link = await openSerialLink(pty.hostPath);
      cleanup.push(() => link.close());
      const client = new ImprovClient(link, { rpcTimeoutMs: 600 });
      expect(await codeOf(client.requestState(2, 300))).toMatch(/commission\.(protocol_error|no_answer)/);
      expect(await codeOf(client.deviceInfo())).toMatch(/commission\.(protocol_error|no_answer)/);
    }
  });

  it('fails the pending call at once when the device is unplugged, and releases the port', async () => {
    const { pty } = await rig({ connectDelayMs: 5000 });
    const link = await openSerialLink(pty.hostPath);
    const client = new ImprovClient(link);
    await client.requestState();
    const pending = codeOf(client.provision('SiteNet', 'correct horse'));
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await pty.close();
    expect(await pending).toBe('serial.disconnected');
    expect(Date.now() - started).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 100));
    expect(isSerialPortInUse(pty.hostPath)).toBe(false);
    await link.close();
  });

  it('refuses a second open of the same port in this process', async () => {
    const { pty } = await rig();
    const link = await openSerialLink(pty.hostPath);
    cleanup.push(() => link.close());
    expect(await codeOf(openSerialLink(pty.hostPath))).toBe('serial.port_busy');
  });

  it('probes an Improv device and reports an unknown console otherwise', async () => {
    const { pty } = await rig({ firmware: 'ESPHome', chip: 'ESP32-S3', deviceName: 'bench-1' });
    const probe = await probeSerialPort(pty.hostPath, { improvAttempts: 2, improvIntervalMs: 300 });
    expect(probe).toMatchObject({
      kind: 'improv',
      state: ImprovState.ready,
      info: { firmware: 'ESPHome', chip: 'ESP32-S3', name: 'bench-1' },
    });
    expect(isSerialPortInUse(pty.hostPath)).toBe(false);

    const silent = await rig({ silent: true });
    const unknown = await probeSerialPort(silent.pty.hostPath, {
      improvAttempts: 2,
      improvIntervalMs: 200,
      tasmotaTimeoutMs: 500,
    });
    expect(unknown.kind).toBe('unknown');
  });
});
