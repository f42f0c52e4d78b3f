import { deviceText, normaliseMac } from '../../core/registry/text';
import { mqttSighting, obj, parseJsonObject, str, type MqttDiscoveryContext } from './mqtt-context';

interface Entity {
  readonly component: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
}

interface HaDevice {
  readonly key: string;
  readonly entities: Map<string, Entity>;
  device: Record<string, unknown>;
  origin: Record<string, unknown> | undefined;
  availability: Map<string, string>;
  warnings: string[];
}

interface AvailabilityRule {
  readonly deviceKey: string;
  readonly on: string;
  readonly off: string;
}

const kindOf = (components: string[]): string => {
  if (components.some((c) => c === 'switch' || c === 'light' || c === 'fan' || c === 'valve')) return 'relay';
  if (components.some((c) => c === 'sensor' || c === 'binary_sensor')) return 'sensor';
  return components[0] ?? 'device';
};

/** `~` expands only at the start or end of a topic value (Home Assistant's rule). */
const expandBase = (topic: string, base: string | undefined): string => {
  if (!base) return topic;
  if (topic.startsWith('~')) return base + topic.slice(1);
  if (topic.endsWith('~')) return topic.slice(0, -1) + base;
  return topic;
};

/**
 * Home Assistant MQTT discovery: per-entity configs `homeassistant/<component>/[<node>/]<object>/config`
 * and device-based configs `homeassistant/device/<object>/config` (with `cmps`). Entities are
 * grouped into devices by `dev.ids`/`dev.cns`; an empty retained payload removes an entity;
 * availability topics from `avty_t`/`avty` are subscribed and tracked per device.
 */
export const createHomeAssistantInterpreter = (ctx: MqttDiscoveryContext, prefix = 'homeassistant') => {
  const devices = new Map<string, HaDevice>();
  const entityDevice = new Map<string, string>();
  const availability = new Map<string, AvailabilityRule[]>();

  const report = (device: HaDevice): void => {
    const components = [...new Set([...device.entities.values()].map((e) => e.component))].sort();
    const mac = (() => {
      const cns = device.device.cns ?? device.device.connections;
      if (!Array.isArray(cns)) return undefined;
      for (const pair of cns) if (Array.isArray(pair) && pair[0] === 'mac') return normaliseMac(pair[1]);
      return undefined;
    })();
    const states = [...device.availability.values()];
    const online = states.length === 0 ? null : states.every((s) => s === 'online');
    const facts: Record<string, string> = {
      'mqtt.protocol': 'homeassistant',
      'ha.components': components.join(','),
    };
    const origin = str(device.origin, 'name');
    if (origin) facts['ha.origin'] = origin;
    const manufacturer = str(device.device, 'mf', 'manufacturer');
    if (manufacturer) facts['ha.manufacturer'] = manufacturer;
    const area = str(device.device, 'sa', 'suggested_area');
    if (area) facts.room = deviceText(area, 100);
    const model = str(device.device, 'mdl', 'model');
    if (model) facts['ha.model'] = model;
    const firstEntity = [...device.entities.values()][0];
    ctx.sink.upsert(
      mqttSighting(`ha:${device.key}`, {
        identity: {
          ...(mac ? { mac } : {}),
          ...(str(device.device, 'sn', 'serial_number')
            ? { serial: str(device.device, 'sn', 'serial_number') }
            : {}),
        },
        name: deviceText(str(device.device, 'name') ?? firstEntity?.name ?? device.key),
        kind: kindOf(components),
        facts,
        online,
        warnings: device.warnings,
        raw: {
          device: device.device,
          origin: device.origin ?? null,
          entities: Object.fromEntries([...device.entities].map(([topic, e]) => [topic, e.config])),
          availability: Object.fromEntries(device.availability),
        },
        seenAt: ctx.now(),
      }),
    );
  };

  const watchAvailability = (deviceKey: string, config: Record<string, unknown>): void => {
    const base = str(config, '~');
    const rules: { topic: string; on: string; off: string }[] = [];
    const single = str(config, 'avty_t', 'availability_topic');
    const on = str(config, 'pl_avail', 'payload_available') ?? 'online';
    const off = str(config, 'pl_not_avail', 'payload_not_available') ?? 'offline';
    if (single) rules.push({ topic: expandBase(single, base), on, off });
    const list = config.avty ?? config.availability;
    if (Array.isArray(list)) {
      for (const item of list) {
        if (!item || typeof item !== 'object') continue;
        const rec = item as Record<string, unknown>;
        const topic = str(rec, 't', 'topic');
        if (!topic) continue;
        rules.push({
          topic: expandBase(topic, base),
          on: str(rec, 'pl_avail', 'payload_available') ?? on,
          off: str(rec, 'pl_not_avail', 'payload_not_available') ?? off,
        });
      }
    }
    for (const rule of rules) {
      if (rule.topic.includes('+') || rule.topic.includes('#')) continue;
      const existing = availability.get(rule.topic) ?? [];
      if (!existing.some((r) => r.deviceKey === deviceKey)) {
        existing.push({ deviceKey, on: rule.on, off: rule.off });
        if (existing.length === 1) ctx.subscribe(rule.topic);
        availability.set(rule.topic, existing);
      }
    }
  };

  const addEntity = (
    configTopic: string,
    component: string,
    config: Record<string, unknown>,
    deviceConfig: Record<string, unknown> | undefined,
    origin: Record<string, unknown> | undefined,
  ): string => {
    const dev = deviceConfig ?? {};
    const ids = dev.ids ?? dev.identifiers;
    const firstId = Array.isArray(ids)
      ? ids.find((x) => typeof x === 'string')
      : typeof ids === 'string'
        ? ids
        : undefined;
    const cns = dev.cns ?? dev.connections;
    const firstConnection =
      Array.isArray(cns) && Array.isArray(cns[0]) ? `${String(cns[0][0])}:${String(cns[0][1])}` : undefined;
    const key = deviceText(
      firstId ?? firstConnection ?? str(config, 'uniq_id', 'unique_id') ?? configTopic,
      300,
    );
    const device = devices.get(key) ?? {
      key,
      entities: new Map<string, Entity>(),
      device: dev,
      origin,
      availability: new Map<string, string>(),
      warnings: [],
    };
    if (Object.keys(dev).length > Object.keys(device.device).length) device.device = dev;
    device.origin ??= origin;
    device.entities.set(configTopic, {
      component,
      name: deviceText(str(config, 'name') ?? str(config, 'obj_id', 'object_id') ?? component),
      config,
    });
    devices.set(key, device);
    const previous = entityDevice.get(configTopic);
    if (previous && previous !== key) removeEntity(configTopic);
    entityDevice.set(configTopic, key);
    watchAvailability(key, config);
    return key;
  };

  const removeEntity = (configTopic: string): void => {
    const key = entityDevice.get(configTopic);
    entityDevice.delete(configTopic);
    const device = key ? devices.get(key) : undefined;
    if (!device) return;
    device.entities.delete(configTopic);
    if (device.entities.size === 0) {
      devices.delete(device.key);
      ctx.sink.remove('mqtt', `ha:${device.key}`);
    } else report(device);
  };

  return {
    /** Topics to subscribe to. */
    filters: [`${prefix}/#`],
    /** Handles one message; returns false when the topic is not Home Assistant discovery. */
    handle(topic: string, text: string): boolean {
      const rules = availability.get(topic);
      if (rules) {
        for (const rule of rules) {
          const device = devices.get(rule.deviceKey);
          if (!device) continue;
          const state = text === rule.on ? 'online' : text === rule.off ? 'offline' : 'unknown';
          device.availability.set(topic, state);
          report(device);
        }
        // The same topic may be another protocol's too (Tasmota's LWT): let it through.
        if (!topic.startsWith(`${prefix}/`)) return false;
      }
      if (!topic.startsWith(`${prefix}/`) || !topic.endsWith('/config')) return false;
      const parts = topic.split('/');
      if (parts.length < 4 || parts.length > 5) {
        ctx.problem(
          topic,
          'not a Home Assistant discovery topic (<prefix>/<component>/[<node>/]<object>/config); skipped',
        );
        return true;
      }
      if (text === '') {
        if (parts[1] === 'device') {
          for (const [entityTopic] of [...entityDevice].filter(([t]) => t.startsWith(`${topic}#`)))
            removeEntity(entityTopic);
        } else removeEntity(topic);
        return true;
      }
      const config = parseJsonObject(ctx, topic, text);
      if (!config) return true;
      const origin = obj(config, 'o', 'origin');
      const deviceConfig = obj(config, 'dev', 'device');
      let key: string | undefined;
      if (parts[1] === 'device') {
        const components = obj(config, 'cmps', 'components');
        if (!components) {
          ctx.problem(topic, 'device discovery payload has no "cmps"; skipped');
          return true;
        }
        const shared = Object.fromEntries(
          Object.entries(config).filter(
            ([k]) => !['cmps', 'components', 'dev', 'device', 'o', 'origin'].includes(k),
          ),
        );
        for (const [id, component] of Object.entries(components)) {
          if (!component || typeof component !== 'object') continue;
          const c = component as Record<string, unknown>;
          const platform = str(c, 'p', 'platform') ?? 'unknown';
          key = addEntity(`${topic}#${id}`, platform, { ...shared, ...c }, deviceConfig, origin);
        }
      } else {
        key = addEntity(topic, parts[1], config, deviceConfig, origin);
      }
      const device = key ? devices.get(key) : undefined;
      if (device) report(device);
      return true;
    },
  };
};
