import { deviceText, normaliseMac } from '../../core/registry/text';
import { mqttSighting, obj, parseJsonObject, str, type MqttDiscoveryContext } from './mqtt-context';

interface ShellyState {
  online: boolean | null;
  info?: Record<string, unknown>;
  announce?: Record<string, unknown>;
  asked: boolean;
}

/**
 * Shelly: Gen2+ `<prefix>/online` (`true`/`false`), Gen1 `shellies/<id>/online` and
 * `shellies/announce`. For a Gen2 prefix it asks `Shelly.GetDeviceInfo` once over MQTT RPC
 * (`<prefix>/rpc`, answer on `<src>/rpc`) to learn the id, MAC, model and app.
 */
export const createShellyInterpreter = (ctx: MqttDiscoveryContext, rpcSource: string) => {
  const states = new Map<string, ShellyState>();
  let nextId = 1;
  const pending = new Map<number, string>();

  const report = (prefix: string, state: ShellyState): void => {
    const info = state.info ?? state.announce;
    const mac = normaliseMac(str(info, 'mac'));
    const facts: Record<string, string> = { 'mqtt.protocol': 'shelly', 'mqtt.id': prefix };
    const app = str(state.info, 'app');
    if (app) facts['shelly.app'] = app;
    const model = str(info, 'model');
    if (model) facts['shelly.model'] = model;
    const gen = str(info, 'gen');
    if (gen) facts['shelly.gen'] = gen;
    const ip = str(state.announce, 'ip');
    ctx.sink.upsert(
      mqttSighting(`shelly:${prefix}`, {
        identity: { topic: prefix, ...(mac ? { mac } : {}) },
        name: deviceText(str(state.info, 'name') ?? str(info, 'id') ?? prefix),
        kind: 'relay',
        facts,
        addresses: ip ? [ip] : [],
        online: state.online,
        raw: { online: state.online, deviceInfo: state.info ?? null, announce: state.announce ?? null },
        seenAt: ctx.now(),
      }),
    );
  };

  const ask = (prefix: string, state: ShellyState): void => {
    if (state.asked) return;
    state.asked = true;
    const id = nextId++;
    pending.set(id, prefix);
    ctx.publish(`${prefix}/rpc`, JSON.stringify({ id, src: rpcSource, method: 'Shelly.GetDeviceInfo' }));
  };

  return {
    filters: ['+/online', 'shellies/+/online', 'shellies/announce', `${rpcSource}/rpc`],
    handle(topic: string, text: string): boolean {
      if (topic === `${rpcSource}/rpc`) {
        const frame = parseJsonObject(ctx, topic, text);
        const prefix = typeof frame?.id === 'number' ? pending.get(frame.id) : undefined;
        const state = prefix ? states.get(prefix) : undefined;
        const result = obj(frame ?? undefined, 'result');
        if (frame && typeof frame.id === 'number') pending.delete(frame.id);
        if (prefix && state && result) {
          state.info = result;
          report(prefix, state);
        }
        return true;
      }
      const parts = topic.split('/');
      if (topic === 'shellies/announce') {
        const announce = parseJsonObject(ctx, topic, text);
        const id = str(announce ?? undefined, 'id');
        if (!announce || !id || /[+#/]/.test(id)) return true;
        const state = states.get(id) ?? { online: null, asked: true };
        state.announce = announce;
        states.set(id, state);
        report(id, state);
        return true;
      }
      const gen1 = parts.length === 3 && parts[0] === 'shellies' && parts[2] === 'online';
      if (!gen1 && !(parts.length === 2 && parts[1] === 'online')) return false;
      const prefix = gen1 ? parts[1] : parts[0];
      if (text === '') {
        states.delete(prefix);
        ctx.sink.remove('mqtt', `shelly:${prefix}`);
        return true;
      }
      // `<x>/online` is a common name: only true/false payloads are Shelly's availability.
      if (text !== 'true' && text !== 'false') return true;
      const state = states.get(prefix) ?? { online: null, asked: gen1 };
      state.online = text === 'true';
      states.set(prefix, state);
      report(prefix, state);
      if (state.online) ask(prefix, state);
      return true;
    },
  };
};
