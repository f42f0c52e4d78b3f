import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinModels } from '../../../shared/core/registry/builtin-models';
import { createDeviceRegistry } from '../../../shared/core/registry/registry';
import { startUsbSource, type RunningUsbSource } from '../../../shared/node/discovery/usb-source';
import { silentLogger } from '../../../shared/node/log';
import { startVirtualImprovDevice, type VirtualImprovDevice } from '../../../shared/node/sim/improv-device';
import {
  startVirtualTasmotaConsole,
  type VirtualTasmotaConsole,
} from '../../../shared/node/sim/tasmota-console';
import { createPtyPair, type PtyPair } from '../../helpers/pty';

describe('USB serial discovery over socat ptys', () => {
  const ptys: PtyPair[] = [];
  let tasmota: VirtualTasmotaConsole;
  let improv: VirtualImprovDevice;
  let garbage: SerialPort;
  let garbageTimer: NodeJS.Timeout;
  let source: RunningUsbSource;
  let emptyDev: string;
  const registry = createDeviceRegistry({ schedule: () => () => {}, models: builtinModels });

  beforeAll(async () => {
    for (const name of ['tas', 'imp', 'junk']) ptys.push(await createPtyPair(name));
    tasmota = await startVirtualTasmotaConsole(ptys[0].devicePath, { mac: 'a4cf12b3c4d5', serialLog: 2 });
    improv = await startVirtualImprovDevice(ptys[1].devicePath, {
      deviceName: 'demo-sensor',
      firmware: 'ESPHome',
    });
    // A board talking at the wrong baud rate: bytes that are neither Improv nor Tasmota lines.
    garbage = new SerialPort({ path: ptys[2].devicePath, baudRate: 74880, hupcl: false, lock: false });
    garbageTimer = setInterval(
      () => garbage.write(Buffer.from([0xf0, 0x0f, 0x88, 0x00, 0xfe, 0x13, 0x80])),
      50,
    );
    emptyDev = await mkdtemp(join(tmpdir(), 'fg-dev-'));
    source = await startUsbSource({
      registry,
      log: silentLogger,
      userPaths: ptys.map((p) => p.hostPath),
      listSources: { systemList: () => Promise.reject(new Error('udevadm: not found')), devDir: emptyDev },
      intervalMs: 200,
    });
  });

  afterAll(async () => {
    clearInterval(garbageTimer);
    await source?.stop();
    await tasmota?.close();
    await improv?.close();
    await new Promise((r) => garbage?.close(r));
    for (const p of ptys) await p.close();
    await rm(emptyDev, { recursive: true, force: true });
  });

  it('lists user-added ports even though the OS list fails', () => {
    const paths = registry.list().map((d) => d.sightings[0].key);
    expect(paths.sort()).toEqual(ptys.map((p) => p.hostPath).sort());
    expect(registry.list().every((d) => d.kind === 'serial-port' && d.online === true)).toBe(true);
  });

  it('probes a Tasmota console and an Improv device, and flags garbage as unknown', async () => {
    const t = await source.probe(ptys[0].hostPath, {
      improvAttempts: 1,
      improvIntervalMs: 300,
      tasmotaTimeoutMs: 2000,
    });
    expect(t.kind).toBe('tasmota');
    const relay = registry.list().find((d) => d.identity.mac === 'a4cf12b3c4d5');
    expect(relay).toMatchObject({ kind: 'relay', identity: { topic: 'tasmota_B3C4D5' } });
    expect(relay?.model?.id).toBe('tasmota-relay');

    const i = await source.probe(ptys[1].hostPath, { improvAttempts: 2, improvIntervalMs: 300 });
    expect(i.kind).toBe('improv');
    const sensor = registry.list().find((d) => d.name === 'demo-sensor');
    expect(sensor?.model).toMatchObject({ id: 'esphome-device' });

    const j = await source.probe(ptys[2].hostPath, {
      improvAttempts: 1,
      improvIntervalMs: 300,
      tasmotaTimeoutMs: 500,
    });
    expect(j.kind).toBe('unknown');
    const junk = registry.list().find((d) => d.sightings[0].key === ptys[2].hostPath);
    expect(junk?.warnings).toEqual(['no Improv or Tasmota console answered on this port']);
  });

  it('an ESPHome Improv device is known by its host name, and what commissioning learned joins the rows', () => {
    const sensorPort = registry.list().find((d) => d.sightings[0].key === ptys[1].hostPath);
    expect(sensorPort?.identity.hostname).toBe('demo-sensor');
    // The relay commissioned with a new topic shows up on the broker under it, with nothing else:
    // a row of its own until the port says whose topic that is.
    registry.upsert({
      source: 'mqtt',
      key: 'tele/shop_relay/LWT',
      identity: { topic: 'shop_relay' },
      facts: {},
      addresses: [],
      online: true,
      raw: null,
      warnings: [],
      seenAt: Date.now(),
    });
    expect(
      registry.list().filter((d) => d.identity.mac === 'a4cf12b3c4d5' || d.identity.topic === 'shop_relay'),
    ).toHaveLength(2);
    source.learned(ptys[0].hostPath, { mac: 'a4cf12b3c4d5', topic: 'shop_relay' }, 'Shop relay');
    const relay = registry
      .list()
      .filter((d) => d.identity.mac === 'a4cf12b3c4d5' || d.identity.topic === 'shop_relay');
    expect(relay).toHaveLength(1);
    expect(relay[0]?.sources.sort()).toEqual(['mqtt', 'usb']);
    registry.remove('mqtt', 'tele/shop_relay/LWT');
  });

  it('notices an unplugged port', async () => {
    const gone = ptys.pop()!;
    clearInterval(garbageTimer);
    await new Promise((r) => garbage.close(r));
    await gone.close();
    const deadline = Date.now() + 5000;
    while (registry.list().some((d) => d.sightings[0].key === gone.hostPath)) {
      if (Date.now() > deadline) throw new Error('the unplugged port is still listed');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});

describe('USB serial discovery with the OS list (a fake udevadm on PATH)', () => {
  it('names the adapter chip from VID:PID, matches the library weakly, and skips built-in UARTs', async () => {
    const { chmod, mkdir, writeFile } = await import('node:fs/promises');
    const { loadMatchableModels } = await import('../../../shared/node/discovery/session');
    const dir = await mkdtemp(join(tmpdir(), 'fg-udevadm-'));
    await mkdir(join(dir, 'bin'));
    await mkdir(join(dir, 'dev'));
    await writeFile(
      join(dir, 'bin', 'udevadm'),
      [
        '#!/bin/sh',
        "printf 'P: /devices/usb1/ttyUSB97\\nN: ttyUSB97\\nE: DEVNAME=/dev/ttyUSB97\\nE: ID_VENDOR_ID=1a86\\nE: ID_MODEL_ID=7523\\nE: ID_VENDOR_ENC=1a86\\n\\n'",
        "printf 'P: /devices/platform/serial8250/tty/ttyS0\\nN: ttyS0\\nE: DEVNAME=/dev/ttyS0\\n\\n'",
        '',
      ].join('\n'),
    );
    await chmod(join(dir, 'bin', 'udevadm'), 0o755);
    const savedPath = process.env.PATH;
    process.env.PATH = `${join(dir, 'bin')}:${savedPath}`;
    const registry = createDeviceRegistry({
      schedule: () => () => {},
      models: await loadMatchableModels(silentLogger),
    });
    const usb = await startUsbSource({
      registry,
      log: silentLogger,
      listSources: { devDir: join(dir, 'dev') },
      intervalMs: 60_000,
    });
    try {
      const devices = registry.list();
      expect(devices.map((d) => d.sightings[0].key)).toEqual(['/dev/ttyUSB97']);
      expect(devices[0].name).toBe('CH340 on /dev/ttyUSB97');
      expect(devices[0].model).toMatchObject({
        confidence: 0.3,
        reason: 'usb.vid = "1a86" and usb.pid = "7523"',
      });
    } finally {
      await usb.stop();
      process.env.PATH = savedPath;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
