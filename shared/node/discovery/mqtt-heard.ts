import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { DeviceRegistry } from '../../core/registry/registry';

/**
 * Tells the registry about every message on the broker (topic only; payloads are never read),
 * so a device's "last seen" follows what it sends, not only the discovery messages that found
 * it. A connection of its own subscribed to `#`: sharing discovery's would deliver overlapping
 * subscriptions twice on brokers that send duplicates (mosquitto does). Retained messages are
 * skipped: the broker replays them on subscribing, so they say nothing about when the device
 * last spoke.
 */
export const startHeardTap = (
  url: string,
  registry: Pick<DeviceRegistry, 'heard'>,
  onError: (message: string) => void,
): { stop(): Promise<void> } => {
  const client = mqtt.connect(url, {
    clientId: `fieldgraph-heard-${randomBytes(4).toString('hex')}`,
    protocolVersion: 4,
    reconnectPeriod: 2000,
    connectTimeout: 5000,
    clean: true,
  });
  client.on('connect', () => client.subscribe('#', { qos: 0 }));
  client.on('message', (topic, _payload, packet) => {
    if (!packet.retain) registry.heard(topic, Date.now());
  });
  client.on('error', (error) => onError(error.message));
  return {
    async stop() {
      await client.endAsync(true);
    },
  };
};
