import mqtt, { type MqttClient } from 'mqtt';

/** How a virtual Homie v4 light looks. */
export interface VirtualHomieOptions {
  readonly brokerUrl: string;
  /** Device id (default `demo-homie`). */
  readonly id?: string;
  readonly name?: string;
}

/** A running virtual Homie device. */
export interface VirtualHomieDevice {
  readonly id: string;
  readonly power: boolean;
  readonly brightness: number;
  stop(): Promise<void>;
}

/**
 * A Homie 4.0.0 dimmable light: retained `$homie`, `$name`, `$state` (init,
 * then ready; Last Will `lost`), `$nodes`, node and property attributes; `…/power/set` and
 * `…/brightness/set` are validated, applied and echoed to the property topic.
 */
export const startVirtualHomie = async (options: VirtualHomieOptions): Promise<VirtualHomieDevice> => {
  const id = options.id ?? 'demo-homie';
  const base = `homie/${id}`;
  let power = false;
  let brightness = 60;
  const client: MqttClient = await mqtt.connectAsync(options.brokerUrl, {
    clientId: `homie-${id}`,
    protocolVersion: 4,
    will: { topic: `${base}/$state`, payload: Buffer.from('lost'), retain: true, qos: 1 },
    reconnectPeriod: 2000,
  });
  const retained = (topic: string, value: string) =>
    client.publish(`${base}/${topic}`, value, { retain: true, qos: 1 });
  retained('$state', 'init');
  retained('$homie', '4.0.0');
  retained('$name', options.name ?? 'Demo Homie light');
  retained('$nodes', 'light');
  retained('$extensions', '');
  retained('$implementation', 'fieldgraph-sim');
  retained('light/$name', 'Light');
  retained('light/$type', 'dimmer');
  retained('light/$properties', 'power,brightness');
  retained('light/power/$name', 'Power');
  retained('light/power/$datatype', 'boolean');
  retained('light/power/$settable', 'true');
  retained('light/brightness/$name', 'Brightness');
  retained('light/brightness/$datatype', 'integer');
  retained('light/brightness/$format', '0:100');
  retained('light/brightness/$unit', '%');
  retained('light/brightness/$settable', 'true');
  retained('light/power', String(power));
  retained('light/brightness', String(brightness));
  client.on('message', (topic, payload) => {
    const text = payload.toString();
    if (topic === `${base}/light/power/set` && (text === 'true' || text === 'false')) {
      power = text === 'true';
      retained('light/power', text);
    } else if (topic === `${base}/light/brightness/set` && /^\d{1,3}$/.test(text) && Number(text) <= 100) {
      brightness = Number(text);
      retained('light/brightness', text);
    }
  });
  await client.subscribeAsync(`${base}/light/+/set`);
  retained('$state', 'ready');
  return {
    id,
    get power() {
      return power;
    },
    get brightness() {
      return brightness;
    },
    async stop() {
      await client.publishAsync(`${base}/$state`, 'disconnected', { retain: true, qos: 1 }).catch(() => {});
      await client.endAsync(true);
    },
  };
};
