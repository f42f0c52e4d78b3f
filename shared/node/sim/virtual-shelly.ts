import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Bonjour } from 'bonjour-service';
import mqtt, { type MqttClient } from 'mqtt';
import { createTimers } from './clock';
import {
  callShelly,
  deviceInfo,
  newShellyState,
  PLUS_1PM,
  ShellyRpcError,
  switchStatus,
  type ShellyKind,
  type ShellyState,
} from './shelly-rpc';

/** How a virtual Shelly Gen2 is set up. */
export interface VirtualShellyOptions {
  /** What it is (app, model, number of switches); a Plus 1PM by default. */
  readonly kind?: ShellyKind;
  /** Device id (default `shellyplus1pm-demo01`), also the default MQTT prefix and mDNS instance. */
  readonly id?: string;
  /** 12 hex digits. */
  readonly mac?: string;
  /** HTTP listen address and port (default 127.0.0.1, any free port). */
  readonly host?: string;
  readonly port?: number;
  /** Require SHA-256 digest auth (user `admin`, realm = device id) with this password. */
  readonly password?: string;
  /** Start already commissioned to this broker (the demo); otherwise MQTT is off until MQTT.SetConfig + Shelly.Reboot. */
  readonly brokerUrl?: string;
  /** Overrides the broker host:port a commissioning run sets (tests reach the broker on loopback). */
  readonly brokerUrlOverride?: string;
  /** Announce `_shelly._tcp` and `_http._tcp` on this IPv4 interface; no mDNS without it. */
  readonly mdnsInterface?: string;
  /** Milliseconds between metering notifications while on (default 5000). */
  readonly meterMs?: number;
}

/** A running virtual Shelly. */
export interface VirtualShelly {
  readonly id: string;
  /** `http://host:port` of its RPC server. */
  readonly url: string;
  /** The live device state (passwords included: this is the device). */
  readonly state: ShellyState;
  readonly reboots: number;
  readonly mqttConnected: boolean;
  stop(): Promise<void>;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const parseDigest = (header: string): Record<string, string> => {
  const fields: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    fields[m[1].toLowerCase()] = m[2] ?? m[3] ?? '';
  }
  return fields;
};

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) {
        req.destroy();
        reject(new Error('body too large'));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/** GET query values: numbers and true/false as JSON, quoted strings unquoted, the rest as strings. */
const queryParams = (url: URL): Record<string, unknown> => {
  const params: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) {
    try {
      params[key] = JSON.parse(value);
    } catch {
      params[key] = value;
    }
  }
  return params;
};

/**
 * A Shelly Gen2 (a Plus 1PM unless `kind` says otherwise, e.g. a two-switch Plus 2PM) as docs/device-protocols.md describes it: HTTP RPC (`GET /shelly`,
 * `GET|POST /rpc/<Method>`, `POST /rpc` frames) with optional SHA-256 digest auth, MQTT RPC on
 * `<prefix>/rpc` answered on `<src>/rpc`, `<prefix>/online` with a `false` will, NotifyStatus
 * on `<prefix>/events/rpc`, `<prefix>/command/switch:0`, metering while on, and mDNS when an
 * interface is given. MQTT.SetConfig takes effect after Shelly.Reboot, as on the device.
 */
export const startVirtualShelly = async (options: VirtualShellyOptions = {}): Promise<VirtualShelly> => {
  const id = options.id ?? 'shellyplus1pm-demo01';
  const state = newShellyState(id, (options.mac ?? 'a8032ab1c2d3').toLowerCase(), options.kind ?? PLUS_1PM);
  state.authPassword = options.password ?? null;
  const timers = createTimers();
  const nonces = new Set<string>();
  let client: MqttClient | null = null;
  let reboots = 0;
  let stopped = false;
  if (options.brokerUrl) {
    state.mqtt.enable = true;
    state.mqtt.server = new URL(options.brokerUrl).host;
  }

  const notify = (switchId = 0): void => {
    if (!client?.connected) return;
    const prefix = state.mqtt.topic_prefix;
    const status = switchStatus(state, switchId);
    if (state.mqtt.rpc_ntf) {
      client.publish(
        `${prefix}/events/rpc`,
        JSON.stringify({
          src: id,
          dst: `${prefix}/events`,
          method: 'NotifyStatus',
          params: { ts: Date.now() / 1000, [`switch:${switchId}`]: status },
        }),
      );
    }
    if (state.mqtt.status_ntf)
      client.publish(`${prefix}/status/switch:${switchId}`, JSON.stringify(status), { retain: false });
  };

  const call = (method: string, params: Record<string, unknown>): unknown => {
    const { result, effect } = callShelly(state, method, params);
    if (typeof effect.switchChanged === 'number') {
      state.apower = state.output ? 42 : 0;
      notify(effect.switchChanged);
    }
    if (effect.reboot) timers.after(300, () => void reboot());
    return result;
  };

  const connectMqtt = async (): Promise<void> => {
    const old = client;
    client = null;
    await old?.endAsync(true);
    if (!state.mqtt.enable || !state.mqtt.server || stopped) return;
    const url = options.brokerUrlOverride ?? options.brokerUrl ?? `mqtt://${state.mqtt.server}`;
    const prefix = state.mqtt.topic_prefix;
    const next = mqtt.connect(url, {
      clientId: state.mqtt.client_id,
      protocolVersion: 4,
      ...(state.mqtt.user ? { username: state.mqtt.user } : {}),
      ...(state.mqtt.pass ? { password: state.mqtt.pass } : {}),
      will: { topic: `${prefix}/online`, payload: Buffer.from('false'), retain: true, qos: 1 },
      reconnectPeriod: 2000,
    });
    client = next;
    next.on('connect', () => {
      next.publish(`${prefix}/online`, 'true', { retain: true, qos: 1 });
      next.subscribe([`${prefix}/rpc`, `${prefix}/command/#`, `${prefix}/command`]);
    });
    next.on('error', () => {});
    next.on('message', (topic, payload) => {
      const text = payload.toString();
      if (topic === `${prefix}/rpc`) {
        let frame: { id?: unknown; src?: unknown; method?: unknown; params?: unknown };
        try {
          frame = JSON.parse(text) as typeof frame;
        } catch {
          return;
        }
        // A frame without `src` has nowhere to be answered: the firmware drops it.
        if (typeof frame.src !== 'string' || typeof frame.method !== 'string') return;
        const reply: Record<string, unknown> = { id: frame.id ?? null, src: id, dst: frame.src };
        try {
          reply.result = call(frame.method, (frame.params as Record<string, unknown>) ?? {});
        } catch (error) {
          const e = error instanceof ShellyRpcError ? error : new ShellyRpcError(-105, String(error));
          reply.error = { code: e.code, message: e.message };
        }
        next.publish(`${frame.src}/rpc`, JSON.stringify(reply), { qos: 1 });
      } else if (topic.startsWith(`${prefix}/command/switch:`) && state.mqtt.enable_control) {
        const switchId = Number(topic.slice(`${prefix}/command/switch:`.length));
        try {
          if (text === 'on' || text === 'off') call('Switch.Set', { id: switchId, on: text === 'on' });
          else if (text === 'toggle') call('Switch.Toggle', { id: switchId });
        } catch {
          // A switch the device does not have: the firmware ignores the command.
        }
      } else if (topic === `${prefix}/command` && text === 'status_update') {
        // Gen2+ firmware has no Gen1-style announce (shellies/announce); it reports status on request.
        state.outputs.forEach((_, i) => notify(i));
      }
    });
  };

  const reboot = async (): Promise<void> => {
    reboots++;
    state.restartRequired = false;
    await connectMqtt();
  };

  const authorised = (req: IncomingMessage): boolean => {
    if (state.authPassword === null) return true;
    const header = req.headers.authorization;
    if (!header?.startsWith('Digest ')) return false;
    const f = parseDigest(header);
    if (f.username !== 'admin' || f.realm !== id || !nonces.has(f.nonce ?? '')) return false;
    const ha1 = sha256(`admin:${id}:${state.authPassword}`);
    const ha2 = sha256(`${req.method}:${f.uri}`);
    return f.response === sha256(`${ha1}:${f.nonce}:${f.nc}:${f.cnonce}:${f.qop ?? 'auth'}:${ha2}`);
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://device');
      if (req.method === 'GET' && url.pathname === '/shelly') return send(res, 200, deviceInfo(state));
      if (!url.pathname.startsWith('/rpc')) return send(res, 404, { code: 404, message: 'Not found' });
      if (!authorised(req)) {
        const nonce = randomBytes(8).toString('hex');
        nonces.add(nonce);
        return send(
          res,
          401,
          { code: 401, message: 'Unauthorized' },
          {
            'www-authenticate': `Digest qop="auth", realm="${id}", nonce="${nonce}", algorithm=SHA-256`,
          },
        );
      }
      let body: string;
      try {
        body = req.method === 'POST' ? await readBody(req) : '';
      } catch {
        return send(res, 413, { code: -103, message: 'Request too large' });
      }
      let params: Record<string, unknown>;
      let method = decodeURIComponent(url.pathname.slice('/rpc/'.length));
      let frameId: unknown = undefined;
      try {
        if (url.pathname === '/rpc') {
          const frame = JSON.parse(body) as { id?: unknown; method?: unknown; params?: unknown };
          if (typeof frame.method !== 'string') throw new ShellyRpcError(-103, 'Missing method');
          method = frame.method;
          frameId = frame.id;
          params = (frame.params as Record<string, unknown>) ?? {};
        } else
          params =
            req.method === 'POST' && body.trim()
              ? (JSON.parse(body) as Record<string, unknown>)
              : queryParams(url);
        const result = call(method, params);
        return url.pathname === '/rpc'
          ? send(res, 200, { id: frameId ?? null, src: id, result })
          : send(res, 200, result);
      } catch (error) {
        const e = error instanceof ShellyRpcError ? error : new ShellyRpcError(-103, 'Invalid JSON');
        const status = e.code === -114 ? 404 : 400;
        return url.pathname === '/rpc'
          ? send(res, 200, { id: frameId ?? null, src: id, error: { code: e.code, message: e.message } })
          : send(res, status, { code: e.code, message: e.message });
      }
    })();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  let bonjour: Bonjour | null = null;
  if (options.mdnsInterface) {
    bonjour = new Bonjour({ interface: options.mdnsInterface, bind: '0.0.0.0' } as never);
    const txt = { gen: '2', app: state.app, ver: '1.4.2' };
    bonjour.publish({ name: id, type: 'shelly', port, txt, host: `${id}.local` });
    bonjour.publish({ name: id, type: 'http', port, txt: { gen: '2' }, host: `${id}.local` });
  }
  timers.every(options.meterMs ?? 5000, () => {
    if (!state.output) return;
    state.apower = Math.round((38 + Math.random() * 8) * 10) / 10;
    state.energyTotal += (state.apower * (options.meterMs ?? 5000)) / 3_600_000;
    notify();
  });
  if (options.brokerUrl) await connectMqtt();

  return {
    id,
    url: `http://${host}:${port}`,
    state,
    get reboots() {
      return reboots;
    },
    get mqttConnected() {
      return client?.connected ?? false;
    },
    async stop() {
      stopped = true;
      timers.clear();
      if (bonjour)
        await new Promise<void>((resolve) => bonjour!.unpublishAll(() => bonjour!.destroy(() => resolve())));
      if (client?.connected)
        await client
          .publishAsync(`${state.mqtt.topic_prefix}/online`, 'false', { retain: true, qos: 1 })
          .catch(() => {});
      await client?.endAsync(true);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
};
