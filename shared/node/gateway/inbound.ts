import { Deque } from '../../core/engine/deque';

/** Counters of the inbound queue, for the status. */
export interface InboundStats {
  /** Messages waiting now. */
  readonly queued: number;
  /** The most that ever waited. */
  readonly peak: number;
  /** Messages dropped; always 0 since the queue stops the reading instead (kept for the status format). */
  readonly dropped: number;
  /** How often the queue was full and reading from the broker paused. */
  readonly paused: number;
}

/** Hands incoming messages to a handler in order, absorbing bursts; see {@link createInboundQueue}. */
export interface InboundQueue {
  deliver(topic: string, payload: Buffer): void;
  stats(): InboundStats;
  /** True while the queue is at its high-water mark: the link must not hand out more messages. */
  readonly full: boolean;
  /** Drops what waits (the flows are stopping). */
  clear(): void;
}

/**
 * How the queue is sized. By default up to 16,384 messages or 16 MB of payload wait (a burst of
 * ten thousand small messages is held whole); reading resumes once 4,096 messages and a quarter
 * of the bytes are left.
 */
export interface InboundOptions {
  /** Messages handled per turn of the event loop before the rest wait for the next turn. */
  readonly batch?: number;
  /** Waiting messages at which reading from the broker pauses. */
  readonly highWater?: number;
  /** Waiting messages at which reading resumes. */
  readonly lowWater?: number;
  /** Waiting payload bytes at which reading pauses (large payloads fill the queue sooner). */
  readonly highWaterBytes?: number;
  /** Told when the queue fell to its low-water mark (the link resumes reading). */
  readonly onDrained?: () => void;
}

/**
 * Keeps the flows responsive under a burst. Messages are handled at once while the current turn
 * of the event loop has budget (`batch`); past it they wait here and are handled `batch` at a
 * time between socket reads. The gateway holds a burst itself, counted in its status, because
 * the broker holds little for a client that stops reading: mosquitto drops QoS 0 messages to a
 * client once 1,000 wait for it (`max_queued_messages`). Only past `highWater` messages or
 * `highWaterBytes` of payload does the queue report `full`, and the MQTT link stops reading the
 * socket, so memory stays bounded whatever the input rate (the broker then applies its own
 * limit); at `lowWater` messages and a quarter of the bytes it says so through `onDrained` and
 * reading resumes. The queue itself never drops a message.
 */
export const createInboundQueue = (
  handle: (topic: string, payload: Buffer) => void,
  {
    batch = 256,
    highWater = 16_384,
    lowWater = 4_096,
    highWaterBytes = 16 * 1024 * 1024,
    onDrained,
  }: InboundOptions = {},
): InboundQueue => {
  const topics = new Deque<string>(Math.min(highWater + 1, 1_024));
  const payloads = new Deque<Buffer>(Math.min(highWater + 1, 1_024));
  let bytes = 0;
  let inlineLeft = 0;
  let scheduled = false;
  let peak = 0;
  let paused = 0;
  let full = false;

  const slice = (): void => {
    scheduled = false;
    for (let n = 0; n < batch && topics.size > 0; n++) {
      const payload = payloads.shift()!;
      bytes -= payload.length;
      handle(topics.shift()!, payload);
    }
    inlineLeft = 0;
    if (topics.size > 0) {
      scheduled = true;
      setImmediate(slice);
    }
    if (full && topics.size <= lowWater && bytes <= highWaterBytes / 4) {
      full = false;
      onDrained?.();
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
      topics.push(topic);
      payloads.push(payload);
      bytes += payload.length;
      if (topics.size > peak) peak = topics.size;
      if (!full && (topics.size >= highWater || bytes >= highWaterBytes)) {
        full = true;
        paused++;
      }
    },
    get full() {
      return full;
    },
    stats: () => ({ queued: topics.size, peak, dropped: 0, paused }),
    clear() {
      topics.clear();
      payloads.clear();
      bytes = 0;
      if (full) {
        full = false;
        onDrained?.();
      }
    },
  };
};
