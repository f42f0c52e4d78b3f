/**
 * What the palette and quick-add offer: catalog kinds, and for a role the triggers and
 * actions its capability allows (its events, observable and writable properties, actions),
 * each as a ready-configured node.
 */
import type { NodeKindSpec, Role } from '../canvas/types';
import type { CapabilityInfo } from './capabilities';

/** One thing that can be added to the canvas: a kind with some config already set. */
export interface Offer {
  readonly id: string;
  readonly label: string;
  readonly detail: string;
  readonly icon: string;
  readonly kind: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** Every catalog kind as an offer, with its defaults. */
export const kindOffers = (catalog: ReadonlyMap<string, NodeKindSpec>): Offer[] =>
  [...catalog.values()].map((spec) => ({
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

/** Offers whose label, detail or kind contain every word of `query`. */
export const searchOffers = (offers: readonly Offer[], query: string): Offer[] => {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...offers];
  return offers.filter((o) => {
    const text = `${o.label} ${o.detail} ${o.kind}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
};
