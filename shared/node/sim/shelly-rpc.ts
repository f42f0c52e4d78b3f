/** A Shelly RPC error: code and message as the device sends them. */
export class ShellyRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Params = Record<string, unknown>;

/** The device state a virtual Shelly keeps (passwords included: this is the device). */
export interface ShellyState {
  readonly id: string;
  readonly mac: string;
  /** Shelly.GetDeviceInfo `app` and `model` (a Plus 1PM unless told otherwise). */
  readonly app: string;
  readonly model: string;
  name: string | null;
  /** Switch 0's output (the same as `outputs[0]`). */
  output: boolean;
  /** One output per switch component (`switch:0`, `switch:1`…). */
  readonly outputs: boolean[];
  apower: number;
  energyTotal: number;
  authPassword: string | null;
  wifi: { sta: { ssid: string | null; pass: string | null; enable: boolean }; ap: { enable: boolean } };
  mqtt: {
    enable: boolean;
    server: string | null;
    client_id: string;
    user: string | null;
    pass: string | null;
    topic_prefix: string;
    rpc_ntf: boolean;
    status_ntf: boolean;
    enable_control: boolean;
  };
  restartRequired: boolean;
  switchName: string | null;
  initialState: string;
}

/** What kind of Shelly a virtual one is: its app and model names and how many switches it has. */
export interface ShellyKind {
  readonly app: string;
  readonly model: string;
  readonly switches: number;
}

/** A Plus 1PM: one metered switch and one input. */
export const PLUS_1PM: ShellyKind = { app: 'Plus1PM', model: 'SNSW-001P16EU', switches: 1 };

/** A fresh device with factory settings. */
export const newShellyState = (id: string, mac: string, kind: ShellyKind = PLUS_1PM): ShellyState => {
  const outputs = Array.from({ length: Math.max(1, Math.min(4, kind.switches)) }, () => false);
  const state = {
    id,
    mac,
    app: kind.app,
    model: kind.model,
    name: null,
    outputs,
    apower: 0,
    energyTotal: 0,
    authPassword: null,
    wifi: { sta: { ssid: null, pass: null, enable: false }, ap: { enable: true } },
    mqtt: {
      enable: false,
      server: null,
      client_id: id,
      user: null,
      pass: null,
      topic_prefix: id,
      rpc_ntf: true,
      status_ntf: false,
      enable_control: true,
    },
    restartRequired: false,
    switchName: null,
    initialState: 'match_params',
  };
  // `output` stays the first switch's, so callers that know one switch keep working.
  Object.defineProperty(state, 'output', {
    get: () => outputs[0],
    set: (v: boolean) => (outputs[0] = v),
    enumerable: true,
  });
  return state as ShellyState;
};

/** Shelly.GetDeviceInfo as the device answers it. */
export const deviceInfo = (s: ShellyState) => ({
  name: s.name,
  id: s.id,
  mac: s.mac.toUpperCase(),
  slot: 0,
  model: s.model,
  gen: 2,
  fw_id: '20241011-114455/1.4.2-gc2639da',
  ver: '1.4.2',
  app: s.app,
  auth_en: s.authPassword !== null,
  auth_domain: s.authPassword !== null ? s.id : null,
});

/** Switch.GetStatus for one switch, with metering (the metered load hangs on switch 0). */
export const switchStatus = (s: ShellyState, id = 0) => ({
  id,
  source: 'init',
  output: s.outputs[id] ?? false,
  apower: id === 0 ? s.apower : 0,
  voltage: 230.1,
  current: Math.round((s.apower / 230.1) * 1000) / 1000,
  aenergy: {
    total: Math.round(s.energyTotal * 1000) / 1000,
    by_minute: [0, 0, 0],
    minute_ts: Math.floor(Date.now() / 1000),
  },
  temperature: { tC: 41.2, tF: 106.2 },
});

const publicMqtt = (s: ShellyState) => {
  const { pass: _pass, ...rest } = s.mqtt;
  return rest;
};

/** The switch a call names (`id`, default 0); -105 for one the device does not have, as the firmware answers. */
const switchId = (s: ShellyState, p: Params): number => {
  const id = p.id === undefined ? 0 : Number(p.id);
  if (!Number.isInteger(id) || id < 0 || id >= s.outputs.length)
    throw new ShellyRpcError(-105, 'Argument id, value ' + String(p.id) + ' not found!');
  return id;
};

const switchConfig = (s: ShellyState, id: number) => ({
  id,
  name: id === 0 ? s.switchName : null,
  in_mode: 'follow',
  initial_state: id === 0 ? s.initialState : 'match_input',
  auto_on: false,
  auto_on_delay: 60,
  auto_off: false,
  auto_off_delay: 60,
  // A metered switch's protections, at the firmware's defaults for a 16 A relay.
  autorecover_voltage_errors: false,
  power_limit: 4480,
  voltage_limit: 280,
  current_limit: 16,
});

/** The `switch:<n>` and `input:<n>` entries of GetStatus/GetConfig, one pair per switch. */
const components = (s: ShellyState, sw: (id: number) => unknown, input: (id: number) => unknown): Params => {
  const out: Params = {};
  s.outputs.forEach((_, i) => {
    out[`input:${i}`] = input(i);
    out[`switch:${i}`] = sw(i);
  });
  return out;
};

const bool = (v: unknown, what: string): boolean => {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ShellyRpcError(-103, `Invalid argument '${what}'!`);
};

const config = (p: Params): Params => {
  const c = p.config;
  if (!c || typeof c !== 'object' || Array.isArray(c))
    throw new ShellyRpcError(-103, "Missing required argument 'config'!");
  return c as Params;
};

/** What a call changed, so the caller can notify or reboot. */
export interface RpcEffect {
  /** The id of the switch whose output changed. */
  readonly switchChanged?: number | false;
  readonly reboot?: boolean;
}

/**
 * Runs one Gen2 JSON-RPC method against the state and returns its result. Unknown
 * methods fail with -114 ("not found"), bad arguments with -103, as the firmware does.
 */
export const callShelly = (
  s: ShellyState,
  method: string,
  p: Params,
): { result: unknown; effect: RpcEffect } => {
  const none: RpcEffect = { switchChanged: false };
  switch (method) {
    case 'Shelly.GetDeviceInfo':
      return { result: deviceInfo(s), effect: none };
    case 'Shelly.GetStatus':
      return {
        result: {
          ...components(
            s,
            (i) => switchStatus(s, i),
            (i) => ({ id: i, state: false }),
          ),
          sys: {
            mac: s.mac.toUpperCase(),
            restart_required: s.restartRequired,
            uptime: Math.floor(process.uptime()),
          },
          wifi: {
            sta_ip: s.wifi.sta.ssid ? '127.0.0.1' : null,
            status: s.wifi.sta.ssid ? 'got ip' : 'disconnected',
            ssid: s.wifi.sta.ssid,
          },
          mqtt: { connected: s.mqtt.enable && s.mqtt.server !== null },
          // Every Gen2+ device reports these services too (off here: no cloud, no outbound WebSocket).
          ble: {},
          cloud: { connected: false },
          ws: { connected: false },
        },
        effect: none,
      };
    case 'Shelly.GetConfig':
      return {
        result: {
          sys: {
            device: { name: s.name, mac: s.mac.toUpperCase(), fw_id: '20241011-114455/1.4.2-gc2639da' },
          },
          ...components(
            s,
            (i) => switchConfig(s, i),
            (i) => ({ id: i, name: null, type: 'switch', enable: true, invert: false, factory_reset: true }),
          ),
          wifi: {
            sta: { ssid: s.wifi.sta.ssid, enable: s.wifi.sta.enable, is_open: s.wifi.sta.pass === null },
            ap: s.wifi.ap,
          },
          mqtt: publicMqtt(s),
          ble: { enable: true, rpc: { enable: true }, observer: { enable: false } },
          cloud: { enable: false, server: 'iot.shelly.cloud:6012/jrpc' },
          ws: { enable: false, server: null, ssl_ca: 'ca.pem' },
        },
        effect: none,
      };
    case 'Shelly.ListMethods':
      return { result: { methods: [...methods] }, effect: none };
    case 'Shelly.Reboot':
      return { result: null, effect: { reboot: true } };
    case 'Switch.GetStatus':
      return { result: switchStatus(s, switchId(s, p)), effect: none };
    case 'Switch.GetConfig':
      return { result: switchConfig(s, switchId(s, p)), effect: none };
    case 'Switch.Set': {
      const id = switchId(s, p);
      const wasOn = s.outputs[id]!;
      s.outputs[id] = bool(p.on, 'on');
      return { result: { was_on: wasOn }, effect: { switchChanged: wasOn !== s.outputs[id] ? id : false } };
    }
    case 'Switch.Toggle': {
      const id = switchId(s, p);
      const wasOn = s.outputs[id]!;
      s.outputs[id] = !wasOn;
      return { result: { was_on: wasOn }, effect: { switchChanged: id } };
    }
    case 'Switch.SetConfig': {
      switchId(s, p);
      const c = config(p);
      if (typeof c.name === 'string' || c.name === null) s.switchName = c.name as string | null;
      if (typeof c.initial_state === 'string') s.initialState = c.initial_state;
      return { result: { restart_required: false }, effect: none };
    }
    case 'Sys.SetConfig': {
      const device = config(p).device as Params | undefined;
      if (device && (typeof device.name === 'string' || device.name === null))
        s.name = device.name as string | null;
      return { result: { restart_required: false }, effect: none };
    }
    case 'Sys.GetConfig':
      return { result: { device: { name: s.name, mac: s.mac.toUpperCase() } }, effect: none };
    case 'MQTT.GetConfig':
      return { result: publicMqtt(s), effect: none };
    case 'MQTT.SetConfig': {
      const c = config(p);
      for (const key of ['server', 'client_id', 'user', 'pass', 'topic_prefix'] as const) {
        if (typeof c[key] === 'string' || c[key] === null) (s.mqtt as Record<string, unknown>)[key] = c[key];
      }
      for (const key of ['enable', 'rpc_ntf', 'status_ntf', 'enable_control'] as const) {
        if (c[key] !== undefined) s.mqtt[key] = bool(c[key], key);
      }
      if (typeof s.mqtt.topic_prefix === 'string' && /^\$|[#+%?]/.test(s.mqtt.topic_prefix)) {
        throw new ShellyRpcError(-103, 'Invalid argument topic_prefix!');
      }
      s.restartRequired = true;
      return { result: { restart_required: true }, effect: none };
    }
    case 'WiFi.GetConfig':
      return {
        result: { sta: { ssid: s.wifi.sta.ssid, enable: s.wifi.sta.enable }, ap: s.wifi.ap },
        effect: none,
      };
    case 'WiFi.SetConfig': {
      const c = config(p);
      const sta = c.sta as Params | undefined;
      if (sta) {
        if (typeof sta.ssid === 'string') s.wifi.sta.ssid = sta.ssid;
        if (typeof sta.pass === 'string') s.wifi.sta.pass = sta.pass;
        if (sta.enable !== undefined) s.wifi.sta.enable = bool(sta.enable, 'enable');
      }
      const ap = c.ap as Params | undefined;
      if (ap?.enable !== undefined) s.wifi.ap.enable = bool(ap.enable, 'enable');
      return { result: { restart_required: false }, effect: none };
    }
    case 'WiFi.GetStatus':
      return {
        result: {
          sta_ip: s.wifi.sta.ssid ? '127.0.0.1' : null,
          status: s.wifi.sta.ssid ? 'got ip' : 'disconnected',
          ssid: s.wifi.sta.ssid,
          rssi: -58,
        },
        effect: none,
      };
    case 'WiFi.Scan':
      return {
        result: {
          results: [{ ssid: 'DemoNet', bssid: 'aa:bb:cc:dd:ee:ff', auth: 3, channel: 6, rssi: -52 }],
        },
        effect: none,
      };
    default:
      throw new ShellyRpcError(-114, `Method ${method} failed: No handler for ${method}`);
  }
};

const methods = [
  'Shelly.GetDeviceInfo',
  'Shelly.GetStatus',
  'Shelly.GetConfig',
  'Shelly.ListMethods',
  'Shelly.Reboot',
  'Switch.GetStatus',
  'Switch.GetConfig',
  'Switch.Set',
  'Switch.Toggle',
  'Switch.SetConfig',
  'Sys.SetConfig',
  'Sys.GetConfig',
  'MQTT.GetConfig',
  'MQTT.SetConfig',
  'WiFi.GetConfig',
  'WiFi.SetConfig',
  'WiFi.GetStatus',
  'WiFi.Scan',
];
