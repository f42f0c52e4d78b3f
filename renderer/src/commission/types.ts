import type { Static } from '@sinclair/typebox';
import type {
  CommissionJob,
  CommissionReportFile,
  CommissionRun,
  SerialPortInfo,
  SerialProbe,
} from '../../../shared/core/api/areas/commission';

export type Run = Static<typeof CommissionRun>;
export type Job = Static<typeof CommissionJob>;
export type PortInfo = Static<typeof SerialPortInfo>;
export type Probe = Static<typeof SerialProbe>;
export type ReportFile = Static<typeof CommissionReportFile>;

/** A device the installer picked in the wizard's first step. */
export interface PickedDevice {
  key: string;
  kind: 'serial' | 'shelly';
  /** Serial path or Shelly URL. */
  where: string;
  baudRate: number;
  name: string;
  room: string;
  devicePassword: string;
  probe?: Probe;
}

/** The site profile as the wizard edits it; passwords are typed or named in the secret store. */
export interface ProfileDraft {
  siteId: string;
  siteName: string;
  installer: string;
  ssid: string;
  wifiPassword: string;
  wifiSecret: string;
  useBroker: boolean;
  brokerHost: string;
  brokerPort: number;
  brokerTls: boolean;
  brokerUser: string;
  brokerPassword: string;
  brokerSecret: string;
}

/** A Wi-Fi network the wizard offers: seen by a device's scan, kept with the site, or the demo's. */
export interface OfferedNetwork {
  ssid: string;
  /** Strongest signal any device reported (dBm), when a device saw it. */
  rssi?: number;
  secured: boolean;
  /** Who offers it: device names that saw it, "saved with the site", "the demo site". */
  from: string[];
}

/** One line a person can read for a probe result kept in a USB sighting (`raw.probe`). */
export const probeFromSighting = (path: string, raw: unknown): Probe | undefined => {
  const probe = (raw as { probe?: Record<string, unknown> | null } | null)?.probe;
  if (!probe || typeof probe.kind !== 'string') return undefined;
  if (probe.kind === 'improv') {
    const info = probe.info as
      { firmware?: string; version?: string; chip?: string; name?: string } | undefined;
    return {
      kind: 'improv',
      path,
      summary: `Improv device${info ? `: ${info.firmware} ${info.version} on ${info.chip}` : ''}`,
      ...(info?.firmware ? { firmware: info.firmware } : {}),
      ...(info?.name ? { name: info.name } : {}),
    };
  }
  if (probe.kind === 'tasmota') {
    const status = (probe.status ?? {}) as { version?: string; deviceName?: string };
    return {
      kind: 'tasmota',
      path,
      summary: `Tasmota console${status.version ? ` ${status.version}` : ''}`,
      firmware: 'Tasmota',
      ...(status.deviceName ? { name: status.deviceName } : {}),
    };
  }
  return { kind: 'unknown', path, summary: 'No Improv or Tasmota console answered on this port.' };
};

/**
 * The serial ports the wizard lists: the listing, then every picked port it lacks (handed over
 * from a device page, say, while discovery no longer watches it or the listing failed), so a
 * picked port is always there to see and untick.
 */
export const portsWithPicked = (listed: readonly PortInfo[], picked: readonly PickedDevice[]): PortInfo[] => {
  const paths = new Set(listed.map((p) => p.path));
  const missing = picked.filter((d) => d.kind === 'serial' && !paths.has(d.where));
  return [
    ...listed,
    ...[...new Set(missing.map((d) => d.where))].map((path) => ({ path, source: 'user' as const })),
  ];
};

/** Signal strength in words (dBm as Improv reports it). */
export const signalWords = (rssi: number | undefined): string =>
  rssi === undefined
    ? ''
    : rssi >= -55
      ? 'strong'
      : rssi >= -70
        ? 'good'
        : rssi >= -80
          ? 'weak'
          : 'very weak';

/** Offers a report file to the user as a download (HTML, CSV or PDF). */
export const saveReport = (file: ReportFile): void => {
  const bytes = file.base64
    ? Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0))
    : new TextEncoder().encode(file.text ?? '');
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mediaType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
};

/** Where a job's device is reached, for display. */
export const jobWhere = (job: Job): string =>
  job.target.kind === 'serial' ? job.target.port : job.target.url;

/** Step names in words. */
export const stepLabels: Record<string, string> = {
  open: 'Opening port',
  detect: 'Detecting Improv',
  identify: 'Reading device info',
  name: 'Setting name',
  wifi: 'Sending Wi-Fi settings',
  'serial-log': 'Enabling console output',
  broker: 'Watching the broker',
  configure: 'Sending settings',
  restart: 'Waiting for restart',
  online: 'Waiting to come online',
  mqtt: 'Setting MQTT',
  reboot: 'Rebooting',
};
