import { expandHaDiscoveryConfig } from '../../core/model/discovery';
import { hasWildcard } from '../../core/topics/match';
import type { DiscoveredEntity } from '../../core/registry/entities';
import { deviceText, normaliseMac } from '../../core/registry/text';
import { combineAvailability, readAvailability, type HaAvailability } from './ha-availability';
import { haEntity } from './ha-entities';
import { mqttSighting, obj, parseJsonObject, str, type MqttDiscoveryContext } from './mqtt-context';

interface Entity {
  readonly component: string;
  readonly objectId: string;
  readonly config: Record<string, unknown>;
  readonly entity: DiscoveredEntity;
  readonly availability: HaAvailability | null;
}

interface HaDevice {
  readonly key: string;
  readonly entities: Map<string, Entity>;
  readonly taken: Set<string>;
  device: Record<string, unknown>;
  origin: Record<string, unknown> | undefined;
}

const kindOf = (components: string[]): string => {
  if (components.some((c) => c === 'switch' || c === 'light' || c === 'fan' || c === 'valve')) return 'relay';
  if (components.some((c) => c === 'sensor' || c === 'binary_sensor')) return 'sensor';
  return components[0] ?? 'device';
};

/** Which firmware or bridge announced through HA discovery, when it says so (origin, identifiers, sw). */
const announcer = (
  device: Record<string, unknown>,
  origin: Record<string, unknown> | undefined,
): string | undefined => {
  const name = (str(origin, 'name') ?? '').toLowerCase();
  const ids = device.identifiers;
  const first = Array.isArray(ids) ? String(ids[0] ?? '') : typeof ids === 'string' ? ids : '';
  if (name.includes('zigbee2mqtt') || /^zigbee2mqtt_/.test(first)) return 'zigbee2mqtt';
  if (
    name === 'esphome' ||
    /^\d{4}\.\d+\.\d+\S* \((config hash 0x[0-9a-f]+|ESPHome |[A-Z][a-z]{2} [ \d]\d \d{4})/.test(
      str(device, 'sw_version') ?? '',
    )
  )
    return 'esphome';
  if (name.includes('tasmota')) return 'tasmota';
  return undefined;
};

/**
 * Home Assistant MQTT discovery: per-entity configs `<prefix>/<component>/[<node>/]<object>/config`
 * and device-based configs `<prefix>/device/<object>/config` (with `cmps`), under a configurable
 * discovery prefix. Every abbreviation and the `~` base topic are expanded; each entity becomes
 * a DiscoveredEntity bound at its own topics (ha-entities.ts); entities are grouped into devices
 * by `dev.ids`/`dev.cns`; an empty retained payload removes an entity; availability topics (with
 * templates and `availability_mode`) are subscribed and tracked per entity.
 */
export const createHomeAssistantInterpreter = (ctx: MqttDiscoveryContext, prefix = 'homeassistant') => {
  const devices = new Map<string, HaDevice>();
  const entityDevice = new Map<string, string>();
  /**
   * Device-discovery config topic → the entity topics (`<topic>#<id>`) its `cmps` made, so a
   * re-announcement or removal touches that device's components only, not every entity heard.
   */
  const deviceComponents = new Map<string, Set<string>>();
  /** Availability topic → devices that read it. */
  const watchers = new Map<string, Set<string>>();
  /** What each availability topic said last, and when (message order). */
  const lastSaid = new Map<string, { payload: string; at: number }>();
  let order = 0;

  const onlineOf = (device: HaDevice): boolean | null => {
    let any: boolean | null = null;
    for (const e of device.entities.values()) {
      if (!e.availability) continue;
      const heard = new Map<string, { state: boolean | null; at: number }>();
      for (const t of e.availability.topics) {
        const said = lastSaid.get(t.topic);
        if (said) heard.set(t.topic, { state: readAvailability(t, said.payload), at: said.at });
      }
      const state = combineAvailability(e.availability, heard);
      if (state === true) return true;
      if (state === false) any = false;
    }
    return any;
  };

  const report = (device: HaDevice): void => {
    const list = [...device.entities.values()];
    const components = [...new Set(list.map((e) => e.component))].sort();
    const cns = device.device.connections;
    let mac: string | undefined;
    if (Array.isArray(cns)) {
      for (const pair of cns) if (Array.isArray(pair) && pair[0] === 'mac') mac ??= normaliseMac(pair[1]);
    }
    const ids = device.device.identifiers;
    const idList = Array.isArray(ids) ? ids.map(String) : typeof ids === 'string' ? [ids] : [];
    const ieee = idList.map((id) => /^zigbee2mqtt_(0x[0-9a-f]{16})$/i.exec(id)?.[1]).find(Boolean);
    const serial = str(device.device, 'serial_number') ?? ieee?.toLowerCase();
    const facts: Record<string, string> = {
      'mqtt.protocol': 'homeassistant',
      'ha.components': components.join(','),
    };
    const origin = str(device.origin, 'name');
    if (origin) facts['ha.origin'] = origin;
    const via = announcer(device.device, device.origin);
    if (via) facts['ha.via'] = via;
    const manufacturer = str(device.device, 'manufacturer');
    if (manufacturer) facts['ha.manufacturer'] = manufacturer;
    const area = str(device.device, 'suggested_area');
    if (area) facts.room = deviceText(area, 100);
    const model = str(device.device, 'model');
    if (model) facts['ha.model'] = model;
    const sw = str(device.device, 'sw_version');
    if (sw) facts['ha.sw'] = sw;
    const warnings = [...new Set(list.flatMap((e) => e.availability?.problems ?? []))].map(
      (p) => `an availability topic cannot be read: ${p}`,
    );
    ctx.sink.upsert(
      mqttSighting(`ha:${device.key}`, {
        identity: { ...(mac ? { mac } : {}), ...(serial ? { serial } : {}) },
        name: deviceText(str(device.device, 'name') ?? list[0]?.entity.name ?? device.key),
        kind: kindOf(components),
        facts,
        online: onlineOf(device),
        warnings,
        entities: list.map((e) => e.entity),
        // Each entity keeps its own config (entity.raw); the device's raw is what they share.
        raw: { device: device.device, origin: device.origin ?? null },
        seenAt: ctx.now(),
      }),
    );
  };

  const watch = (deviceKey: string, availability: HaAvailability | null): void => {
    for (const t of availability?.topics ?? []) {
      if (hasWildcard(t.topic)) continue;
      const set = watchers.get(t.topic) ?? new Set<string>();
      if (set.size === 0) ctx.subscribe(t.topic);
      set.add(deviceKey);
      watchers.set(t.topic, set);
    }
  };

  const removeEntity = (configTopic: string, reportAfter = true): void => {
    const key = entityDevice.get(configTopic);
    entityDevice.delete(configTopic);
    const device = key ? devices.get(key) : undefined;
    if (!device) return;
    const old = device.entities.get(configTopic);
    if (old) device.taken.delete(old.entity.id);
    device.entities.delete(configTopic);
    if (device.entities.size === 0) {
      devices.delete(device.key);
      ctx.sink.remove('mqtt', `ha:${device.key}`);
    } else if (reportAfter) report(device);
  };

  const addEntity = (
    configTopic: string,
    component: string,
    objectId: string,
    raw: Record<string, unknown>,
  ): string => {
    const config = expandHaDiscoveryConfig(raw);
    const dev = obj(config, 'device') ?? {};
    const origin = obj(config, 'origin');
    const ids = dev.identifiers;
    const firstId = Array.isArray(ids)
      ? ids.find((x) => typeof x === 'string')
      : typeof ids === 'string'
        ? ids
        : undefined;
    const cns = dev.connections;
    const firstConnection =
      Array.isArray(cns) && Array.isArray(cns[0]) ? `${String(cns[0][0])}:${String(cns[0][1])}` : undefined;
    const key = deviceText(firstId ?? firstConnection ?? str(config, 'unique_id') ?? configTopic, 300);
    const previous = entityDevice.get(configTopic);
    if (previous && previous !== key) removeEntity(configTopic);
    const device = devices.get(key) ?? {
      key,
      entities: new Map<string, Entity>(),
      taken: new Set<string>(),
      device: dev,
      origin,
    };
    if (Object.keys(dev).length > Object.keys(device.device).length) device.device = dev;
    device.origin ??= origin;
    // A re-announced entity keeps its id: free it before reading the new config.
    const old = device.entities.get(configTopic);
    if (old) device.taken.delete(old.entity.id);
    const { entity, availability } = haEntity(configTopic, component, objectId, config, device.taken);
    device.entities.set(configTopic, { component, objectId, config: raw, entity, availability });
    devices.set(key, device);
    entityDevice.set(configTopic, key);
    watch(key, availability);
    return key;
  };

  return {
    /** Topics to subscribe to. */
    filters: [`${prefix}/#`],
    /** Handles one message; returns false when the topic is not Home Assistant discovery. */
    handle(topic: string, text: string): boolean {
      const readers = watchers.get(topic);
      if (readers) {
        lastSaid.set(topic, { payload: text, at: ++order });
        for (const key of readers) {
          const device = devices.get(key);
          if (device) report(device);
        }
        // The same topic may be another protocol's too (Tasmota's LWT): let it through.
        if (!topic.startsWith(`${prefix}/`)) return false;
      }
      if (!topic.startsWith(`${prefix}/`)) return false;
      if (!topic.endsWith('/config')) return false;
      const parts = topic.slice(prefix.length + 1).split('/');
      if (parts.length < 3 || parts.length > 4) {
        ctx.problem(
          topic,
          'not a Home Assistant discovery topic (<prefix>/<component>/[<node>/]<object>/config); skipped',
        );
        return true;
      }
      const component = parts[0]!;
      const objectId = parts[parts.length - 2]!;
      if (text === '') {
        if (component === 'device') {
          for (const entityTopic of deviceComponents.get(topic) ?? []) removeEntity(entityTopic);
          deviceComponents.delete(topic);
        } else removeEntity(topic);
        return true;
      }
      const config = parseJsonObject(ctx, topic, text);
      if (!config) return true;
      let key: string | undefined;
      if (component === 'device') {
        const components = obj(config, 'cmps', 'components');
        if (!components) {
          ctx.problem(topic, 'device discovery payload has no "cmps"; skipped');
          return true;
        }
        // Options beside `cmps` (device, origin, state_topic, availability, qos, ~) apply to every component.
        const shared = Object.fromEntries(
          Object.entries(config).filter(([k]) => !['cmps', 'components'].includes(k)),
        );
        const kept = new Set<string>();
        for (const [id, component] of Object.entries(components)) {
          if (!component || typeof component !== 'object') continue;
          const c = component as Record<string, unknown>;
          const platform = str(c, 'p', 'platform') ?? 'unknown';
          const entityTopic = `${topic}#${id}`;
          kept.add(entityTopic);
          key = addEntity(entityTopic, platform, id, { ...shared, ...c });
        }
        // A component left out of a re-announcement is gone.
        for (const entityTopic of deviceComponents.get(topic) ?? [])
          if (!kept.has(entityTopic)) removeEntity(entityTopic, false);
        deviceComponents.set(topic, kept);
      } else {
        key = addEntity(topic, component, objectId, config);
      }
      const device = key ? devices.get(key) : undefined;
      if (device) report(device);
      return true;
    },
  };
};
