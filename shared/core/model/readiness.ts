/**
 * Whether a design is ready for one site: every role is bound to a device the site lists, and
 * each bound device fills its role (the capability and everything in `alsoRequires`), as the
 * resolver judges it. The Flows view shows it; packaging for the site needs the same answer.
 */
import type { Catalog } from './catalog';
import { providedFor, useGap, type RoleUse } from './provides';
import { canFillRole, type PendingFit, type RoleCandidate } from './resolver';
import type { Device, Role, RoleBinding } from './schemas';

/** How one role stands on the site. */
export type RoleReadiness =
  | { readonly role: string; readonly state: 'unbound'; readonly message: string }
  | {
      readonly role: string;
      readonly state: 'unknown-device';
      readonly device: string;
      readonly message: string;
    }
  | {
      readonly role: string;
      readonly state: 'unfit';
      readonly device: string;
      /** Why the device cannot fill the role, from the resolver. */
      readonly reason: string;
      /** The settings the device lacks, when only those stand in the way (see the resolver). */
      readonly needs?: PendingFit;
      readonly message: string;
    }
  | {
      readonly role: string;
      readonly state: 'ready';
      readonly device: string;
      readonly candidate: RoleCandidate;
    };

/** The readiness of a design for one site: ready when every role is. */
export interface SiteReadiness {
  readonly ready: boolean;
  readonly roles: readonly RoleReadiness[];
  /** What is missing, one sentence per role that is not ready, in role order. */
  readonly missing: readonly string[];
}

const nameOf = (role: Role) => `“${role.title ?? role.id}” (${role.capability})`;

/**
 * Judges every role of the design against the site's bindings and devices. With `uses` (what the
 * flows do with each role, see roleUsesOf in shared/core/flow), a role is also unfit when its
 * device does not provide an affordance a flow uses (an event its binding never sends).
 */
export const siteReadiness = (
  roles: readonly Role[],
  bindings: readonly RoleBinding[],
  devices: readonly Device[],
  catalog: Catalog,
  uses: readonly RoleUse[] = [],
): SiteReadiness => {
  const judged = roles.map((role): RoleReadiness => {
    const binding = bindings.find((b) => b.role === role.id);
    if (!binding) {
      return { role: role.id, state: 'unbound', message: `${nameOf(role)} is not bound to a device` };
    }
    const device = devices.find((d) => d.id === binding.device);
    if (!device) {
      return {
        role: role.id,
        state: 'unknown-device',
        device: binding.device,
        message: `${nameOf(role)} is bound to “${binding.device}”, which the site does not list; bind it again`,
      };
    }
    const fit = canFillRole(device, role, catalog, binding.implementation);
    if (!fit.ok) {
      return {
        role: role.id,
        state: 'unfit',
        device: device.id,
        reason: fit.reason,
        ...(fit.needs ? { needs: fit.needs } : {}),
        message: `${nameOf(role)} is bound to “${device.name}”, which cannot fill it: ${fit.reason}`,
      };
    }
    const provided = uses.some((u) => u.role === role.id)
      ? providedFor(role, { ...binding, implementation: fit.candidate.implementation }, devices, catalog)
      : undefined;
    const gaps = provided
      ? [...new Set(uses.filter((u) => u.role === role.id).flatMap((u) => useGap(u, provided) ?? []))]
      : [];
    if (gaps.length) {
      const reason = gaps.join('; ');
      return {
        role: role.id,
        state: 'unfit',
        device: device.id,
        reason,
        message: `${nameOf(role)} is bound to “${device.name}”, but a flow needs what it does not provide: ${reason}`,
      };
    }
    return { role: role.id, state: 'ready', device: device.id, candidate: fit.candidate };
  });
  const missing = judged.flatMap((r) => (r.state === 'ready' ? [] : [r.message]));
  return { ready: missing.length === 0, roles: judged, missing };
};
