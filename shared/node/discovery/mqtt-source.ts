import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { DeviceRegistry } from '../../core/registry/registry';
import type { Logger } from '../log';
import { redactUrl } from '../redact';
import type { DiscoveryProblem } from './mqtt-context';
import { createMqttDiscovery } from './mqtt-discovery';
import { startHeardTap } from './mqtt-heard';

/** A running discovery source. */
export interface RunningSource {
  /** Stops listening; the source's sightings stay in the registry until the caller removes them. */
  stop(): Promise<void>;
}

/** Options of the MQTT discovery source. */
export interface MqttSourceOptions {
  readonly url: string;
  readonly registry: Pick<DeviceRegistry, 'upsert' | 'setOnline' | 'remove' | 'heard'>;
  readonly log: Logger;
  readonly onProblem?: (problem: DiscoveryProblem) => void;
  /** Resolves `start` only after the broker accepted the connection (default true). */
  readonly waitForConnect?: boolean;
  readonly connectTimeoutMs?: number;
  /** Home Assistant discovery prefixes to read (default `homeassistant`). */
  readonly haPrefixes?: readonly string[];
}

/**
 * Listens on a site broker for discovery traffic (Home Assistant, Homie, Tasmota, Shelly,
 * Fieldgraph gateways) and reports devices to the registry. Uses MQTT 3.1.1 so it works with
 * the embedded aedes broker too; reconnects on its own after the broker drops. Rejects when
 * the first connection fails within the timeout.
 */
export const startMqttSource = async (options: MqttSourceOptions): Promise<RunningSource> => {
  const clientId = `fieldgraph-discovery-${randomBytes(4).toString('hex')}`;
  const client = mqtt.connect(options.url, {
    clientId,
    protocolVersion: 4,
    reconnectPeriod: 2000,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    clean: true,
  });
  const log = options.log;
  const pendingTopics: string[] = [];
  const siteName = (() => {
    try {
      return new URL(options.url).host;
    } catch {
      return 'MQTT';
    }
  })();
  const discovery = createMqttDiscovery(
    {
      sink: {
        upsert: (sighting) =>
          options.registry.upsert({ ...sighting, facts: { ...sighting.facts, site: `Broker ${siteName}` } }),
        setOnline: (...args) => options.registry.setOnline(...args),
        remove: (...args) => options.registry.remove(...args),
      },
      now: () => Date.now(),
      publish: (topic, payload) => client.publish(topic, payload, { qos: 0 }),
      subscribe: (topic) => {
        // Thousands of devices each name an availability topic: one SUBSCRIBE per burst, not per topic.
        pendingTopics.push(topic);
        if (pendingTopics.length === 1) {
          setImmediate(() => {
            const topics = pendingTopics.splice(0);
            client.subscribe(topics, { qos: 0 });
          });
        }
      },
      problem: (where, reason) => {
        log.warn('MQTT discovery message skipped', { topic: where, reason });
        options.onProblem?.({ source: 'mqtt', where, reason, at: Date.now() });
      },
    },
    clientId,
    { ...(options.haPrefixes ? { haPrefixes: options.haPrefixes } : {}) },
  );
  client.on('message', (topic, payload) => discovery.handle(topic, payload));
  client.on('connect', () => {
    client.subscribe([...discovery.filters], { qos: 0 }, (error) => {
      if (error) log.warn('MQTT discovery could not subscribe', { error: error.message });
    });
  });
  client.on('error', (error) =>
    log.warn('MQTT discovery connection problem', { url: redactUrl(options.url), error: error.message }),
  );
  if (options.waitForConnect !== false) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `No answer from the broker at ${redactUrl(options.url)} within ${options.connectTimeoutMs ?? 5000} ms.`,
          ),
        );
      }, options.connectTimeoutMs ?? 5000);
      const onConnect = () => {
        cleanup();
        resolve();
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        clearTimeout(timer);
        client.off('connect', onConnect);
        client.off('error', onError);
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    }).catch(async (error: unknown) => {
      await client.endAsync(true);
      throw error;
    });
  }
  // Every message refreshes its device's "last seen", once discovery has found the device.
  const heard = startHeardTap(options.url, options.registry, (message) =>
    log.warn('MQTT last-seen connection problem', { url: redactUrl(options.url), error: message }),
  );
  return {
    async stop() {
      await Promise.all([client.endAsync(true), heard.stop()]);
    },
  };
};
