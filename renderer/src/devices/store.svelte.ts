import type { DiscoveredDevice, RegistryChange } from '../../../shared/core/registry/types';

// Numeric order reads naturally ("Node 2" before "Node 10"); one collator, reused for every sort.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * The Devices view's live list. Batches from `onDevice` are applied to a plain Map and the
 * array is replaced once per batch (`$state.raw`), so hundreds of devices re-render once per
 * batch, not once per device, and rows keep their identity (no flicker).
 */
export const createDeviceList = () => {
  // Deliberately not reactive: the array below is replaced once per batch instead.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const byId = new Map<string, DiscoveredDevice>();
  let devices = $state.raw<DiscoveredDevice[]>([]);
  const publish = () => {
    devices = [...byId.values()].sort(
      (a, b) => collator.compare(a.name, b.name) || collator.compare(a.id, b.id),
    );
  };
  return {
    get devices() {
      return devices;
    },
    /** Replaces everything (first load, reconnect). */
    reset(list: readonly DiscoveredDevice[]) {
      byId.clear();
      for (const d of list) byId.set(d.id, d);
      publish();
    },
    /** Applies one batch of changes. */
    apply(change: RegistryChange) {
      for (const id of change.removed) byId.delete(id);
      for (const d of change.upserted) byId.set(d.id, d);
      publish();
    },
    get(id: string): DiscoveredDevice | undefined {
      return byId.get(id);
    },
  };
};

/** How the list is grouped. */
export type Grouping = 'site' | 'room' | 'kind' | 'model';

/** The group a device falls in. */
export const groupOf = (d: DiscoveredDevice, by: Grouping): string => {
  switch (by) {
    case 'site':
      return d.site;
    case 'room':
      return d.room ?? 'No room';
    case 'kind':
      return d.kind;
    case 'model':
      return d.model?.name ?? 'Unknown model';
  }
};

/** The filters of the Devices view. */
export interface DeviceFilter {
  readonly text: string;
  readonly status: 'all' | 'online' | 'offline';
  readonly source: 'all' | 'mdns' | 'mqtt' | 'usb';
  readonly unknownOnly: boolean;
}

/** True when the device passes the filter; the search looks at name, id, model, addresses and identity. */
export const matchesFilter = (d: DiscoveredDevice, f: DeviceFilter): boolean => {
  if (f.status === 'online' && d.online !== true) return false;
  if (f.status === 'offline' && d.online === true) return false;
  if (f.source !== 'all' && !d.sources.includes(f.source)) return false;
  if (f.unknownOnly && d.model) return false;
  const q = f.text.trim().toLowerCase();
  if (!q) return true;
  const hay = [d.name, d.id, d.kind, d.model?.name ?? '', ...d.addresses, ...Object.values(d.identity)]
    .join(' ')
    .toLowerCase();
  return hay.includes(q);
};

/** "12 s ago", "3 min ago", … */
export const ago = (then: number, now: number): string => {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
};
