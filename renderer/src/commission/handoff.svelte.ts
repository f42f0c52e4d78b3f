import { go } from '../shell/nav.svelte';
import type { PickedDevice } from './types';

// A device another view asked the wizard to commission, waiting for the wizard to take it.
const pending = $state<{ device: PickedDevice | null }>({ device: null });

/** Opens the commissioning wizard with `device` already picked (and its probe result, when it was probed). */
export const commissionDevice = (device: PickedDevice): void => {
  pending.device = device;
  go('commission');
};

/** The devices handed over since the wizard last looked (taken once). */
export const takeHandoff = (): PickedDevice[] => {
  const device = pending.device;
  pending.device = null;
  return device ? [device] : [];
};
