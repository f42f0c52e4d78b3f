/**
 * What the palette and quick-add offer: catalog kinds, and for a role the triggers and
 * actions its capability allows (its events, observable and writable properties, actions),
 * each as a ready-configured node.
 */
import type { NodeKindSpec, Role, SiteDevice } from '../canvas/types';
import type { CapabilityInfo } from './capabilities';

/** One thing that can be added to the canvas: a kind with some config already set. */
export interface Offer {
  readonly id: string;
  readonly label: string;
  readonly detail: string;
  readonly icon: string;
  readonly kind: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** A role to create with the node (dragging a device creates a role bound to it). */
  readonly newRole?: Role;
  /** The device to add to the selected site with that role, when the site does not list it yet. */
  readonly newDevice?: SiteDevice;
}

/** Every catalog kind as an offer, with its defaults. */
export const kindOffers = (catalog: ReadonlyMap<string, NodeKindSpec>): Offer[] =>
  [...catalog.values()]
    .filter((spec) => !spec.placeholder)
    .map((spec) => ({
      id: spec.kind,
      label: spec.title,
      detail: spec.category,
      icon: spec.icon,
      kind: spec.kind,
      config: {},
    }));

/** The triggers and actions a role's capability allows, ready-configured for that role. */
export const roleOffers = (role: Role, capability: CapabilityInfo | undefined): Offer[] => {
  if (!capability) return [];
  const name = role.title ?? role.id;
  const offers: Offer[] = [];
  const { shape, titles } = capability;
  for (const event of Object.keys(shape.events)) {
    offers.push({
      id: `${role.id}:event:${event}`,
      label: `When ${name}: ${titles.event[event] ?? event}`,
      detail: 'Trigger · event',
      icon: '⚡',
      kind: 'trigger.device-event',
      config: { role: role.id, event },
    });
  }
  for (const [property, data] of Object.entries(shape.properties)) {
    offers.push({
      id: `${role.id}:change:${property}`,
      label: `When ${name} ${titles.property[property] ?? property} changes`,
      detail: `Trigger · ${data.type ?? 'value'}`,
      icon: '∿',
      kind: 'trigger.property-change',
      config: { role: role.id, property },
    });
    if (data.writable) {
      offers.push({
        id: `${role.id}:set:${property}`,
        label: `Set ${name} ${titles.property[property] ?? property}`,
        detail: `Action · ${data.type ?? 'value'}`,
        icon: '≡',
        kind: 'action.set-property',
        config: { role: role.id, property, value: data.type === 'boolean' ? 'true' : 'payload' },
      });
    }
  }
  for (const action of Object.keys(shape.actions)) {
    offers.push({
      id: `${role.id}:action:${action}`,
      label: `${titles.action[action] ?? action} ${name}`,
      detail: 'Action',
      icon: '⚡',
      kind: 'action.device-action',
      config: { role: role.id, action },
    });
  }
  return offers;
};

/**
 * What dragging a discovered device offers: for each capability it implements, the triggers
 * and actions of a role bound to it (an existing bound role, or a new one created on pick,
 * together with `newDevice` when the site does not list the device yet). A new role is titled
 * with the device's name, and with the capability too where the name alone would be ambiguous.
 */
export const deviceOffers = (
  device: { readonly id: string; readonly name: string },
  capabilityIds: readonly string[],
  roles: readonly Role[],
  capabilities: ReadonlyMap<string, CapabilityInfo>,
  newDevice?: SiteDevice,
): Offer[] => {
  const offersFor = (capabilityId: string, info: CapabilityInfo, title: string): Offer[] => {
    const bound = roles.find((r) => r.device === device.id && r.capability === capabilityId);
    const base = slug(`${device.name}-${capabilityId.split('@')[0]}`);
    let id = base;
    for (let i = 2; !bound && roles.some((r) => r.id === id); i++) id = `${base}-${i}`;
    const role: Role = bound ?? { id, title, capability: capabilityId, device: device.id };
    return roleOffers(role, info).map((o) =>
      bound ? o : { ...o, newRole: role, ...(newDevice ? { newDevice } : {}) },
    );
  };
  const known = capabilityIds.flatMap((id) => {
    const info = capabilities.get(id);
    return info ? [{ id, info }] : [];
  });
  // Named as a person would: by the device alone, and by what it does too only where the
  // device already fills another role, or where two of its capabilities would offer the same
  // words (a light that is both a switch and a dimmer: “Set Demo Homie light On” twice).
  const plain = known.map(({ id, info }) => offersFor(id, info, device.name));
  const labels = new Map<string, Set<string>>();
  plain.forEach((offers, i) => {
    for (const o of offers) labels.set(o.label, (labels.get(o.label) ?? new Set()).add(known[i]!.id));
  });
  return known.flatMap(({ id, info }, i) => {
    const shared =
      roles.some((r) => r.device === device.id && r.capability !== id) ||
      plain[i]!.some((o) => labels.get(o.label)!.size > 1);
    return shared ? offersFor(id, info, `${device.name} · ${info.title}`) : plain[i]!;
  });
};

/** A role id from a name: lower case, dashes, safe in files and topics. */
export const slug = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'role';

/** Offers whose label, detail or kind contain every word of `query`. */
export const searchOffers = (offers: readonly Offer[], query: string): Offer[] => {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...offers];
  return offers.filter((o) => {
    const text = `${o.label} ${o.detail} ${o.kind}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
};
