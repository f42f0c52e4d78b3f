import { normaliseMac } from './text';
import { identityKeys } from './registry';

/** Where a project's site file puts a device: the site and room names, found by identity keys. */
export interface Placement {
  readonly keys: readonly string[];
  readonly site: string;
  readonly room: string | null;
}

interface SiteLike {
  readonly name?: unknown;
  readonly id?: unknown;
  readonly rooms?: unknown;
  readonly devices?: unknown;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/**
 * Reads the devices of a site document (project `sites/<id>.json`) into placements. Tolerant:
 * entries without a usable identity are skipped. A topic like `homie/demo-homie` also places
 * a device known by its last segment, as Homie discovery reports it.
 */
export const placementsFromSite = (site: SiteLike): Placement[] => {
  const siteName = text(site.name) ?? text(site.id) ?? 'Site';
  const rooms = new Map<string, string>();
  if (Array.isArray(site.rooms)) {
    for (const room of site.rooms as Record<string, unknown>[]) {
      const id = text(room?.id);
      if (id) rooms.set(id, text(room.name) ?? id);
    }
  }
  const placements: Placement[] = [];
  for (const device of Array.isArray(site.devices) ? (site.devices as Record<string, unknown>[]) : []) {
    const identity = (device?.identity ?? {}) as Record<string, unknown>;
    const mac = normaliseMac(identity.mac);
    const topic = text(identity.topic);
    const keys = identityKeys({
      ...(mac ? { mac } : {}),
      ...(text(identity.serial) ? { serial: text(identity.serial) } : {}),
      ...(text(identity.hostname) ? { hostname: text(identity.hostname) } : {}),
      ...(topic ? { topic } : {}),
    });
    if (topic?.includes('/')) keys.push(`topic:${topic.split('/').at(-1)}`);
    if (keys.length === 0) continue;
    const roomId = text(device.room);
    placements.push({ keys, site: siteName, room: roomId ? (rooms.get(roomId) ?? roomId) : null });
  }
  return placements;
};
