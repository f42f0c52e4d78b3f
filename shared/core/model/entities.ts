/**
 * A site device's own entities joined with its library model: the one model the resolver,
 * readiness, site validation and the gateway's binding runtime see. Entities (what discovery
 * understood of the device's announcements, each bound at its own topics) decide what the
 * device can do; the library model still adds what no entity provides — availability, a
 * capability its wiring gives, commissioning — but never a second binding of a capability an
 * entity already offers.
 */
import type { Device, DeviceModel, Implementation } from './schemas';

/** The id of the library model a device with entities but no recognised firmware is added to the site with. */
export const GENERIC_ENTITY_MODEL = 'discovered-device';

const cache = new WeakMap<DeviceModel, WeakMap<object, DeviceModel>>();

/**
 * The model a device is run with: its entities first (keyed by entity id), then the model's
 * implementations whose capability no entity offers, whose key no entity took, and whose `when`
 * does not rest on a model default the device never set. A device without entities gets the model itself,
 * unchanged. Results are cached per (model, entities) object.
 */
export const modelForDevice = (
  model: DeviceModel,
  device: Pick<Device, 'entities' | 'variables'>,
): DeviceModel => {
  const entities = device.entities;
  if (!entities || Object.keys(entities).length === 0) return model;
  let byEntities = cache.get(model);
  const known = byEntities?.get(entities);
  if (known) return known;
  const offered = new Set(Object.values(entities).map((e) => e.capability));
  const implementsOut: Record<string, Implementation> = { ...entities };
  for (const [key, impl] of Object.entries(model.implements)) {
    if (Object.hasOwn(implementsOut, key) || offered.has(impl.capability)) continue;
    // A condition met only through the model's default is how a generic model guesses what a
    // device has (ESPHome's default `entities` list); with the device's own entities there is
    // nothing left to guess. A condition on a setting the device carries, or one it still lacks
    // and can be given (a Homie property path), counts as before.
    const guesses = Object.keys(impl.when ?? {}).some(
      (name) =>
        !Object.hasOwn(device.variables ?? {}, name) && model.variables?.[name]?.default !== undefined,
    );
    if (guesses) continue;
    implementsOut[key] = impl;
  }
  const joined: DeviceModel = { ...model, implements: implementsOut };
  if (!byEntities) cache.set(model, (byEntities = new WeakMap()));
  byEntities.set(entities, joined);
  return joined;
};
