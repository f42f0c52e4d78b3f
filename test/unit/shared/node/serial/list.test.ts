import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { identifySerialChip } from '../../../../../shared/node/serial/chips';
import { listSerialPorts } from '../../../../../shared/node/serial/list';
import { watchSerialPorts } from '../../../../../shared/node/serial/watch';

// `udevadm info -e` records as serialport's Linux lister reads them.
const udevRecords = [
  'P: /devices/pci0000:00/usb1/1-1/1-1:1.0/ttyUSB0/tty/ttyUSB0',
  'N: ttyUSB0',
  'E: DEVNAME=/dev/ttyUSB0',
  'E: ID_VENDOR_ID=10C4',
  'E: ID_MODEL_ID=EA60',
  'E: ID_SERIAL_SHORT=0001',
  'E: ID_VENDOR_ENC=Silicon\\x20Labs',
  'E: DEVLINKS=/dev/serial/by-id/usb-Silicon_Labs_CP2102_0001-if00-port0',
  '',
  'P: /devices/pci0000:00/usb1/1-2/1-2:1.0/tty/ttyACM0',
  'N: ttyACM0',
  'E: DEVNAME=/dev/ttyACM0',
  'E: ID_VENDOR_ID=303a',
  'E: ID_MODEL_ID=1001',
  '',
  'P: /devices/virtual/input/input3',
  'N: input/event3',
  'E: DEVNAME=/dev/input/event3',
  '',
].join('\n');

describe('listSerialPorts', () => {
  let dir: string;
  let savedPath: string | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fg-udevadm-'));
    savedPath = process.env.PATH;
  });
  afterEach(async () => {
    process.env.PATH = savedPath;
    await rm(dir, { recursive: true, force: true });
  });

  const fakeUdevadm = async (script: string): Promise<void> => {
    await writeFile(join(dir, 'udevadm'), `#!/bin/sh\n${script}\n`);
    await chmod(join(dir, 'udevadm'), 0o755);
    process.env.PATH = `${dir}:${savedPath}`;
  };

  it('reads the OS list through udevadm, normalises ids and names the chip', async () => {
    await writeFile(join(dir, 'records.txt'), udevRecords);
    await fakeUdevadm(`cat ${join(dir, 'records.txt')}`);
    const { ports, systemListError } = await listSerialPorts([], { readDir: async () => [] });
    expect(systemListError).toBeUndefined();
    expect(ports.map((p) => p.path)).toEqual(['/dev/ttyUSB0', '/dev/ttyACM0']);
    const [cp2102, native] = ports;
    expect(cp2102).toMatchObject({
      source: 'system',
      vendorId: '10c4',
      productId: 'ea60',
      manufacturer: 'Silicon Labs',
      serialNumber: '0001',
      chip: { chip: 'CP2102/CP2102N/CP2104', vendor: 'Silicon Labs', nativeUsb: false },
    });
    expect(native?.chip).toMatchObject({ vendor: 'Espressif', nativeUsb: true });
  });

  it('survives a failing OS list and falls back to /dev scan plus user paths', async () => {
    await fakeUdevadm('echo boom >&2; exit 3');
    const { ports } = await listSerialPorts(['/tmp/fg-pty/ttyHOST', '/dev/ttyUSB1'], {
      readDir: async () => ['ttyUSB1', 'ttyS0', 'ttyACM3', 'null', 'ttyUSBx'],
    });
    expect(ports).toEqual([
      { path: '/dev/ttyACM3', source: 'scan' },
      { path: '/dev/ttyUSB1', source: 'scan' },
      { path: '/tmp/fg-pty/ttyHOST', source: 'user' },
    ]);
  });

  it('survives a missing udevadm and an unreadable /dev', async () => {
    process.env.PATH = dir;
    const listing = await listSerialPorts(['/x/tty'], {
      readDir: async () => {
        throw new Error('EACCES');
      },
    });
    expect(listing.ports).toEqual([{ path: '/x/tty', source: 'user' }]);
    expect(listing.systemListError).toBeDefined();
  });
});

describe('identifySerialChip', () => {
  it('matches regardless of case and 0x prefix', () => {
    expect(identifySerialChip('1A86', '7523')?.chip).toBe('CH340');
    expect(identifySerialChip('0x1a86', '0x55D4')?.chip).toBe('CH9102');
    expect(identifySerialChip('0403', '6001')?.vendor).toBe('FTDI');
  });
  it('names the vendor for unknown products and nothing for unknown vendors', () => {
    expect(identifySerialChip('303A', '8123')).toMatchObject({ vendor: 'Espressif', nativeUsb: true });
    expect(identifySerialChip('dead', 'beef')).toBeUndefined();
    expect(identifySerialChip(undefined, 'ea60')).toBeUndefined();
    expect(identifySerialChip('zz', 'ea60')).toBeUndefined();
  });
});

describe('watchSerialPorts', () => {
  it('reports plugged and unplugged ports once each', async () => {
    let paths = ['/dev/ttyUSB0'];
    const changes: { added: string[]; removed: string[] }[] = [];
    const watcher = watchSerialPorts(
      async () => ({ ports: paths.map((path) => ({ path, source: 'scan' as const })) }),
      (c) => changes.push({ added: c.added.map((p) => p.path), removed: c.removed.map((p) => p.path) }),
      60_000,
    );
    await watcher.check();
    paths = ['/dev/ttyUSB0', '/dev/ttyACM0'];
    await watcher.check();
    await watcher.check();
    paths = ['/dev/ttyACM0'];
    await watcher.check();
    watcher.stop();
    expect(changes).toEqual([
      { added: ['/dev/ttyUSB0'], removed: [] },
      { added: ['/dev/ttyACM0'], removed: [] },
      { added: [], removed: ['/dev/ttyUSB0'] },
    ]);
  });
});
