import mqtt, { type MqttClient } from 'mqtt';
import { colonMac, createTimers } from './clock';

/** How a virtual Tasmota relay looks and behaves. */
export interface VirtualTasmotaRelayOptions {
  readonly brokerUrl: string;
  /** Device topic (default `demo_relay`). */
  readonly topic?: string;
  /** 12 hex digits. */
  readonly mac?: string;
  readonly deviceName?: string;
  readonly ip?: string;
  /** Seconds between `tele/<topic>/STATE` messages (Tasmota's TelePeriod; default 300). */
  readonly telePeriod?: number;
  /** How many relays it drives (POWER1…POWERn; default 1, at most 8). */
  readonly relays?: number;
  /** Tasmota `FullTopic` (default `%prefix%/%topic%/`). */
  readonly fullTopic?: string;
  /** Sensor readings for SENSOR and the discovery `sensors` message, e.g. `{ AM2301: { Temperature: 21.5 } }`. */
  readonly sensors?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** A running virtual Tasmota relay. */
export interface VirtualTasmotaRelay {
  readonly topic: string;
  /** Relay 1's state. */
  readonly power: boolean;
  /** Every relay's state, relay 1 first. */
  readonly powers: readonly boolean[];
  stop(): Promise<void>;
}

const VERSION = '14.1.0(tasmota)';

/**
 * A Tasmota relay on MQTT as the firmware behaves: retained LWT `Online` with an `Offline` will,
 * native discovery `tasmota/discovery/<MAC>/config` and `…/sensors` (retained, in the order and
 * fields xdrv_12_discovery.ino writes them), INFO1–3 and STATE after connect and every
 * TelePeriod (SENSOR too when it has sensors), and `POWER<n>` commands (ON/OFF/TOGGLE/1/0/2,
 * empty = query) answered with RESULT and POWER<n> — a lone relay reports plain `POWER`. Every
 * topic follows its FullTopic; the group topic `tasmotas` works too.
 */
export const startVirtualTasmotaRelay = async (
  options: VirtualTasmotaRelayOptions,
): Promise<VirtualTasmotaRelay> => {
  const topic = options.topic ?? 'demo_relay';
  const mac = (options.mac ?? 'a4cf12b3c4d5').toLowerCase();
  const name = options.deviceName ?? 'Demo relay';
  const ip = options.ip ?? '127.0.0.1';
  const timers = createTimers();
  const started = Date.now();
  const count = Math.max(1, Math.min(8, options.relays ?? 1));
  const powers = Array.from({ length: count }, () => false);
  const fullTopic = options.fullTopic ?? '%prefix%/%topic%/';
  const hostname = `${topic.replace(/_/g, '-')}-${mac.slice(8).toUpperCase()}`;
  const at = (prefix: 'cmnd' | 'stat' | 'tele', name: string) => {
    const base = fullTopic
      .replaceAll('%prefix%', prefix)
      .replaceAll('%topic%', topic)
      .replaceAll('%hostname%', hostname)
      .replaceAll('%id%', mac.slice(6).toUpperCase());
    return `${base.endsWith('/') ? base : base + '/'}${name}`;
  };
  // A lone relay reports plain POWER; several report POWER1…POWERn.
  const key = (n: number) => (count === 1 ? 'POWER' : `POWER${n}`);
  const client: MqttClient = await mqtt.connectAsync(options.brokerUrl, {
    clientId: `DVES_${mac.slice(6).toUpperCase()}`,
    protocolVersion: 4,
    will: { topic: at('tele', 'LWT'), payload: Buffer.from('Offline'), retain: true, qos: 1 },
    reconnectPeriod: 2000,
  });
  const publish = (t: string, payload: string, retain = false) =>
    client.publish(t, payload, { retain, qos: 0 });
  const state = () => {
    const uptime = Math.floor((Date.now() - started) / 1000);
    publish(
      at('tele', 'STATE'),
      JSON.stringify({
        Time: new Date().toISOString().slice(0, 19),
        Uptime: `0T${new Date(uptime * 1000).toISOString().slice(11, 19)}`,
        UptimeSec: uptime,
        Heap: 28,
        SleepMode: 'Dynamic',
        Sleep: 50,
        LoadAvg: 19,
        MqttCount: 1,
        ...Object.fromEntries(powers.map((p, i) => [key(i + 1), p ? 'ON' : 'OFF'])),
        Wifi: {
          AP: 1,
          SSId: 'DemoNet',
          BSSId: 'AA:BB:CC:DD:EE:FF',
          Channel: 1,
          Mode: '11n',
          RSSI: 86,
          Signal: -57,
          LinkCount: 1,
          Downtime: '0T00:00:03',
        },
      }),
    );
  };
  const sensorPayload = () => ({
    Time: new Date().toISOString().slice(0, 19),
    ...options.sensors,
    ...(options.sensors ? { TempUnit: 'C' } : {}),
  });
  const setPower = (n: number, value: string): void => {
    const v = value.trim().toUpperCase();
    const i = n - 1;
    if (v === 'ON' || v === '1') powers[i] = true;
    else if (v === 'OFF' || v === '0') powers[i] = false;
    else if (v === 'TOGGLE' || v === '2') powers[i] = !powers[i];
    else if (v !== '' && v !== '?') {
      publish(at('stat', 'RESULT'), JSON.stringify({ Command: 'Error' }));
      return;
    }
    const word = powers[i] ? 'ON' : 'OFF';
    publish(at('stat', 'RESULT'), JSON.stringify({ [key(n)]: word }));
    publish(at('stat', key(n)), word);
  };
  const commandBase = [at('cmnd', ''), 'cmnd/tasmotas/', `cmnd/DVES_${mac.slice(6).toUpperCase()}_fb/`];
  client.on('message', (t, payload) => {
    const base = commandBase.find((b) => t.startsWith(b));
    const command = (base ? t.slice(base.length) : '').toUpperCase();
    const text = payload.toString();
    const relay = /^POWER([1-8]?)$/.exec(command);
    if (relay) {
      // POWER alone is relay 1; a relay the device does not have is an unknown command.
      const n = relay[1] ? Number(relay[1]) : 1;
      if (n <= count) setPower(n, text);
      else publish(at('stat', 'RESULT'), JSON.stringify({ Command: 'Unknown' }));
    } else if (command === 'STATE') state();
    else if (command === 'STATUS') {
      publish(
        at('stat', 'STATUS'),
        JSON.stringify({
          Status: {
            Module: 1,
            DeviceName: name,
            FriendlyName: [name],
            Topic: topic,
            Power: powers[0] ? 1 : 0,
          },
        }),
      );
    } else publish(at('stat', 'RESULT'), JSON.stringify({ Command: 'Unknown' }));
  });
  await client.subscribeAsync(commandBase.map((b) => `${b}#`));
  publish(at('tele', 'LWT'), 'Online', true);
  publish(
    `tasmota/discovery/${mac.toUpperCase()}/config`,
    JSON.stringify({
      ip,
      dn: name,
      fn: Array.from({ length: 8 }, (_, i) => (i === 0 ? name : i < count ? `${name} ${i + 1}` : null)),
      hn: hostname,
      mac: mac.toUpperCase(),
      md: 'Sonoff Basic',
      ty: 0,
      if: 0,
      ofln: 'Offline',
      onln: 'Online',
      state: ['OFF', 'ON', 'TOGGLE', 'HOLD'],
      sw: '14.1.0',
      t: topic,
      ft: fullTopic,
      tp: ['cmnd', 'stat', 'tele'],
      rl: Array.from({ length: 8 }, (_, i) => (i < count ? 1 : 0)),
      swc: [-1, -1, -1, -1, -1, -1, -1, -1],
      swn: [null, null, null, null, null, null, null, null],
      btn: [0, 0, 0, 0, 0, 0, 0, 0],
      so: {
        '4': 0,
        '11': 0,
        '13': 0,
        '17': 0,
        '20': 0,
        '30': 0,
        '68': 0,
        '73': 0,
        '82': 0,
        '114': 0,
        '117': 0,
      },
      lk: 0,
      lt_st: 0,
      bat: 0,
      dslp: 0,
      sho: [],
      sht: [],
      ver: 1,
    }),
    true,
  );
  publish(
    `tasmota/discovery/${mac.toUpperCase()}/sensors`,
    JSON.stringify({ sn: sensorPayload(), ver: 1 }),
    true,
  );
  publish(
    at('tele', 'INFO1'),
    JSON.stringify({
      Info1: {
        Module: 'Sonoff Basic',
        Version: VERSION,
        FallbackTopic: `cmnd/DVES_${mac.slice(6).toUpperCase()}_fb/`,
        GroupTopic: 'cmnd/tasmotas/',
      },
    }),
  );
  publish(
    at('tele', 'INFO2'),
    JSON.stringify({ Info2: { WebServerMode: 'Admin', Hostname: topic, IPAddress: ip, MAC: colonMac(mac) } }),
  );
  publish(at('tele', 'INFO3'), JSON.stringify({ Info3: { RestartReason: 'Power On', BootCount: 3 } }));
  const tele = () => {
    state();
    if (options.sensors) publish(at('tele', 'SENSOR'), JSON.stringify(sensorPayload()));
  };
  tele();
  timers.every((options.telePeriod ?? 300) * 1000, tele);
  return {
    topic,
    get power() {
      return powers[0]!;
    },
    get powers() {
      return [...powers];
    },
    async stop() {
      timers.clear();
      // A clean stop still leaves the relay offline for the site, as a power cut would.
      await client.publishAsync(at('tele', 'LWT'), 'Offline', { retain: true, qos: 1 }).catch(() => {});
      await client.endAsync(true);
    },
  };
};
