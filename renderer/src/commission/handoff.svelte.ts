import { commissionDevice as pickDevice } from './state.svelte';
import type { PickedDevice } from './types';

/**
 * Opens the commissioning wizard with `device` already picked (and its probe result, when it
 * was probed): the wizard's own state (commission/state.svelte.ts) takes it, so a device handed
 * over while the wizard holds other picks joins them.
 */
export const commissionDevice = (device: PickedDevice): void => pickDevice(device);
