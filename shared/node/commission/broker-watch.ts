import mqtt from 'mqtt';
import { FieldgraphError } from '../../core/errors';
import type { CommissionProfile } from './profile';

/** A subscription waiting for one fresh (non-retained) message on a topic. */
export interface BrokerWait {
  /** Resolves with the payload of the first fresh message that `accept` takes. */
  readonly message: Promise<string>;
  /** Ends the wait and the connection. */
  stop(): Promise<void>;
}

/**
 * Subscribes on the site broker BEFORE the device is told to restart, and waits for a fresh
 * message: a retained `Online` left by an earlier install would otherwise be mistaken for
 * this device coming online.
 */
export const waitForBrokerMessage = async (
  broker: NonNullable<CommissionProfile['broker']>,
  topic: string,
  accept: (payload: string) => boolean,
  timeoutMs: number,
): Promise<BrokerWait> => {
  const url = `${broker.tls ? 'mqtts' : 'mqtt'}://${broker.host.includes(':') ? `[${broker.host}]` : broker.host}:${broker.port}`;
  const client = mqtt.connect(url, {
    ...(broker.username ? { username: broker.username } : {}),
    ...(broker.password ? { password: broker.password } : {}),
    reconnectPeriod: 0,
    connectTimeout: 5000,
    clientId: `fieldgraph-commission-${Math.random().toString(16).slice(2, 10)}`,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('connection closed')));
    });
    await client.subscribeAsync(topic, { qos: 1 });
  } catch (error) {
    client.end(true);
    throw new FieldgraphError(
      'commission.broker_timeout',
      `Cannot reach the site broker at ${broker.host}:${broker.port} to confirm the device: ${(error as Error).message}. Check the broker address and that this computer is on the site network.`,
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const message = new Promise<string>((resolve, reject) => {
    client.on('message', (t, payload, packet) => {
      if (t !== topic || packet.retain) return;
      const text = payload.toString('utf8');
      if (accept(text)) resolve(text);
    });
    timer = setTimeout(
      () =>
        reject(
          new FieldgraphError(
            'commission.broker_timeout',
            `The device did not come online on the broker (${topic}) within ${Math.round(timeoutMs / 1000)} s: check the broker address, user and password in the site profile.`,
          ),
        ),
      timeoutMs,
    );
  });
  message.catch(() => {});
  return {
    message,
    async stop() {
      clearTimeout(timer);
      await client.endAsync(true).catch(() => {});
    },
  };
};
