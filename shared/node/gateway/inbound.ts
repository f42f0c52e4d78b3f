import { Deque } from '../../core/engine/deque';

/** Counters of the inbound queue, for the status. */
export interface InboundStats {
  /** Messages waiting now. */
  readonly queued: number;
  /** The most that ever waited. */
  readonly peak: number;
  /** Oldest messages dropped because the queue was full. */
  readonly dropped: number;
}

/** Hands incoming messages to a handler in order, absorbing bursts; see {@link createInboundQueue}. */
export interface InboundQueue {
  deliver(topic: string, payload: Buffer): void;
  stats(): InboundStats;
  /** Drops what waits (the flows are stopping). */
  clear(): void;
}

/**
 * Keeps reading from the broker while the flows work through a burst. Messages are handled at
 * once while the queue is empty and the current slice has budget; past `batch` messages in one
 * turn of the event loop, they wait here and are handled `batch` at a time between socket reads.
 * So a burst fills this queue instead of the broker's per-client queue, which drops QoS 0
 * messages silently once full. Past `capacity` waiting messages the oldest are dropped, counted.
 */
export const createInboundQueue = (
  handle: (topic: string, payload: Buffer) => void,
  { batch = 256, capacity = 250_000 }: { batch?: number; capacity?: number } = {},
): InboundQueue => {
  const topics = new Deque<string>(1024);
  const payloads = new Deque<Buffer>(1024);
  let inlineLeft = 0;
  let scheduled = false;
  let peak = 0;
  let dropped = 0;

  const slice = (): void => {
    scheduled = false;
    for (let n = 0; n < batch && topics.size > 0; n++) handle(topics.shift()!, payloads.shift()!);
    inlineLeft = 0;
    if (topics.size > 0) {
      scheduled = true;
      setImmediate(slice);
    }
  };

  return {
    deliver(topic, payload) {
      if (topics.size === 0) {
        if (!scheduled) {
          // a new slice: it ends when the event loop comes round to its check phase
          scheduled = true;
          inlineLeft = batch;
          setImmediate(slice);
        }
        if (inlineLeft > 0) {
          inlineLeft--;
          handle(topic, payload);
          return;
        }
      }
      if (topics.size >= capacity) {
        topics.shift();
        payloads.shift();
        dropped++;
      }
      topics.push(topic);
      payloads.push(payload);
      if (topics.size > peak) peak = topics.size;
    },
    stats: () => ({ queued: topics.size, peak, dropped }),
    clear() {
      topics.clear();
      payloads.clear();
    },
  };
};
