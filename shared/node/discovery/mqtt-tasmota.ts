import { deviceText, normaliseMac } from '../../core/registry/text';
import { mqttSighting, parseJsonObject, str, type MqttDiscoveryContext } from './mqtt-context';

interface TasmotaState {
  lwt?: string;
  config?: Record<string, unknown>;
  configTopic?: string;
}

/**
 * Tasmota: availability from `tele/<topic>/LWT` (`Online`/`Offline`, case as sent) and identity
 * from native discovery `tasmota/discovery/<MAC>/config` (`t` topic, `dn` name, `mac`, `ip`,
 * `hn` host name, `md` module, `sw`, `rl` relay types). Both are keyed by the device topic.
 */
export const createTasmotaInterpreter = (ctx: MqttDiscoveryContext) => {
  const states = new Map<string, TasmotaState>();
  const topicByConfig = new Map<string, string>();

  const report = (topic: string, state: TasmotaState): void => {
    const config = state.config;
    const mac = normaliseMac(str(config, 'mac'));
    const hostname = str(config, 'hn');
    const ip = str(config, 'ip');
    const relays = Array.isArray(config?.rl)
      ? config.rl.filter((x) => typeof x === 'number' && x > 0).length
      : 0;
    const facts: Record<string, string> = { 'mqtt.protocol': 'tasmota', 'mqtt.topic': topic };
    if (config) facts['tasmota.relays'] = String(relays);
    const module = str(config, 'md');
    if (module) facts['tasmota.module'] = module;
    const version = str(config, 'sw');
    if (version) facts['tasmota.version'] = version;
    ctx.sink.upsert(
      mqttSighting(`tasmota:${topic}`, {
        identity: {
          topic,
          ...(mac ? { mac } : {}),
          ...(hostname ? { hostname: hostname.toLowerCase() } : {}),
        },
        name: deviceText(str(config, 'dn') ?? topic),
        kind: relays > 0 || !config ? 'relay' : 'device',
        facts,
        addresses: ip && ip !== '0.0.0.0' ? [ip] : [],
        online: state.lwt === undefined ? null : state.lwt.toLowerCase() === 'online',
        raw: { lwt: state.lwt ?? null, config: config ?? null },
        seenAt: ctx.now(),
      }),
    );
  };

  return {
    filters: ['tele/+/LWT', 'tasmota/discovery/+/config'],
    handle(topic: string, text: string): boolean {
      const parts = topic.split('/');
      if (parts.length === 3 && parts[0] === 'tele' && parts[2] === 'LWT') {
        const deviceTopic = parts[1];
        const state = states.get(deviceTopic) ?? {};
        if (text === '') {
          state.lwt = undefined;
          if (!state.config) {
            states.delete(deviceTopic);
            ctx.sink.remove('mqtt', `tasmota:${deviceTopic}`);
            return true;
          }
        } else state.lwt = deviceText(text, 40);
        states.set(deviceTopic, state);
        report(deviceTopic, state);
        return true;
      }
      if (parts.length === 4 && parts[0] === 'tasmota' && parts[1] === 'discovery' && parts[3] === 'config') {
        if (text === '') {
          const deviceTopic = topicByConfig.get(topic);
          const state = deviceTopic ? states.get(deviceTopic) : undefined;
          if (deviceTopic && state) {
            state.config = undefined;
            if (state.lwt === undefined) {
              states.delete(deviceTopic);
              ctx.sink.remove('mqtt', `tasmota:${deviceTopic}`);
            } else report(deviceTopic, state);
          }
          return true;
        }
        const config = parseJsonObject(ctx, topic, text);
        if (!config) return true;
        const deviceTopic = str(config, 't');
        if (!deviceTopic || /[+#/]/.test(deviceTopic)) {
          ctx.problem(topic, 'Tasmota discovery config has no usable "t" (device topic); skipped');
          return true;
        }
        topicByConfig.set(topic, deviceTopic);
        const state = states.get(deviceTopic) ?? {};
        state.config = config;
        states.set(deviceTopic, state);
        report(deviceTopic, state);
        return true;
      }
      return false;
    },
  };
};
