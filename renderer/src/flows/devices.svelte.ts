/**
 * Discovered devices for the Flows view's palette and role binding: the live registry (the
 * same list the Devices view shows), read against the library (project-models.svelte.ts).
 */
import { api } from '../api';
import { deviceList, refreshRegistry, watchRegistry } from '../devices/registry.svelte';

/** The devices discovery has found, kept current: the window's one list (devices/registry). */
export const discovered = deviceList;

/** The last discovery failure, for the palette to show. */
export const discoveryState = $state({ error: null as string | null, starting: false });

/** Starts following the device registry (once per window). */
export const watchDevices = (): void => watchRegistry();

/** Starts the virtual demo site (an embedded broker with virtual devices) and discovers it. */
export const startDemo = async (): Promise<void> => {
  discoveryState.starting = true;
  discoveryState.error = null;
  const r = await api.demo.start({});
  discoveryState.starting = false;
  if (!r.ok && r.error.code !== 'demo.already_running') discoveryState.error = r.error.message;
  await refreshRegistry();
};
