import { readdir } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { identifySerialChip, normaliseUsbId, type SerialChip } from './chips';

/** One serial port as the app shows it: plain JSON, `path` always present. */
export interface SerialPortEntry {
  readonly path: string;
  /** Where the entry came from: the OS list, a scan of /dev, or a path the user added. */
  readonly source: 'system' | 'scan' | 'user';
  readonly vendorId?: string;
  readonly productId?: string;
  readonly manufacturer?: string;
  readonly serialNumber?: string;
  readonly pnpId?: string;
  readonly chip?: SerialChip;
}

/** The OS port list as `serialport` reports it (only `path` guaranteed). */
export interface SystemPortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  pnpId?: string;
  vendorId?: string;
  productId?: string;
}

/** What listing needs from the machine; tests replace parts of it. */
export interface SerialListSources {
  /** The OS list; may throw (no udevadm, no permission). Default: `SerialPort.list()`. */
  systemList?: () => Promise<SystemPortInfo[]>;
  /** Names in a folder; default `fs.readdir`. */
  readDir?: (dir: string) => Promise<string[]>;
  /** Folder scanned for `ttyUSB*` and `ttyACM*`; default `/dev`. */
  devDir?: string;
}

/** The result of one listing: the ports, and why the OS list failed when it did. */
export interface SerialPortListing {
  readonly ports: SerialPortEntry[];
  /** Set when the OS list failed and the app fell back to scanning; the ports are still valid. */
  readonly systemListError?: string;
}

const scanPattern = /^tty(USB|ACM)\d+$/;

/**
 * Lists serial ports from the OS list, a scan of `/dev/ttyUSB*` and `/dev/ttyACM*`, and
 * user-added paths (ptys, odd drivers), de-duplicated by path with the richest entry kept.
 * Never throws: a failing OS list (no `udevadm` in a container) falls back to the scan.
 */
export const listSerialPorts = async (
  userPaths: readonly string[] = [],
  sources: SerialListSources = {},
): Promise<SerialPortListing> => {
  const systemList = sources.systemList ?? (() => SerialPort.list());
  const readDir = sources.readDir ?? ((dir: string) => readdir(dir));
  const devDir = sources.devDir ?? '/dev';
  const byPath = new Map<string, SerialPortEntry>();
  let systemListError: string | undefined;
  try {
    for (const info of await systemList()) {
      if (!info.path) continue;
      const vendorId = normaliseUsbId(info.vendorId);
      const productId = normaliseUsbId(info.productId);
      const chip = identifySerialChip(vendorId, productId);
      byPath.set(info.path, {
        path: info.path,
        source: 'system',
        ...(vendorId ? { vendorId } : {}),
        ...(productId ? { productId } : {}),
        ...(info.manufacturer ? { manufacturer: info.manufacturer } : {}),
        ...(info.serialNumber ? { serialNumber: info.serialNumber } : {}),
        ...(info.pnpId ? { pnpId: info.pnpId } : {}),
        ...(chip ? { chip } : {}),
      });
    }
  } catch (error) {
    systemListError = (error as Error).message || String(error);
  }
  try {
    for (const name of (await readDir(devDir)).sort()) {
      const path = `${devDir.replace(/\/$/, '')}/${name}`;
      if (scanPattern.test(name) && !byPath.has(path)) byPath.set(path, { path, source: 'scan' });
    }
  } catch {
    // No /dev (Windows) or no permission: the OS list and user paths still stand.
  }
  for (const path of userPaths) {
    if (!byPath.has(path)) byPath.set(path, { path, source: 'user' });
  }
  return { ports: [...byPath.values()], ...(systemListError ? { systemListError } : {}) };
};
