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

/** How the queue is sized; by default at most 1,024 messages wait (well under 1 MB). */
export interface InboundOptions {
  /** Messages handled per turn of the event loop before the rest wait for the next turn. */
  readonly batch?: number;
  /** Waiting messages at which reading from the broker pauses. */
  readonly highWater?: number;
  /** Waiting messages at which reading resumes. */
  readonly lowWater?: number;
  /** Told when the queue fell to its low-water mark (the link resumes reading). */
  readonly onDrained?: () => void;
}

/**
 * Keeps the flows responsive under a burst without holding the burst in memory. Messages are
 * handled at once while the current turn of the event loop has budget (`batch`); past it they
 * wait here and are handled `batch` at a time between socket reads. At `highWater` waiting
 * messages the queue reports `full`, and the MQTT link stops reading the socket (TCP and the
 * broker hold the rest, compactly, as bytes); at `lowWater` it says so through `onDrained` and
 * reading resumes. Bounded whatever the input rate: never an unbounded array, nothing dropped.
 */
export const createInboundQueue = (
  handle: (topic: string, payload: Buffer) => void,
  { batch = 256, highWater = 1_024, lowWater = 256, onDrained }: InboundOptions = {},
): InboundQueue => {
  const topics = new Deque<string>(highWater + 1);
  const payloads = new Deque<Buffer>(highWater + 1);
  let inlineLeft = 0;
  let scheduled = false;
  let peak = 0;
  let paused = 0;
  let full = false;

  const slice = (): void => {
    scheduled = false;
    for (let n = 0; n < batch && topics.size > 0; n++) handle(topics.shift()!, payloads.shift()!);
    inlineLeft = 0;
    if (topics.size > 0) {
      scheduled = true;
      setImmediate(slice);
    }
    if (full && topics.size <= lowWater) {
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
      if (topics.size > peak) peak = topics.size;
      if (!full && topics.size >= highWater) {
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
      if (full) {
        full = false;
        onDrained?.();
      }
    },
  };
};
