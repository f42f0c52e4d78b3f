import mqtt, { type MqttClient } from 'mqtt';
import { colonMac, createTimers } from './clock';

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
 * An ESPHome node in MQTT mode (PROTOCOLS.md §4.2, §5): retained `<prefix>/status` online with
 * an `offline` will, retained Home Assistant discovery for temperature, humidity and motion
 * (abbreviated keys, `dev` with the MAC connection, origin ESPHome), states every few seconds
 * (a slow random walk) and a motion sensor that fires now and then and clears after 3 s.
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
  const device = {
    ids: [mac],
    cns: [['mac', colonMac(mac).toLowerCase()]],
    name: options.friendlyName ?? 'Demo sensor',
    mf: 'Espressif',
    mdl: 'esp32dev',
    sw: 'esphome v2025.6.2',
    sa: 'Hall',
  };
  const origin = { name: 'ESPHome', sw: '2025.6.2', url: 'https://esphome.io' };
  const entity = (component: string, objectId: string, extra: Record<string, unknown>) =>
    client.publish(
      `homeassistant/${component}/${name}/${objectId}/config`,
      JSON.stringify({
        '~': name,
        uniq_id: `${mac}-${component}-${objectId}`,
        obj_id: `${name}_${objectId}`,
        stat_t: `~/${component}/${objectId}/state`,
        avty_t: '~/status',
        dev: device,
        o: origin,
        ...extra,
      }),
      { retain: true, qos: 1 },
    );
  entity('sensor', 'temperature', {
    name: 'Temperature',
    unit_of_meas: '°C',
    dev_cla: 'temperature',
    stat_cla: 'measurement',
  });
  entity('sensor', 'humidity', {
    name: 'Humidity',
    unit_of_meas: '%',
    dev_cla: 'humidity',
    stat_cla: 'measurement',
  });
  entity('binary_sensor', 'motion', { name: 'Motion', dev_cla: 'motion', pl_on: 'ON', pl_off: 'OFF' });
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
