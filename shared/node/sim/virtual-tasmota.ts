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
}

/** A running virtual Tasmota relay. */
export interface VirtualTasmotaRelay {
  readonly topic: string;
  readonly power: boolean;
  stop(): Promise<void>;
}

const VERSION = '14.1.0(tasmota)';

/**
 * A Tasmota relay on MQTT as PROTOCOLS.md §2.3 describes it: retained `tele/<t>/LWT Online`
 * with an `Offline` will, native discovery `tasmota/discovery/<MAC>/config`, INFO1–3 and STATE
 * after connect and every TelePeriod, and `cmnd/<t>/POWER` (ON/OFF/TOGGLE/1/0/2, empty = query)
 * answered with `stat/<t>/RESULT` and `stat/<t>/POWER`; the group topic `tasmotas` works too.
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
  let power = false;
  const client: MqttClient = await mqtt.connectAsync(options.brokerUrl, {
    clientId: `DVES_${mac.slice(6).toUpperCase()}`,
    protocolVersion: 4,
    will: { topic: `tele/${topic}/LWT`, payload: Buffer.from('Offline'), retain: true, qos: 1 },
    reconnectPeriod: 2000,
  });
  const publish = (t: string, payload: string, retain = false) =>
    client.publish(t, payload, { retain, qos: 0 });
  const state = () => {
    const uptime = Math.floor((Date.now() - started) / 1000);
    publish(
      `tele/${topic}/STATE`,
      JSON.stringify({
        Time: new Date().toISOString().slice(0, 19),
        Uptime: `0T${new Date(uptime * 1000).toISOString().slice(11, 19)}`,
        UptimeSec: uptime,
        Heap: 28,
        SleepMode: 'Dynamic',
        Sleep: 50,
        LoadAvg: 19,
        MqttCount: 1,
        POWER: power ? 'ON' : 'OFF',
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
  const setPower = (value: string): void => {
    const v = value.trim().toUpperCase();
    if (v === 'ON' || v === '1') power = true;
    else if (v === 'OFF' || v === '0') power = false;
    else if (v === 'TOGGLE' || v === '2') power = !power;
    else if (v !== '' && v !== '?') {
      publish(`stat/${topic}/RESULT`, JSON.stringify({ Command: 'Error' }));
      return;
    }
    publish(`stat/${topic}/RESULT`, JSON.stringify({ POWER: power ? 'ON' : 'OFF' }));
    publish(`stat/${topic}/POWER`, power ? 'ON' : 'OFF');
  };
  client.on('message', (t, payload) => {
    const command = t.split('/')[2]?.toUpperCase();
    const text = payload.toString();
    if (command === 'POWER' || command === 'POWER1') setPower(text);
    else if (command === 'STATE') state();
    else if (command === 'STATUS') {
      publish(
        `stat/${topic}/STATUS`,
        JSON.stringify({
          Status: { Module: 1, DeviceName: name, FriendlyName: [name], Topic: topic, Power: power ? 1 : 0 },
        }),
      );
    } else publish(`stat/${topic}/RESULT`, JSON.stringify({ Command: 'Unknown' }));
  });
  await client.subscribeAsync([
    `cmnd/${topic}/#`,
    'cmnd/tasmotas/#',
    `cmnd/DVES_${mac.slice(6).toUpperCase()}_fb/#`,
  ]);
  publish(`tele/${topic}/LWT`, 'Online', true);
  publish(
    `tasmota/discovery/${mac.toUpperCase()}/config`,
    JSON.stringify({
      ip,
      dn: name,
      fn: [name, null, null, null, null, null, null, null],
      hn: `${topic.replace(/_/g, '-')}-${mac.slice(8).toUpperCase()}`,
      mac: mac.toUpperCase(),
      md: 'Sonoff Basic',
      ty: 0,
      if: 0,
      ofln: 'Offline',
      onln: 'Online',
      state: ['OFF', 'ON', 'TOGGLE', 'HOLD'],
      sw: '14.1.0',
      t: topic,
      ft: '%prefix%/%topic%/',
      tp: ['cmnd', 'stat', 'tele'],
      rl: [1, 0, 0, 0, 0, 0, 0, 0],
      swc: [-1, -1, -1, -1, -1, -1, -1, -1],
      btn: [0, 0, 0, 0],
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
      sho: [0, 0, 0, 0],
      ver: 1,
    }),
    true,
  );
  publish(
    `tele/${topic}/INFO1`,
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
    `tele/${topic}/INFO2`,
    JSON.stringify({ Info2: { WebServerMode: 'Admin', Hostname: topic, IPAddress: ip, MAC: colonMac(mac) } }),
  );
  publish(`tele/${topic}/INFO3`, JSON.stringify({ Info3: { RestartReason: 'Power On', BootCount: 3 } }));
  state();
  timers.every((options.telePeriod ?? 300) * 1000, state);
  return {
    topic,
    get power() {
      return power;
    },
    async stop() {
      timers.clear();
      // A clean stop still leaves the relay offline for the site, as a power cut would.
      await client.publishAsync(`tele/${topic}/LWT`, 'Offline', { retain: true, qos: 1 }).catch(() => {});
      await client.endAsync(true);
    },
  };
};
