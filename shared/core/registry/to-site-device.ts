/**
 * A discovered device as a site's `Device`: the model the registry matched, the instance
 * variables that model's discovery rules capture from what was actually seen (topic, prefix,
 * host…), a slug id, identity and name. The registry keeps only flat facts per sighting, so the
 * observations the rules test (an mDNS service, a USB adapter, each MQTT message) are rebuilt
 * from those facts and replayed through `matchDiscoveryRule`.
 */
import type { Catalog } from '../model/catalog';
import { matchDiscoveryRule, type Observation } from '../model/discovery';
import { SLUG_PATTERN } from '../model/schema-common';
import { GENERIC_ENTITY_MODEL } from '../model/entities';
import type { Device, DeviceIdentity, DeviceModel, Implementation } from '../model/schemas';
import type { DiscoveredDevice, Sighting } from './types';

/** The observations a sighting's facts stand for: its mDNS service, its USB adapter, each MQTT message. */
export const observationsOf = (sighting: Sighting): Observation[] => {
  const facts = sighting.facts;
  const out: Observation[] = [];
  const service = facts['mdns.type'];
  if (service !== undefined) {
    const txt: Record<string, string> = {};
    for (const [key, value] of Object.entries(facts)) if (key.startsWith('txt.')) txt[key.slice(4)] = value;
    out.push({
      kind: 'mdns',
      service,
      instance: facts['mdns.instance'] ?? '',
      ...(sighting.identity.hostname ? { host: sighting.identity.hostname } : {}),
      txt,
    });
  }
  const vid = facts['usb.vid'];
  if (vid !== undefined)
    out.push({ kind: 'usb', vid, ...(facts['usb.pid'] ? { pid: facts['usb.pid'] } : {}) });
  // Sorted by topic so the same sightings always give the same variables.
  const messages = Object.entries(facts)
    .filter(([key]) => key.startsWith('topic:'))
    .sort(([a], [b]) => a.localeCompare(b));
  const seen = (topic: string): string | undefined => facts[`topic:${topic}`];
  for (const [key, payload] of messages) out.push({ kind: 'mqtt', topic: key.slice(6), payload, seen });
  return out;
};

/**
 * Names of the model's variables that some implementation's `when` tests against listed values
 * (`entities` contains `motion`): they hold sets. One tested only for being set (`*`) is a single value.
 */
const setVariables = (model: DeviceModel): Set<string> =>
  new Set(
    Object.values(model.implements).flatMap((impl) =>
      Object.entries(impl.when ?? {})
        .filter(([, options]) => options.some((o) => o !== '*'))
        .map(([name]) => name),
    ),
  );

/** What replaying the sightings through a model's discovery rules gave. */
export interface CapturedVariables {
  readonly variables: Record<string, string | number>;
  /** Variables that different observations captured with different values; the first was kept. */
  readonly conflicts: string[];
  /** How many observations fit one of the model's rules. */
  readonly matched: number;
}

/**
 * The instance variables a model's discovery rules capture from a device's sightings. Each
 * observation counts with its most specific fitting rule, most specific observations first.
 * A variable some implementation's `when` tests against listed values is a set (`entities`,
 * `color_modes`), so the values of every observation are joined with commas (sorted), as `when`
 * reads them; any other variable
 * keeps the first value, and a disagreeing later value is reported as a conflict.
 */
export const captureVariables = (model: DeviceModel, sightings: readonly Sighting[]): CapturedVariables => {
  const fits: { specificity: number; order: number; variables: Record<string, string | number> }[] = [];
  let order = 0;
  for (const sighting of sightings) {
    for (const obs of observationsOf(sighting)) {
      let best: { specificity: number; variables: Record<string, string | number> } | undefined;
      for (const rule of model.discovery ?? []) {
        const fit = matchDiscoveryRule(rule, obs);
        if (fit && (!best || fit.specificity > best.specificity)) best = fit;
      }
      if (best) fits.push({ ...best, order: order++ });
    }
  }
  fits.sort((a, b) => b.specificity - a.specificity || a.order - b.order);
  const sets = setVariables(model);
  const variables: Record<string, string | number> = {};
  const members = new Map<string, string[]>();
  const conflicts = new Set<string>();
  for (const fit of fits) {
    for (const [name, value] of Object.entries(fit.variables)) {
      if (sets.has(name)) {
        const list = members.get(name) ?? [];
        for (const item of String(value).split(',')) {
          const v = item.trim();
          if (v && !list.includes(v)) list.push(v);
        }
        members.set(name, list);
      } else if (!(name in variables)) variables[name] = value;
      else if (variables[name] !== value) conflicts.add(name);
    }
  }
  for (const [name, list] of members) if (list.length > 0) variables[name] = list.sort().join(',');
  return { variables, conflicts: [...conflicts].sort(), matched: fits.length };
};

const slugPattern = new RegExp(SLUG_PATTERN);

/** A device id from a name or identity: lower case, dashes, at most 60 characters; '' when nothing usable is left. */
export const deviceSlug = (text: string): string =>
  text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');

/** The identity a site keeps: a MAC only when it is 12 hex digits, other facts within the schema's lengths. */
export const siteIdentity = (device: Pick<DiscoveredDevice, 'identity'>): DeviceIdentity => {
  const { mac, serial, hostname, topic } = device.identity;
  const lower = mac?.toLowerCase();
  return {
    ...(lower && /^[0-9a-f]{12}$/.test(lower) ? { mac: lower } : {}),
    ...(serial ? { serial: serial.slice(0, 200) } : {}),
    ...(hostname ? { hostname: hostname.slice(0, 253) } : {}),
    ...(topic ? { topic: topic.slice(0, 300) } : {}),
  };
};

/** True when a site device and a discovered one are the same physical device (a shared MAC, serial, topic or hostname). */
export const sameDevice = (
  stored: Pick<Device, 'identity'>,
  found: Pick<DiscoveredDevice, 'identity'>,
): boolean => {
  const a = stored.identity;
  const b = siteIdentity(found);
  return (
    (!!a.mac && a.mac === b.mac) ||
    (!!a.serial && a.serial === b.serial) ||
    (!!a.topic && a.topic === b.topic) ||
    (!!a.hostname && a.hostname === b.hostname)
  );
};

/** The bindings of a discovered device's bound entities, keyed by entity id; undefined when it has none. */
export const boundEntities = (
  found: Pick<DiscoveredDevice, 'entities'>,
): Record<string, Implementation> | undefined => {
  const bound = (found.entities ?? []).filter((e) => e.status === 'bound' && e.binding);
  return bound.length > 0 ? Object.fromEntries(bound.map((e) => [e.id, e.binding!])) : undefined;
};

/** A site device made from a discovered one, or why it cannot be. */
export type SiteDeviceResult =
  | { readonly ok: true; readonly device: Device; readonly conflicts: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Turns a discovered device into a site `Device` for `catalog`'s model of it: the variables its
 * sightings give, its bound entities, an id from its name (else topic, hostname, MAC) not in
 * `taken`, its identity and name. A device no model matched (or whose model is not in the
 * catalog) joins through the generic entity model when some entity was bound. Fails, with the
 * reason and what to do, when it has neither a model in the catalog nor a bound entity.
 */
export const toSiteDevice = (
  found: DiscoveredDevice,
  catalog: Pick<Catalog, 'models'>,
  taken: ReadonlySet<string> = new Set(),
): SiteDeviceResult => {
  const entities = boundEntities(found);
  const matched = found.model ? catalog.models.get(found.model.id) : undefined;
  // A device whose entities were understood can join the site without a firmware model: it is
  // bound entity by entity, through the generic model.
  const model = matched ?? (entities ? catalog.models.get(GENERIC_ENTITY_MODEL) : undefined);
  if (!found.model && !model) {
    return {
      ok: false,
      reason: `“${found.name}” matched no device model; add a model for it to the project (models/) or the library`,
    };
  }
  if (!model) {
    return {
      ok: false,
      reason: `“${found.name}” was recognised as ${found.model!.name} (${found.model!.id}), which has no device model in the library or the project; add one to the project's models/`,
    };
  }
  const { variables, conflicts } = matched
    ? captureVariables(model, found.sightings)
    : { variables: {}, conflicts: [] };
  const identity = siteIdentity(found);
  const base =
    [found.name, identity.topic, identity.hostname, identity.mac]
      .map((t) => (t ? deviceSlug(t) : ''))
      .find((s) => s && slugPattern.test(s)) ?? 'device';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return {
    ok: true,
    device: {
      id,
      name: (found.name.trim() || id).slice(0, 200),
      model: model.id,
      identity,
      ...(Object.keys(variables).length > 0 ? { variables } : {}),
      ...(entities ? { entities } : {}),
    },
    conflicts,
  };
};
