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
