/**
 * The one device list of the window: the discovery registry (network, broker and USB devices,
 * probe results, the demo site's devices), followed once and read by every view that shows
 * devices — Devices, Commission, the Flows palette and role binding. Which sources run and
 * whether the demo site is up live here too, so each view says the same.
 */
import type { Static } from '@sinclair/typebox';
import type { DiscoveryStatus } from '../../../shared/core/api/areas/discovery';
import { api } from '../api';
import { createDeviceList } from './store.svelte';

/** Every device discovery knows, kept current by `onDevice` batches. */
export const deviceList = createDeviceList();

/** Discovery's sources, the demo site, and the last failure to read them. */
export const registry = $state({
  status: null as Static<typeof DiscoveryStatus> | null,
  demo: {
    running: false,
    brokerUrl: null as string | null,
    wifi: null as { ssid: string; password: string } | null,
  },
  error: null as string | null,
});

/** Reads the list, the sources and the demo's state again (after starting or stopping something). */
export const refreshRegistry = async (): Promise<void> => {
  const [listed, demo] = await Promise.all([api.discovery.list({}), api.demo.status({})]);
  if (listed.ok) {
    deviceList.reset(listed.value.devices);
    registry.status = listed.value.status;
    registry.error = null;
  } else registry.error = listed.error.message;
  if (demo.ok)
    registry.demo = {
      running: demo.value.running,
      brokerUrl: demo.value.brokerUrl ?? null,
      wifi: demo.value.wifi ?? null,
    };
};

let watching = false;
/** Starts following the registry (once per window; every view that shows devices calls it). */
export const watchRegistry = (): void => {
  if (watching) return;
  watching = true;
  api.events.onDevice((change) => deviceList.apply(change));
  void refreshRegistry();
};

/** The serial port path of a device found on USB, if it has one. */
export const serialPathOf = (device: { sightings: readonly { source: string; key: string }[] }) =>
  device.sightings.find((s) => s.source === 'usb')?.key;
