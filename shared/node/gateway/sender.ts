import type { Logger } from '../log';
import type { MqttLink } from '../mqtt/link';
import type { Outbox, OutboxEntry } from './outbox';

/** Publishes flow output: QoS 0 straight to the socket, QoS 1 through the disk outbox. */
export interface OutputSender {
  send(topic: string, payload: string | Buffer, qos: 0 | 1, retain: boolean): void;
  /** QoS 1 messages not yet acknowledged by the broker. */
  pendingCount(): number;
  /** Resolves once every QoS 1 message was acknowledged, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
}

/**
 * Joins the outbox to the MQTT link: each QoS 1 message is on disk before it is published and is
 * acknowledged in the outbox after PUBACK; on every (re)connect the unacknowledged ones are
 * published again, oldest first (at-least-once, as QoS 1 promises).
 */
export const createOutputSender = (link: MqttLink, outbox: Outbox, log: Logger): OutputSender => {
  const inFlight = new Set<number>();
  const waiters: Array<() => void> = [];
  const settle = () => {
    if (outbox.size() === 0) for (const wake of waiters.splice(0)) wake();
  };
  const publish = (entry: OutboxEntry): void => {
    if (inFlight.has(entry.seq) || !link.connected()) return;
    inFlight.add(entry.seq);
    link.publish(entry.topic, entry.payload, { qos: 1, retain: entry.retain }).then(
      () => {
        inFlight.delete(entry.seq);
        outbox.ack(entry.seq);
        settle();
      },
      (error: unknown) => {
        // stays in the outbox; the next connect publishes it again
        inFlight.delete(entry.seq);
        log.debug('QoS 1 publish not acknowledged yet', { topic: entry.topic, error: String(error) });
      },
    );
  };
  const replay = () => {
    for (const entry of outbox.pending()) publish(entry);
  };
  link.onConnect(replay);
  if (link.connected()) replay();
  return {
    send(topic, payload, qos, retain) {
      if (qos === 0) {
        if (retain) void link.publish(topic, payload, { qos: 0, retain }).catch(() => {});
        else link.publishFast(topic, payload);
        return;
      }
      publish(outbox.add(topic, payload, retain));
    },
    pendingCount: () => outbox.size(),
    drain(timeoutMs) {
      if (outbox.size() === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
};
