import { deviceText, normaliseMac } from '../../core/registry/text';
import { mqttSighting, obj, parseJsonObject, str, type MqttDiscoveryContext } from './mqtt-context';
import { GEN1_TOPICS, shellyGen1Entities } from './shelly-gen1-entities';
import { shellyGen2Entities } from './shelly-gen2-entities';

interface Gen2State {
  online: boolean | null;
  info?: Record<string, unknown>;
  config?: Record<string, unknown>;
  status?: Record<string, unknown>;
  asked: boolean;
}

interface Gen1State {
  online: boolean | null;
  announce?: Record<string, unknown>;
  /** Payloads by topic below `shellies/<id>/`. */
  seen: Map<string, string>;
}

/** Methods asked of a Gen2+ device, in order: who it is, then its components and their state. */
type Method = 'Shelly.GetDeviceInfo' | 'Shelly.GetConfig' | 'Shelly.GetStatus';
/** Bounds on memory: devices tracked, and Gen1 topics kept per device. */
const MAX_DEVICES = 10_000;
const MAX_GEN1_TOPICS = 200;

/**
 * Shelly. Gen2+ (`<prefix>/online` `true`/`false`, the prefix may hold slashes): once online it
 * is asked over MQTT RPC (`<prefix>/rpc`, answers on `<src>/rpc`) for `Shelly.GetDeviceInfo`,
 * then `Shelly.GetConfig` and `Shelly.GetStatus`, and becomes one entity per component. A prefix
 * of more than one level is reported only once the device answers as a Shelly, so another
 * device's `<a>/<b>/online` is never taken for one. Gen1 (`shellies/<id>/…`): identity from the
 * announce (`shellies/announce`, `shellies/<id>/announce`), availability from
 * `shellies/<id>/online`, and one entity per relay, light, roller, input and sensor it publishes.
 */
export const createShellyInterpreter = (ctx: MqttDiscoveryContext, rpcSource: string) => {
  const gen2 = new Map<string, Gen2State>();
  const gen1 = new Map<string, Gen1State>();
  let nextId = 1;
  const pending = new Map<number, { prefix: string; method: Method }>();

  const reportGen2 = (prefix: string, state: Gen2State): void => {
    const info = state.info;
    const mac = normaliseMac(str(info, 'mac'));
    const facts: Record<string, string> = {
      'mqtt.protocol': 'shelly',
      'mqtt.id': prefix,
      'shelly.prefix': prefix,
    };
    for (const [fact, key] of [
      ['shelly.app', 'app'],
      ['shelly.model', 'model'],
      ['shelly.gen', 'gen'],
      ['shelly.profile', 'profile'],
    ] as const) {
      const value = str(info, key);
      if (value) facts[fact] = value;
    }
    const entities =
      state.config || state.status ? shellyGen2Entities(prefix, state.config, state.status) : [];
    const bound = new Set(entities.filter((e) => e.status === 'bound').map((e) => e.component));
    const ip = str(obj(state.status, 'wifi'), 'sta_ip') ?? str(obj(state.status, 'eth'), 'ip');
    ctx.sink.upsert(
      mqttSighting(`shelly:${prefix}`, {
        identity: { topic: prefix, ...(mac ? { mac } : {}) },
        name: deviceText(
          str(info, 'name') ??
            str(obj(obj(state.config, 'sys'), 'device'), 'name') ??
            str(info, 'id') ??
            prefix,
        ),
        kind: bound.has('cover')
          ? 'cover'
          : bound.has('switch')
            ? 'relay'
            : bound.size > 0
              ? [...bound][0]!
              : 'device',
        facts,
        addresses: ip ? [ip] : [],
        online: state.online,
        raw: {
          online: state.online,
          deviceInfo: info ?? null,
          config: state.config ?? null,
          status: state.status ?? null,
        },
        entities,
        seenAt: ctx.now(),
      }),
    );
  };

  const reportGen1 = (id: string, state: Gen1State): void => {
    const announce = state.announce;
    const mac = normaliseMac(str(announce, 'mac'));
    const facts: Record<string, string> = { 'mqtt.protocol': 'shelly', 'mqtt.id': id, 'shelly.gen': '1' };
    const model = str(announce, 'model');
    if (model) facts['shelly.model'] = model;
    const mode = str(announce, 'mode');
    if (mode) facts['shelly.profile'] = mode;
    const entities = shellyGen1Entities(id, state.seen);
    const ip = str(announce, 'ip');
    const bound = new Set(entities.filter((e) => e.status === 'bound').map((e) => e.component));
    ctx.sink.upsert(
      mqttSighting(`shelly1:${id}`, {
        identity: { topic: `shellies/${id}`, ...(mac ? { mac } : {}) },
        name: deviceText(id),
        kind: bound.has('roller')
          ? 'cover'
          : bound.has('relay')
            ? 'relay'
            : bound.size > 0
              ? [...bound][0]!
              : 'device',
        facts,
        addresses: ip ? [ip] : [],
        online: state.online,
        raw: { online: state.online, announce: announce ?? null, topics: Object.fromEntries(state.seen) },
        entities,
        seenAt: ctx.now(),
      }),
    );
  };

  const ask = (prefix: string, method: Method): void => {
    const id = nextId++;
    pending.set(id, { prefix, method });
    ctx.publish(`${prefix}/rpc`, JSON.stringify({ id, src: rpcSource, method }));
  };

  const gen1State = (id: string): Gen1State | undefined => {
    let state = gen1.get(id);
    if (!state) {
      if (gen1.size >= MAX_DEVICES) return undefined;
      state = { online: null, seen: new Map() };
      gen1.set(id, state);
    }
    return state;
  };

  const handleAnswer = (text: string): void => {
    const frame = parseJsonObject(ctx, `${rpcSource}/rpc`, text);
    if (!frame || typeof frame.id !== 'number') return;
    const request = pending.get(frame.id);
    pending.delete(frame.id);
    const state = request ? gen2.get(request.prefix) : undefined;
    const result = obj(frame, 'result');
    if (!request || !state || !result) return;
    if (request.method === 'Shelly.GetDeviceInfo') {
      state.info = result;
      ask(request.prefix, 'Shelly.GetConfig');
      ask(request.prefix, 'Shelly.GetStatus');
    } else if (request.method === 'Shelly.GetConfig') state.config = result;
    else state.status = result;
    reportGen2(request.prefix, state);
  };

  const handleOnline = (prefix: string, text: string): boolean => {
    if (text === '') {
      if (gen2.delete(prefix)) ctx.sink.remove('mqtt', `shelly:${prefix}`);
      return true;
    }
    // `<x>/online` is a common name: only true/false payloads are Shelly's availability.
    if (text !== 'true' && text !== 'false') return false;
    let state = gen2.get(prefix);
    if (!state) {
      if (gen2.size >= MAX_DEVICES) return true;
      state = { online: null, asked: false };
      gen2.set(prefix, state);
    }
    state.online = text === 'true';
    if (!prefix.includes('/') || state.info) reportGen2(prefix, state);
    if (state.online && !state.asked) {
      state.asked = true;
      ask(prefix, 'Shelly.GetDeviceInfo');
    }
    return true;
  };

  return {
    filters: [
      '+/online',
      '+/+/online',
      '+/+/+/online',
      'shellies/announce',
      'shellies/+/announce',
      ...GEN1_TOPICS.map((t) => `shellies/+/${t}`),
      `${rpcSource}/rpc`,
    ],
    handle(topic: string, text: string): boolean {
      if (topic === `${rpcSource}/rpc`) {
        handleAnswer(text);
        return true;
      }
      const parts = topic.split('/');
      if (parts[0] === 'shellies') {
        if (topic === 'shellies/announce' || (parts.length === 3 && parts[2] === 'announce')) {
          const announce = parseJsonObject(ctx, topic, text);
          const id = str(announce ?? undefined, 'id');
          if (!announce || !id || /[+#/]/.test(id)) return true;
          // Gen2+ devices running Shelly's announce script also answer RPC; their id is their prefix.
          if (typeof announce.gen === 'number' && announce.gen >= 2) return true;
          const state = gen1State(id);
          if (!state) return true;
          state.announce = announce;
          reportGen1(id, state);
          return true;
        }
        if (parts.length >= 3) {
          const id = parts[1]!;
          const rel = parts.slice(2).join('/');
          if (rel === 'online') {
            if (text === '') {
              if (gen1.delete(id)) ctx.sink.remove('mqtt', `shelly1:${id}`);
              return true;
            }
            if (text !== 'true' && text !== 'false') return true;
            const state = gen1State(id);
            if (!state) return true;
            state.online = text === 'true';
            reportGen1(id, state);
            return true;
          }
          const state = gen1State(id);
          if (!state) return true;
          if (text === '') state.seen.delete(rel);
          else if (state.seen.has(rel) || state.seen.size < MAX_GEN1_TOPICS)
            state.seen.set(rel, deviceText(text, 2000));
          reportGen1(id, state);
          return true;
        }
      }
      if (parts[parts.length - 1] === 'online' && parts.length >= 2 && parts.length <= 4) {
        return handleOnline(parts.slice(0, -1).join('/'), text);
      }
      return false;
    },
  };
};
