/**
 * The commissioning wizard's work, kept for the window: the devices picked, the profile being
 * typed, the step and the run survive a visit to another view (to look a device up, say).
 * Other views hand a device over with `commissionDevice`, with whatever they already know.
 */
import { go } from '../shell/nav.svelte';
import type { OfferedNetwork, PickedDevice, ProfileDraft, Run } from './types';

const emptyProfile = (): ProfileDraft => ({
  siteId: '',
  siteName: '',
  installer: '',
  ssid: '',
  wifiPassword: '',
  wifiSecret: '',
  useBroker: false,
  brokerHost: '',
  brokerPort: 1883,
  brokerTls: false,
  brokerUser: '',
  brokerPassword: '',
  brokerSecret: '',
});

/** The wizard: step, picked devices, profile, the networks offered, the run. */
export const wizard = $state({
  step: 0,
  picked: [] as PickedDevice[],
  profile: emptyProfile(),
  scheme: '{room}-{n}',
  networks: [] as OfferedNetwork[],
  scanning: false,
  scanProblem: null as string | null,
  run: null as Run | null,
  error: null as string | null,
});

/** Starts over with the same profile (new devices, a new run). */
export const newRun = (): void => {
  wizard.run = null;
  wizard.picked = [];
  wizard.step = 0;
  wizard.error = null;
};

/**
 * Opens the wizard with `device` picked (added once), carrying what is known about it: its
 * name and, for a serial port, the probe result, so nothing is typed or probed twice.
 */
export const commissionDevice = (
  device: Omit<PickedDevice, 'key' | 'baudRate' | 'room' | 'devicePassword'> &
    Partial<Pick<PickedDevice, 'key' | 'baudRate' | 'room' | 'devicePassword'>>,
): void => {
  const key = `${device.kind}:${device.where}`;
  if (!wizard.picked.some((p) => p.key === key))
    wizard.picked = [
      ...wizard.picked,
      { baudRate: 115200, devicePassword: '', ...device, room: device.room ?? '', key },
    ];
  if (!wizard.run || wizard.run.status === 'finished') {
    wizard.run = null;
    wizard.step = 0;
  }
  void go('commission');
};
