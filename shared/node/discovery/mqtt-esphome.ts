import { deviceText, normaliseMac } from '../../core/registry/text';
import { mqttSighting, parseJsonObject, str, type MqttDiscoveryContext } from './mqtt-context';

/**
 * ESPHome over MQTT: the node's own announcement `esphome/discover/<node>` (retained JSON with
 * `name`, `friendly_name`, `ip`, `mac`, `version`, `platform`, `board`, `network`, optional
 * `port`, `project_name`/`project_version`, `api_encryption`). It identifies the node (MAC,
 * host name) and merges with its Home Assistant discovery configs, which carry its entities; the
 * node's status is read from `<node>/status` when its topic prefix is the default (its name).
 */
export const createEsphomeInterpreter = (ctx: MqttDiscoveryContext) => {
  const nodes = new Map<string, { config: Record<string, unknown>; status?: string }>();
  const statusTopics = new Map<string, string>();

  const report = (node: string): void => {
    const state = nodes.get(node);
    if (!state) return;
    const c = state.config;
    const mac = normaliseMac(str(c, 'mac'));
    const name = str(c, 'name') ?? node;
    const facts: Record<string, string> = { 'mqtt.protocol': 'esphome', 'esphome.name': name };
    for (const key of ['version', 'platform', 'board', 'network', 'project_name', 'project_version']) {
      const v = str(c, key);
      if (v) facts[`esphome.${key}`] = deviceText(v, 100);
    }
    const ip = str(c, 'ip');
    ctx.sink.upsert(
      mqttSighting(`esphome:${node}`, {
        identity: { ...(mac ? { mac } : {}), hostname: name.toLowerCase() },
        name: deviceText(str(c, 'friendly_name') ?? name),
        kind: 'device',
        facts,
        addresses: ip && ip !== '0.0.0.0' ? [ip] : [],
        online: state.status === 'online' ? true : state.status === 'offline' ? false : null,
        raw: { discover: c, status: state.status ?? null },
        seenAt: ctx.now(),
      }),
    );
  };

  return {
    filters: ['esphome/discover/+'],
    handle(topic: string, text: string): boolean {
      const node = statusTopics.get(topic);
      if (node !== undefined) {
        const state = nodes.get(node);
        if (state) {
          state.status = text;
          report(node);
        }
        // ESPHome's status is the default availability topic of its HA configs too: let it through.
        return false;
      }
      const parts = topic.split('/');
      if (parts.length !== 3 || parts[0] !== 'esphome' || parts[1] !== 'discover') return false;
      const id = parts[2]!;
      if (text === '') {
        nodes.delete(id);
        ctx.sink.remove('mqtt', `esphome:${id}`);
        return true;
      }
      const config = parseJsonObject(ctx, topic, text);
      if (!config) return true;
      const state = nodes.get(id) ?? { config };
      state.config = config;
      nodes.set(id, state);
      const status = `${str(config, 'name') ?? id}/status`;
      if (!statusTopics.has(status)) {
        statusTopics.set(status, id);
        ctx.subscribe(status);
      }
      report(id);
      return true;
    },
  };
};
