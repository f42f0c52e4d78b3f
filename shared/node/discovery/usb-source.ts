import { existsSync } from 'node:fs';
import type { DeviceRegistry } from '../../core/registry/registry';
import { deviceText, normaliseMac } from '../../core/registry/text';
import type { Sighting } from '../../core/registry/types';
import type { Logger } from '../log';
import { listSerialPorts, type SerialListSources, type SerialPortEntry } from '../serial/list';
import { probeSerialPort, type SerialProbeOptions, type SerialProbeResult } from '../serial/probe';
import { watchSerialPorts } from '../serial/watch';
import type { RunningSource } from './mqtt-source';

/** Options of the USB serial discovery source. */
export interface UsbSourceOptions {
  readonly registry: Pick<DeviceRegistry, 'upsert' | 'remove'>;
  readonly log: Logger;
  /** Extra paths to list (ptys, odd drivers). */
  readonly userPaths?: readonly string[];
  readonly listSources?: SerialListSources;
  readonly intervalMs?: number;
}

/** The USB source: it also probes a port on request. */
export interface RunningUsbSource extends RunningSource {
  /** Lists now (plug/unplug are otherwise noticed within the interval). */
  check(): Promise<void>;
  /** Probes one port without resetting the board and adds what answered to its device. */
  probe(path: string, options?: SerialProbeOptions): Promise<SerialProbeResult>;
  /**
   * Adds what commissioning learned from the device on `path` (its MAC, the MQTT topic it was
   * given, its name) to the port's sighting, so the port, the device on the broker and the one
   * seen before commissioning are one row.
   */
  learned(path: string, identity: Sighting['identity'], name?: string): void;
}

/** What commissioning told about the device on a port. */
interface Learned {
  readonly identity: Sighting['identity'];
  readonly name?: string;
}

const portSighting = (
  port: SerialPortEntry,
  probe: SerialProbeResult | undefined,
  learned?: Learned,
): Sighting => {
  const facts: Record<string, string> = { 'usb.path': port.path, site: 'USB on this computer' };
  if (port.vendorId) facts['usb.vid'] = port.vendorId;
  if (port.productId) facts['usb.pid'] = port.productId;
  if (port.chip) facts['usb.chip'] = port.chip.chip;
  let name = port.chip ? `${port.chip.chip} on ${port.path}` : port.path;
  const identity: Sighting['identity'] = port.serialNumber ? { serial: port.serialNumber } : {};
  const addresses: string[] = [];
  let kind = 'serial-port';
  if (probe?.kind === 'improv') {
    facts['serial.console'] = 'improv';
    if (probe.info) {
      facts['improv.firmware'] = probe.info.firmware;
      facts['improv.chip'] = probe.info.chip;
      name = deviceText(probe.info.name || name);
      // ESPHome's device name is its host name on the network: the same device as on mDNS/MQTT.
      const host = probe.info.firmware === 'ESPHome' ? probe.info.name.trim().toLowerCase() : '';
      if (/^[a-z0-9][a-z0-9-]{0,62}$/.test(host)) identity.hostname = host;
    }
    kind = 'device';
  } else if (probe?.kind === 'tasmota') {
    facts['serial.console'] = 'tasmota';
    const s = probe.status;
    if (s.topic) identity.topic = s.topic;
    const mac = normaliseMac(s.mac);
    if (mac) identity.mac = mac;
    if (s.hostname) identity.hostname = s.hostname.toLowerCase();
    if (s.ip && s.ip !== '0.0.0.0') addresses.push(s.ip);
    name = deviceText(s.deviceName ?? s.topic ?? name);
    kind = 'relay';
  } else if (probe?.kind === 'unknown') {
    facts['serial.console'] = 'unknown';
  }
  if (learned) {
    Object.assign(identity, learned.identity);
    if (learned.name) name = deviceText(learned.name);
    if (kind === 'serial-port') kind = 'device';
  }
  return {
    source: 'usb',
    key: port.path,
    identity,
    name,
    kind,
    facts,
    addresses,
    online: true,
    raw: { port, probe: probe ?? null },
    warnings: probe?.kind === 'unknown' ? ['no Improv or Tasmota console answered on this port'] : [],
    seenAt: Date.now(),
  };
};

/**
 * Lists serial ports through the serial module (OS list, `/dev` scan, user paths), reports
 * each as a device and notices plug and unplug. Probing is explicit, never automatic: opening
 * a port disturbs whatever else is using it.
 */
export const startUsbSource = async (options: UsbSourceOptions): Promise<RunningUsbSource> => {
  const ports = new Map<string, SerialPortEntry>();
  const probes = new Map<string, SerialProbeResult>();
  const learnedOn = new Map<string, Learned>();
  const list = () => listSerialPorts(options.userPaths ?? [], options.listSources);
  let firstListed: () => void = () => {};
  const listed = new Promise<void>((resolve) => (firstListed = resolve));
  const watcher = watchSerialPorts(
    async () => {
      const listing = await list().finally(() => firstListed());
      if (listing.systemListError)
        options.log.debug('serial OS list failed; scanned /dev', { error: listing.systemListError });
      // User-added paths are always listed by the serial module; a missing one is unplugged.
      // Built-in PC UARTs (ttyS*, no USB ids) are almost always phantom ports: not devices.
      return {
        ...listing,
        ports: listing.ports.filter(
          (p) =>
            (p.source !== 'user' || existsSync(p.path)) &&
            !(p.source !== 'user' && !p.vendorId && /^\/dev\/ttyS\d+$/.test(p.path)),
        ),
      };
    },
    (change) => {
      for (const port of change.removed) {
        ports.delete(port.path);
        probes.delete(port.path);
        learnedOn.delete(port.path);
        options.registry.remove('usb', port.path);
      }
      for (const port of change.added) {
        ports.set(port.path, port);
        options.registry.upsert(portSighting(port, undefined, learnedOn.get(port.path)));
      }
    },
    options.intervalMs ?? 1000,
  );
  // The watcher lists once on creation; wait for that listing to be reported.
  await listed;
  await new Promise((resolve) => setImmediate(resolve));
  return {
    check: () => watcher.check(),
    async probe(path, probeOptions) {
      const result = await probeSerialPort(path, probeOptions);
      probes.set(path, result);
      const port = ports.get(path) ?? { path, source: 'user' as const };
      options.registry.upsert(portSighting(port, result, learnedOn.get(path)));
      return result;
    },
    learned(path, identity, name) {
      const port = ports.get(path);
      if (!port) return;
      const known: Learned = {
        identity: { ...learnedOn.get(path)?.identity, ...identity },
        ...(name ? { name } : {}),
      };
      learnedOn.set(path, known);
      options.registry.upsert(portSighting(port, probes.get(path), known));
    },
    async stop() {
      watcher.stop();
    },
  };
};
