/**
 * What discovered devices mean on the canvas: what one offers flows when dragged (the
 * capabilities of its site device's applicable implementations, with the role and, when new to
 * the site, the device to add), and whether the device bound to each role is online now.
 */
import type { Catalog } from '../../../shared/core/model/catalog';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import type { RoleStatus } from '../canvas/adapter';
import type { Role, SiteDevice } from '../canvas/types';
import type { CapabilityInfo } from './capabilities';
import { deviceOffers, type Offer } from './offers';
import { foundFor, offeredCapabilities, siteDeviceFor } from './site-devices';

/** What a discovered device offers flows, or why it offers nothing. */
export const offerOf = (
  device: DiscoveredDevice,
  stored: readonly SiteDevice[],
  catalog: Catalog,
): { capabilities: string[]; reason: string | null } => {
  const r = siteDeviceFor(device, stored, catalog);
  if (!r.ok) return { capabilities: [], reason: r.reason };
  const capabilities = offeredCapabilities(r.device, catalog);
  if (capabilities.length > 0) return { capabilities, reason: null };
  const model = catalog.models.get(r.device.model);
  const tested = Object.values(model?.implements ?? {}).flatMap((i) => Object.keys(i.when ?? {}));
  const missing = [...new Set(tested)].filter((v) => !Object.hasOwn(r.device.variables ?? {}, v));
  return {
    capabilities,
    reason: `“${device.name}” offers nothing flows can use yet: its ${model?.title ?? r.device.model} implementations need settings discovery did not find (${missing.join(', ') || 'see the model'}); set them on the device in the site's file (sites/<id>.json).`,
  };
};

/** The offers of dragging a discovered device, or why there are none (for the status line). */
export const offersForDevice = (
  device: DiscoveredDevice,
  roles: readonly Role[],
  stored: readonly SiteDevice[],
  capabilities: ReadonlyMap<string, CapabilityInfo>,
  catalog: Catalog,
): { ok: true; offers: Offer[] } | { ok: false; reason: string } => {
  const r = siteDeviceFor(device, stored, catalog);
  if (!r.ok) return r;
  const isNew = !stored.some((d) => d.id === r.device.id);
  const offers = deviceOffers(
    r.device,
    offeredCapabilities(r.device, catalog),
    roles,
    capabilities,
    isNew ? r.device : undefined,
  );
  if (offers.length > 0) return { ok: true, offers };
  return {
    ok: false,
    reason: offerOf(device, stored, catalog).reason ?? `“${device.name}” offers no triggers or actions.`,
  };
};

/** Per role: unbound, or whether discovery sees its bound device online now. */
export const roleStatuses = (
  roles: readonly Role[],
  stored: readonly SiteDevice[],
  found: readonly DiscoveredDevice[],
): Map<string, RoleStatus> =>
  new Map(
    roles.map((r): [string, RoleStatus] => {
      const device = r.device ? stored.find((d) => d.id === r.device) : undefined;
      const seen = device ? foundFor(device, found) : undefined;
      return [r.id, !r.device ? 'unbound' : seen?.online === true ? 'online' : 'offline'];
    }),
  );
