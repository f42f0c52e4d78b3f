/// <reference types="vite/client" />
/**
 * Discovered devices for the Flows view's palette and role binding: the live registry (the
 * same list the Devices view shows) and, from the device-model library, which capabilities
 * each device's model implements.
 */
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import { capabilitiesOfModel, createCatalog } from '../../../shared/core/model/catalog';
import type { Capability, DeviceModel } from '../../../shared/core/model/schemas';
import { api } from '../api';
import { createDeviceList } from '../devices/store.svelte';

const capabilityFiles = import.meta.glob<Capability>('../../../resources/library/capabilities/*.json', {
  eager: true,
  import: 'default',
});
const modelFiles = import.meta.glob<DeviceModel>('../../../resources/library/models/*.json', {
  eager: true,
  import: 'default',
});
const library = createCatalog(Object.values(capabilityFiles), Object.values(modelFiles));

/** Capabilities that describe the device itself rather than what a flow would use. */
const housekeeping = new Set(['availability@1', 'signal-strength@1', 'battery@1', 'gateway@1']);

/** The capability ids a discovered device offers to flows (empty when its model is unknown). */
export const deviceCapabilities = (device: DiscoveredDevice): string[] => {
  const model = device.model ? library.models.get(device.model.id) : undefined;
  if (!model) return [];
  const ids = [...capabilitiesOfModel(model, library)].filter((id) => !housekeeping.has(id));
  // Only the capabilities the model implements directly, not every ancestor they extend.
  const direct = Object.values(model.implements).map((i) => i.capability);
  return ids.filter((id) => direct.includes(id)).sort();
};

/** The devices discovery has found, kept current. */
export const discovered = createDeviceList();

let watching = false;
/** The last discovery failure, for the palette to show. */
export const discoveryState = $state({ error: null as string | null, starting: false });

/** Starts following the device registry (once per window). */
export const watchDevices = (): void => {
  if (watching) return;
  watching = true;
  api.events.onDevice((change) => discovered.apply(change));
  void api.discovery.list({}).then((r) => {
    if (r.ok) discovered.reset(r.value.devices);
    else discoveryState.error = r.error.message;
  });
};

/** Starts the virtual demo site (an embedded broker with virtual devices) and discovers it. */
export const startDemo = async (): Promise<void> => {
  discoveryState.starting = true;
  discoveryState.error = null;
  const r = await api.demo.start({});
  discoveryState.starting = false;
  if (!r.ok) discoveryState.error = r.error.message;
};
