/**
 * What discovered devices mean on the canvas: what one offers flows when dragged (the
 * capabilities of its site device's implementations that apply, or will once the settings
 * discovery did not find are given, with the role and, when new to the site, the device to
 * add), and whether the device bound to each role is online now.
 */
import type { Catalog } from '../../../shared/core/model/catalog';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import type { RoleStatus } from '../canvas/adapter';
import type { Role, SiteDevice } from '../canvas/types';
import type { CapabilityInfo } from './capabilities';
import { deviceOffers, type Offer } from './offers';
import { foundFor, offeredCapabilities, pendingCapabilities, siteDeviceFor } from './site-devices';

/** Where the Roles tab lets the installer give a device the settings discovery did not find. */
const SETTINGS_PLACE = 'the Roles tab, under “Devices on this site”';

/**
 * The capabilities a site device offers flows: those that apply now, then those its model would
 * give once settings discovery did not find are set (with a note naming them and where to set
 * them); or why it offers nothing.
 */
const capabilitiesOf = (
  device: SiteDevice,
  name: string,
  catalog: Catalog,
): { capabilities: string[]; note: string | null; reason: string | null } => {
  const now = offeredCapabilities(device, catalog);
  const pending = pendingCapabilities(device, catalog);
  const capabilities = [...now, ...pending.map((p) => p.capability)];
  const settings = [...new Set(pending.flatMap((p) => p.settings))];
  const note = pending.length
    ? `${pending.map((p) => p.capability).join(', ')} once ${settings.join(', ')} ${settings.length > 1 ? 'are' : 'is'} set in ${SETTINGS_PLACE} (discovery did not find ${settings.length > 1 ? 'them' : 'it'})`
    : null;
  if (capabilities.length > 0) return { capabilities, note, reason: null };
  const model = catalog.models.get(device.model);
  return {
    capabilities,
    note,
    reason: `“${name}” offers nothing flows can use: none of its ${model?.title ?? device.model} implementations applies to the settings it has; check them in ${SETTINGS_PLACE} once it is on the site.`,
  };
};

/** What a discovered device offers flows (with a note on capabilities that wait for settings), or why it offers nothing. */
export const offerOf = (
  device: DiscoveredDevice,
  stored: readonly SiteDevice[],
  catalog: Catalog,
): { capabilities: string[]; note: string | null; reason: string | null } => {
  const r = siteDeviceFor(device, stored, catalog);
  if (!r.ok) return { capabilities: [], note: null, reason: r.reason };
  return capabilitiesOf(r.device, device.name, catalog);
};

/**
 * The offers of dragging a discovered device, or why there are none (for the status line).
 * A capability that waits for a setting is offered too: the device joins the site bound to its
 * role, and readiness names the setting to give.
 */
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
  const offered = capabilitiesOf(r.device, device.name, catalog);
  const offers = deviceOffers(
    r.device,
    offered.capabilities,
    roles,
    capabilities,
    isNew ? r.device : undefined,
  );
  if (offers.length > 0) return { ok: true, offers };
  return { ok: false, reason: offered.reason ?? `“${device.name}” offers no triggers or actions.` };
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
