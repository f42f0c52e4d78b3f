import { deviceText, normaliseMac } from '../../core/registry/text';
import { mqttSighting, parseJsonObject, str, type MqttDiscoveryContext } from './mqtt-context';
import { readTasmotaConfig, tasmotaEntities, tasmotaTopic, type TasmotaConfig } from './tasmota-entities';

interface TasmotaState {
  lwt?: string;
  raw?: Record<string, unknown>;
  config?: TasmotaConfig;
  /** Why the config could not be read, when it could not. */
  invalid?: string;
  sensors?: Record<string, unknown>;
  lwtTopic?: string;
}

/** How many devices are tracked by MAC before new discovery topics are ignored (a bound on memory). */
const MAX_DEVICES = 10_000;

/**
 * Tasmota: native discovery `tasmota/discovery/<MAC>/config` (identity, every relay, light and
 * shutter, FullTopic and prefixes) and `…/sensors` (every sensor quantity), and availability on
 * the device's Last Will topic — `tele/<topic>/LWT` by default, or wherever its FullTopic puts it,
 * subscribed once the config names it — with the config's own `onln`/`ofln` words. A device is
 * keyed by its device topic; discovery messages are tied to it by MAC.
 */
export const createTasmotaInterpreter = (ctx: MqttDiscoveryContext) => {
  const states = new Map<string, TasmotaState>();
  const topicByMac = new Map<string, string>();
  const sensorsByMac = new Map<string, Record<string, unknown>>();
  const deviceByLwt = new Map<string, string>();

  const onlineOf = (state: TasmotaState): boolean | null => {
    if (state.lwt === undefined) return null;
    const config = state.config;
    if (config) {
      if (state.lwt === config.onln) return true;
      if (state.lwt === config.ofln) return false;
    }
    const lower = state.lwt.toLowerCase();
    return lower === 'online' ? true : lower === 'offline' ? false : null;
  };

  const report = (topic: string, state: TasmotaState): void => {
    const raw = state.raw;
    const config = state.config;
    const mac = normaliseMac(str(raw, 'mac'));
    const hostname = str(raw, 'hn');
    const ip = str(raw, 'ip');
    const entities = config ? tasmotaEntities(config, state.sensors ?? null) : [];
    const facts: Record<string, string> = { 'mqtt.protocol': 'tasmota', 'mqtt.topic': topic };
    if (config) {
      facts['tasmota.relays'] = String(config.rl.filter((k) => k === 1).length);
      facts['tasmota.lights'] = String(config.rl.filter((k) => k === 2).length);
      facts['tasmota.fulltopic'] = config.ft;
    }
    const module = str(raw, 'md');
    if (module) facts['tasmota.module'] = module;
    const version = str(raw, 'sw');
    if (version) facts['tasmota.version'] = version;
    const kinds = new Set(entities.filter((e) => e.status === 'bound').map((e) => e.component));
    const kind = !config
      ? 'device'
      : kinds.has('relay')
        ? 'relay'
        : kinds.has('light')
          ? 'light'
          : kinds.has('shutter')
            ? 'cover'
            : kinds.has('sensor') || kinds.has('energy')
              ? 'sensor'
              : 'device';
    ctx.sink.upsert(
      mqttSighting(`tasmota:${topic}`, {
        identity: {
          topic,
          ...(mac ? { mac } : {}),
          ...(hostname ? { hostname: hostname.toLowerCase() } : {}),
        },
        name: deviceText(str(raw, 'dn') ?? topic),
        kind,
        facts,
        addresses: ip && ip !== '0.0.0.0' ? [ip] : [],
        online: onlineOf(state),
        raw: { lwt: state.lwt ?? null, config: raw ?? null, sensors: state.sensors ?? null },
        warnings: state.invalid ? [`Tasmota discovery config not read: ${state.invalid}`] : [],
        entities,
        seenAt: ctx.now(),
      }),
    );
  };

  const forget = (topic: string): void => {
    const state = states.get(topic);
    if (state?.lwtTopic) deviceByLwt.delete(state.lwtTopic);
    states.delete(topic);
    ctx.sink.remove('mqtt', `tasmota:${topic}`);
  };

  const handleLwt = (deviceTopic: string, text: string): void => {
    const state = states.get(deviceTopic) ?? {};
    if (text === '') {
      state.lwt = undefined;
      if (!state.raw) return forget(deviceTopic);
    } else state.lwt = deviceText(text, 40);
    states.set(deviceTopic, state);
    report(deviceTopic, state);
  };

  const handleConfig = (topic: string, mac: string, text: string): void => {
    if (text === '') {
      const deviceTopic = topicByMac.get(mac);
      topicByMac.delete(mac);
      const state = deviceTopic ? states.get(deviceTopic) : undefined;
      if (!deviceTopic || !state) return;
      state.raw = undefined;
      state.config = undefined;
      if (state.lwt === undefined) forget(deviceTopic);
      else report(deviceTopic, state);
      return;
    }
    const raw = parseJsonObject(ctx, topic, text);
    if (!raw) return;
    const read = readTasmotaConfig(raw);
    const deviceTopic = 'error' in read ? str(raw, 't') : read.t;
    if (!deviceTopic || /[+#/]/.test(deviceTopic)) {
      ctx.problem(topic, 'Tasmota discovery config has no usable "t" (device topic); skipped');
      return;
    }
    if (!topicByMac.has(mac) && topicByMac.size >= MAX_DEVICES) {
      ctx.problem(topic, `more than ${MAX_DEVICES} Tasmota devices; skipped`);
      return;
    }
    const previous = topicByMac.get(mac);
    if (previous && previous !== deviceTopic) forget(previous);
    topicByMac.set(mac, deviceTopic);
    const state = states.get(deviceTopic) ?? {};
    state.raw = raw;
    if ('error' in read) {
      state.config = undefined;
      state.invalid = read.error;
    } else {
      state.config = read;
      state.invalid = undefined;
      state.sensors = sensorsByMac.get(mac);
      // The Last Will sits wherever the FullTopic puts it; the default one is subscribed already.
      const lwtTopic = tasmotaTopic(read, 2, 'LWT');
      if (state.lwtTopic !== lwtTopic) {
        if (state.lwtTopic) deviceByLwt.delete(state.lwtTopic);
        state.lwtTopic = lwtTopic;
        deviceByLwt.set(lwtTopic, deviceTopic);
        if (!/^tele\/[^/]+\/LWT$/.test(lwtTopic)) ctx.subscribe(lwtTopic);
      }
    }
    states.set(deviceTopic, state);
    report(deviceTopic, state);
  };

  const handleSensors = (topic: string, mac: string, text: string): void => {
    if (text === '') sensorsByMac.delete(mac);
    else {
      const payload = parseJsonObject(ctx, topic, text);
      const sn = payload?.sn;
      if (!sn || typeof sn !== 'object' || Array.isArray(sn)) {
        if (payload) ctx.problem(topic, 'Tasmota sensors message has no "sn" object; skipped');
        return;
      }
      if (!sensorsByMac.has(mac) && sensorsByMac.size >= MAX_DEVICES) return;
      sensorsByMac.set(mac, sn as Record<string, unknown>);
    }
    const deviceTopic = topicByMac.get(mac);
    const state = deviceTopic ? states.get(deviceTopic) : undefined;
    if (!deviceTopic || !state) return;
    state.sensors = sensorsByMac.get(mac);
    report(deviceTopic, state);
  };

  return {
    filters: ['tele/+/LWT', 'tasmota/discovery/+/config', 'tasmota/discovery/+/sensors'],
    handle(topic: string, text: string): boolean {
      const custom = deviceByLwt.get(topic);
      if (custom !== undefined) {
        handleLwt(custom, text);
        return true;
      }
      const parts = topic.split('/');
      if (parts.length === 3 && parts[0] === 'tele' && parts[2] === 'LWT') {
        handleLwt(parts[1]!, text);
        return true;
      }
      if (parts.length === 4 && parts[0] === 'tasmota' && parts[1] === 'discovery') {
        const mac = parts[2]!.toUpperCase();
        if (parts[3] === 'config') handleConfig(topic, mac, text);
        else if (parts[3] === 'sensors') handleSensors(topic, mac, text);
        else return false;
        return true;
      }
      return false;
    },
  };
};
