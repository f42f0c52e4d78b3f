/**
 * Devices as the resolver sees them in the Flows view. A discovered device becomes a site
 * device through the variables its sightings give (shared/core toSiteDevice), unless the
 * selected site already lists it: then the site's entry (its id, its variables as the installer
 * left them) is the one that counts.
 */
import {
  applicableImplementations,
  effectiveVariables,
  unsetConditions,
} from '../../../shared/core/model/binding';
import type { Catalog } from '../../../shared/core/model/catalog';
import { modelForDevice } from '../../../shared/core/model/entities';
import { providedFor, type Provided } from '../../../shared/core/model/provides';
import { canFillRole } from '../../../shared/core/model/resolver';
import type { Device } from '../../../shared/core/model/schemas';
import { sameDevice, toSiteDevice } from '../../../shared/core/registry/to-site-device';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import type { Role } from '../canvas/types';

/** The model a device runs with: its library model joined with the entities discovery bound. */
const modelOf = (device: Device, catalog: Catalog) => {
  const model = catalog.models.get(device.model);
  return model ? modelForDevice(model, device) : undefined;
};

/** Capabilities that describe the device itself rather than what a flow would use. */
const housekeeping = new Set(['availability@1', 'signal-strength@1', 'battery@1', 'gateway@1']);

/** The site device that stands for a discovered device, if the site lists it. */
export const storedFor = (found: DiscoveredDevice, stored: readonly Device[]): Device | undefined =>
  stored.find((d) => sameDevice(d, found));

/** The discovered device that a site device is, when discovery sees it now. */
export const foundFor = (device: Device, found: readonly DiscoveredDevice[]): DiscoveredDevice | undefined =>
  found.find((d) => sameDevice(device, d));

/** The site device for a discovered one: the site's own entry when it lists it, else a new one. */
export const siteDeviceFor = (
  found: DiscoveredDevice,
  stored: readonly Device[],
  catalog: Catalog,
): { ok: true; device: Device } | { ok: false; reason: string } => {
  const known = storedFor(found, stored);
  if (known) return { ok: true, device: known };
  return toSiteDevice(found, catalog, new Set(stored.map((d) => d.id)));
};

/** The capabilities a device offers flows: those of the implementations that apply to it. */
export const offeredCapabilities = (device: Device, catalog: Catalog): string[] => {
  const model = modelOf(device, catalog);
  if (!model) return [];
  const keys = applicableImplementations({ model, variables: device.variables ?? {} });
  const ids = new Set(keys.map((k) => model.implements[k]!.capability));
  return [...ids].filter((id) => !housekeeping.has(id)).sort();
};

/**
 * The capabilities a device would offer flows once it is given settings it lacks (a Homie
 * light's switch_path), each with those settings; capabilities it offers already are left out.
 */
export const pendingCapabilities = (
  device: Device,
  catalog: Catalog,
): { capability: string; settings: string[] }[] => {
  const model = modelOf(device, catalog);
  if (!model) return [];
  const offered = new Set(offeredCapabilities(device, catalog));
  const bound = { model, variables: device.variables ?? {} };
  const out = new Map<string, string[]>();
  for (const [key, impl] of Object.entries(model.implements)) {
    if (offered.has(impl.capability) || housekeeping.has(impl.capability)) continue;
    const unset = unsetConditions(impl, effectiveVariables(bound, key));
    const known = out.get(impl.capability);
    if (unset?.length && (!known || unset.length < known.length)) out.set(impl.capability, unset);
  }
  return [...out]
    .map(([capability, settings]) => ({ capability, settings }))
    .sort((a, b) => a.capability.localeCompare(b.capability));
};

/** One device a role could be bound to on the selected site. */
export interface DeviceChoice {
  readonly device: Device;
  /** The discovered device it is, when discovery sees it now. */
  readonly found: DiscoveredDevice | null;
  /** Whether the site already lists it. */
  readonly stored: boolean;
}

/** The site's devices, then the discovered ones it does not list yet (those with a model). */
export const deviceChoices = (
  stored: readonly Device[],
  found: readonly DiscoveredDevice[],
  catalog: Catalog,
): DeviceChoice[] => {
  const out: DeviceChoice[] = stored.map((device) => ({
    device,
    found: foundFor(device, found) ?? null,
    stored: true,
  }));
  const taken = new Set(stored.map((d) => d.id));
  for (const f of found) {
    if (storedFor(f, stored)) continue;
    const r = toSiteDevice(f, catalog, taken);
    if (!r.ok) continue;
    taken.add(r.device.id);
    out.push({ device: r.device, found: f, stored: false });
  }
  return out;
};

/** The resolver's role for an editor role. */
export const modelRole = (role: Role) => ({
  id: role.id,
  capability: role.capability,
  ...(role.title ? { title: role.title } : {}),
  ...(role.alsoRequires?.length ? { alsoRequires: [...role.alsoRequires] } : {}),
});

/**
 * What the device bound to each role provides (role id → provided), for the live problems.
 * Roles that are unbound, or bound to a device that cannot fill them, are left out: readiness
 * names those.
 */
export const providedByRole = (
  roles: readonly Role[],
  devices: readonly Device[],
  catalog: Catalog,
): Record<string, Provided> => {
  const out: Record<string, Provided> = {};
  for (const role of roles) {
    if (!role.device) continue;
    const binding = {
      role: role.id,
      device: role.device,
      ...(role.implementation ? { implementation: role.implementation } : {}),
    };
    const provided = providedFor(modelRole(role), binding, devices, catalog);
    if (provided) out[role.id] = provided;
  }
  return out;
};

/** Whether a device can fill a role, and why (or why not), by the resolver. */
export const fitOf = (device: Device, role: Role, catalog: Catalog) =>
  canFillRole(device, modelRole(role), catalog, role.implementation);

/**
 * The implementation a binding should name, or undefined when the gateway's own choice (the one
 * implementation of exactly the role's capability) is the resolver's (or, for a device that
 * lacks a setting, the one that will apply once it is given). It matters when a device
 * fills the role through `extends` (a dimmer in a switch role) or offers the capability twice.
 */
export const bindingImplementation = (device: Device, role: Role, catalog: Catalog): string | undefined => {
  const fit = fitOf(device, { ...role, implementation: undefined }, catalog);
  // A device that still lacks a setting is bound through the implementation that will apply.
  const chosen = fit.ok ? fit.candidate.implementation : fit.needs?.implementation;
  if (!chosen) return undefined;
  const model = modelOf(device, catalog);
  const exact = Object.entries(model?.implements ?? {}).filter(([, i]) => i.capability === role.capability);
  return exact.length === 1 && exact[0]![0] === chosen ? undefined : chosen;
};
