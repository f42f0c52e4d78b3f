import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventHub } from '../../../shared/core/api/events';
import type { FieldgraphError } from '../../../shared/core/errors';
import { silentLogger } from '../../../shared/node/log';
import { createEncryptedFileSecretStore } from '../../../shared/node/secrets';
import { isSerialPortInUse } from '../../../shared/node/serial/port';
import { createCommissionService } from '../../../shared/node/services/commission';
import { startVirtualImprovDevice } from '../../../shared/node/sim/improv-device';
import { DEMO_RADIO, DEMO_WIFI } from '../../../shared/node/sim/site';
import { startVirtualTasmotaConsole } from '../../../shared/node/sim/tasmota-console';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';
import { createPtyPair } from '../../helpers/pty';

let broker: Mosquitto;
let dataDir: string;
beforeAll(async () => {
  broker = await startMosquitto();
  dataDir = await mkdtemp(join(tmpdir(), 'fg-commission-'));
});
afterAll(async () => {
  await broker.stop();
  await rm(dataDir, { recursive: true, force: true });
});
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

const setup = async () => {
  const hub = createEventHub();
  const events: { event: string; payload: unknown }[] = [];
  hub.subscribe((event, payload) => events.push({ event, payload }));
  const secrets = createEncryptedFileSecretStore({
    path: join(dataDir, 'secrets.json'),
    passphrase: 'test',
    kdf: { N: 1024, r: 8, p: 1 },
  });
  await secrets.set('site/depot/wifi', 'correct horse');
  const service = createCommissionService(
    { runtime: 'web', dataDir, hub, log: silentLogger },
    {
      secrets,
      queue: { serial: { improvAttempts: 2, improvIntervalMs: 300, tasmota: { onlineTimeoutMs: 10_000 } } },
    },
  );
  return { service, events };
};

const pty = async () => {
  const pair = await createPtyPair();
  cleanup.push(() => pair.close());
  return pair;
};

describe('commission service over ptys and mosquitto', () => {
  it('commissions Improv and Tasmota devices at once, with progress events, a failure reason, and reports', async () => {
    const { service, events } = await setup();
    const [a, b, c, silent] = [await pty(), await pty(), await pty(), await pty()];
    for (const [p, name] of [
      [a, 'esp-a'],
      [b, 'esp-b'],
    ] as const) {
      const d = await startVirtualImprovDevice(p.devicePath, {
        deviceName: name,
        url: `http://127.0.0.1/${name}`,
        logIntervalMs: 10,
      });
      cleanup.push(() => d.close());
    }
    const t = await startVirtualTasmotaConsole(c.devicePath);
    cleanup.push(() => t.close());
    const s = await startVirtualImprovDevice(silent.devicePath, { silent: true });
    cleanup.push(() => s.close());

    const run = await service.start(
      {
        profile: {
          siteName: 'Depot',
          installer: 'Ana',
          wifi: { ssid: 'SiteNet', passwordSecret: 'site/depot/wifi' },
          broker: { host: '127.0.0.1', port: broker.port },
        },
        devices: [
          { target: { kind: 'serial', port: a.hostPath }, name: 'Hall light', room: 'hall' },
          { target: { kind: 'serial', port: b.hostPath }, name: 'Porch light', room: 'porch' },
          { target: { kind: 'serial', port: c.hostPath }, name: 'Kitchen relay', room: 'kitchen' },
          { target: { kind: 'serial', port: silent.hostPath }, name: 'Dead board' },
        ],
      },
      { transport: 'direct' },
    );
    let state = run;
    const deadline = Date.now() + 30_000;
    while (state.status !== 'finished' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = await service.get({ runId: run.id }, { transport: 'direct' });
    }
    expect(state.jobs.map((j) => j.status)).toEqual(['provisioned', 'provisioned', 'provisioned', 'failed']);
    expect(state.jobs[0]?.device).toMatchObject({
      firmware: 'ESPHome',
      url: 'http://127.0.0.1/esp-a',
      ip: '127.0.0.1',
    });
    expect(state.jobs[2]?.device).toMatchObject({ firmware: 'Tasmota', topic: 'kitchen_relay' });
    expect(state.jobs[3]?.error?.code).toBe('commission.no_answer');
    expect(state.jobs[3]?.error?.message).toMatch(/flashing mode/);
    for (const p of [a, b, c, silent]) expect(isSerialPortInUse(p.hostPath)).toBe(false);

    const progress = events.filter((e) => e.event === 'onCommissionProgress');
    expect(progress.length).toBeGreaterThan(8);
    expect(JSON.stringify(events)).not.toContain('correct horse');
    expect(JSON.stringify(state)).not.toContain('correct horse');

    const html = await service.report({ runId: run.id, format: 'html' }, { transport: 'direct' });
    expect(html.text).toContain('Kitchen relay');
    expect(html.text).toContain('3 of 4 provisioned');
    expect(html.text).not.toContain('correct horse');
    const pdf = await service.report({ runId: run.id, format: 'pdf' }, { transport: 'direct' });
    expect(
      Buffer.from(pdf.base64 ?? '', 'base64')
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('refuses two runs on one port, and cancel releases the port', async () => {
    const { service } = await setup();
    const p = await pty();
    const d = await startVirtualImprovDevice(p.devicePath, { connectDelayMs: 20_000 });
    cleanup.push(() => d.close());
    const profile = { wifi: { ssid: 'SiteNet', password: 'correct horse' } };
    await expect(
      service.start(
        {
          profile,
          devices: [
            { target: { kind: 'serial', port: p.hostPath } },
            { target: { kind: 'serial', port: p.hostPath } },
          ],
        },
        { transport: 'direct' },
      ),
    ).rejects.toMatchObject({ code: 'serial.port_busy' });
    const first = await service.start(
      { profile, devices: [{ target: { kind: 'serial', port: p.hostPath } }] },
      { transport: 'direct' },
    );
    await new Promise((r) => setTimeout(r, 1200));
    const second = await service.start(
      { profile, devices: [{ target: { kind: 'serial', port: p.hostPath } }] },
      { transport: 'direct' },
    );
    await new Promise((r) => setTimeout(r, 500));
    const secondState = await service.get({ runId: second.id }, { transport: 'direct' });
    expect(secondState.jobs[0]).toMatchObject({ status: 'failed', error: { code: 'serial.port_busy' } });
    const cancelled = await service.cancel({ runId: first.id }, { transport: 'direct' });
    expect(cancelled.jobs[0]).toMatchObject({ status: 'cancelled' });
    expect(isSerialPortInUse(p.hostPath)).toBe(false);
    expect(d.joinedSsid).toBeUndefined();
  });

  it('lists the networks the device sees, and a retry after a wrong password sends the one typed again', async () => {
    const { service } = await setup();
    const p = await pty();
    const d = await startVirtualImprovDevice(p.devicePath, {
      networks: [...DEMO_RADIO],
      credentials: { [DEMO_WIFI.ssid]: DEMO_WIFI.password },
    });
    cleanup.push(() => d.close());
    const scanned = await service.scan({ path: p.hostPath }, { transport: 'direct' });
    // Hidden networks are left out and the site's two access points are one entry, strongest first.
    expect(scanned.networks).toEqual([
      { ssid: 'Fieldgraph-Demo', rssi: -47, secured: true },
      { ssid: 'Bäckerei Müller Gast', rssi: -78, secured: false },
      { ssid: 'DIRECT-7E-HP OfficeJet 8010', rssi: -83, secured: true },
      { ssid: 'Vodafone-A1B2C3', rssi: -88, secured: true },
    ]);
    expect(isSerialPortInUse(p.hostPath)).toBe(false);

    const run = await service.start(
      {
        profile: { wifi: { ssid: DEMO_WIFI.ssid, password: 'not-the-password' } },
        devices: [{ target: { kind: 'serial', port: p.hostPath } }],
      },
      { transport: 'direct' },
    );
    const settled = async () => {
      for (let i = 0; i < 300; i++) {
        const state = await service.get({ runId: run.id }, { transport: 'direct' });
        if (state.status === 'finished') return state;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the run did not finish');
    };
    expect((await settled()).jobs[0]).toMatchObject({
      status: 'failed',
      error: { code: 'commission.wifi_rejected' },
    });
    // Retrying as it was would send the same wrong password again; with the one typed now it joins.
    await service.retry(
      { runId: run.id, jobId: '1', wifi: { ssid: DEMO_WIFI.ssid, password: DEMO_WIFI.password } },
      { transport: 'direct' },
    );
    expect((await settled()).jobs[0]).toMatchObject({ status: 'provisioned', attempts: 2 });
    expect(d.joinedSsid).toBe(DEMO_WIFI.ssid);
  });

  it('asks for a missing Wi-Fi password and names a missing secret', async () => {
    const { service } = await setup();
    const err = await Promise.resolve()
      .then(() =>
        service.start(
          {
            profile: { wifi: { ssid: 'SiteNet' } },
            devices: [{ target: { kind: 'serial', port: '/dev/null' } }],
          },
          { transport: 'direct' },
        ),
      )
      .catch((e: FieldgraphError) => e);
    expect(err).toMatchObject({ code: 'commission.bad_profile' });
    const missing = await Promise.resolve()
      .then(() =>
        service.start(
          {
            profile: { wifi: { ssid: 'SiteNet', passwordSecret: 'site/none/wifi' } },
            devices: [{ target: { kind: 'serial', port: '/dev/null' } }],
          },
          { transport: 'direct' },
        ),
      )
      .catch((e: FieldgraphError) => e);
    expect(missing).toMatchObject({ code: 'commission.bad_profile' });
  });

  it('serial console: open, send, see output, close; unplug closes it', async () => {
    const { service, events } = await setup();
    const p = await pty();
    const t = await startVirtualTasmotaConsole(p.devicePath, { serialLog: 2 });
    cleanup.push(() => t.close());
    const { consoleId } = await service.consoleOpen(
      { path: p.hostPath, baudRate: 115200 },
      { transport: 'direct' },
    );
    await service.consoleSend({ consoleId, line: 'Status 0' }, { transport: 'direct' });
    const deadline = Date.now() + 5000;
    const output = (): string =>
      events
        .filter((e) => e.event === 'onSerialConsoleOutput')
        .map((e) => (e.payload as { text: string }).text)
        .join('');
    while (!output().includes('StatusFWR') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(output()).toContain('StatusFWR');
    await p.close();
    while (!events.some((e) => e.event === 'onSerialConsoleClosed') && Date.now() < deadline + 3000)
      await new Promise((r) => setTimeout(r, 50));
    expect(events.find((e) => e.event === 'onSerialConsoleClosed')?.payload).toMatchObject({ consoleId });
    await expect(
      service.consoleSend({ consoleId, line: 'x' }, { transport: 'direct' }),
    ).rejects.toMatchObject({ code: 'serial.not_open' });
  });
});
