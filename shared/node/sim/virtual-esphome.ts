import mqtt, { type MqttClient } from 'mqtt';
import { createTimers } from './clock';

/** The ESPHome release the virtual node announces itself as. */
const ESPHOME_VERSION = '2025.7.0';

/** How a virtual ESPHome sensor node looks and behaves. */
export interface VirtualEsphomeOptions {
  readonly brokerUrl: string;
  /** Node name, also the topic prefix (default `demo-sensor`). */
  readonly name?: string;
  readonly friendlyName?: string;
  /** 12 hex digits. */
  readonly mac?: string;
  /** Milliseconds between sensor reports (default 5000). */
  readonly reportMs?: number;
  /** Chance per report that the motion sensor fires (default 0.15). */
  readonly motionChance?: number;
  /** Random source, for repeatable tests. */
  readonly random?: () => number;
}

/** A running virtual ESPHome node. */
export interface VirtualEsphomeNode {
  readonly name: string;
  readonly temperature: number;
  stop(): Promise<void>;
}

/**
 * An ESPHome node in MQTT mode, announcing exactly as ESPHome 2025.7 does (its
 * `mqtt_component.cpp` / `mqtt_client.cpp`): retained `<prefix>/status` online with an
 * `offline` will; the retained node announce `esphome/discover/<node>`; per entity a retained
 * Home Assistant config at `homeassistant/<component>/<node>/<object id>/config` with
 * abbreviated keys, full state topics (no `~`), `uniq_id` `ESP<component><object id>`, `dev`
 * with the MAC as identifier and connection, `sw` `<version> (config hash 0x…)`, `mdl` the
 * board, `mf` Espressif, `sa` the area, and no origin block. States every few seconds (a slow
 * random walk) and a motion sensor that fires now and then and clears after 3 s.
 */
export const startVirtualEsphome = async (options: VirtualEsphomeOptions): Promise<VirtualEsphomeNode> => {
  const name = options.name ?? 'demo-sensor';
  const mac = (options.mac ?? 'b4e62d112233').toLowerCase();
  const random = options.random ?? Math.random;
  const timers = createTimers();
  let temperature = 21.5;
  let humidity = 45;
  const client: MqttClient = await mqtt.connectAsync(options.brokerUrl, {
    clientId: `${name}-${mac.slice(6)}`,
    protocolVersion: 4,
    will: { topic: `${name}/status`, payload: Buffer.from('offline'), retain: true, qos: 1 },
    reconnectPeriod: 2000,
  });
  const friendlyName = options.friendlyName ?? 'Demo sensor';
  const device = {
    ids: mac,
    name: friendlyName,
    sw: `${ESPHOME_VERSION} (config hash 0x5f3e2a91)`,
    mdl: 'esp32dev',
    mf: 'Espressif',
    sa: 'Hall',
    cns: [['mac', mac]],
  };
  client.publish(
    `esphome/discover/${name}`,
    JSON.stringify({
      ip: '127.0.0.1',
      name,
      friendly_name: friendlyName,
      // The native API port, announced whenever the node has the API (as ESPHome nodes do).
      port: 6053,
      version: ESPHOME_VERSION,
      mac,
      platform: 'ESP32',
      board: 'esp32dev',
      network: 'wifi',
    }),
    { retain: true, qos: 1 },
  );
  const entity = (component: string, objectId: string, extra: Record<string, unknown>) =>
    client.publish(
      `homeassistant/${component}/${name}/${objectId}/config`,
      JSON.stringify({
        ...extra,
        stat_t: `${name}/${component}/${objectId}/state`,
        avty_t: `${name}/status`,
        uniq_id: `ESP${component}${objectId}`,
        dev: device,
      }),
      { retain: true, qos: 1 },
    );
  entity('sensor', 'temperature', {
    dev_cla: 'temperature',
    unit_of_meas: '°C',
    stat_cla: 'measurement',
    name: 'Temperature',
  });
  entity('sensor', 'humidity', {
    dev_cla: 'humidity',
    unit_of_meas: '%',
    stat_cla: 'measurement',
    name: 'Humidity',
  });
  entity('binary_sensor', 'motion', { dev_cla: 'motion', name: 'Motion' });
  client.publish(`${name}/status`, 'online', { retain: true, qos: 1 });
  const report = () => {
    temperature = Math.round((temperature + (random() - 0.5) * 0.4) * 10) / 10;
    humidity = Math.max(20, Math.min(80, Math.round(humidity + (random() - 0.5) * 2)));
    client.publish(`${name}/sensor/temperature/state`, temperature.toFixed(1), { retain: true });
    client.publish(`${name}/sensor/humidity/state`, String(humidity), { retain: true });
    if (random() < (options.motionChance ?? 0.15)) {
      client.publish(`${name}/binary_sensor/motion/state`, 'ON', { retain: true });
      timers.after(3000, () => client.publish(`${name}/binary_sensor/motion/state`, 'OFF', { retain: true }));
    }
  };
  client.publish(`${name}/binary_sensor/motion/state`, 'OFF', { retain: true });
  report();
  timers.every(options.reportMs ?? 5000, report);
  return {
    name,
    get temperature() {
      return temperature;
    },
    async stop() {
      timers.clear();
      await client.publishAsync(`${name}/status`, 'offline', { retain: true, qos: 1 }).catch(() => {});
      await client.endAsync(true);
    },
  };
};
