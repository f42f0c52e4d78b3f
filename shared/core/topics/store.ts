/**
 * The MQTT inspector's memory: every topic seen on the site broker with its message count,
 * retained flag and a short ring of its latest messages. Memory is bounded three ways: each
 * topic keeps at most `historyPerTopic` messages, each stored payload at most `maxPayloadChars`
 * characters, and all stored payloads together at most `maxStoredChars` — past that, the
 * topics updated longest ago give up their history down to their latest message (every topic
 * always keeps its latest, so the hard bound is `maxStoredChars + maxTopics × maxPayloadChars`). Topics past
 * `maxTopics` are counted but not stored. Platform-free: the node service feeds it messages
 * and drains `takeChanged()` on its own timer.
 */

/** One stored message of a topic. */
export interface InspectorMessage {
  /** Increases by one for every message the store takes in (across topics). */
  readonly seq: number;
  /** Milliseconds since the epoch when it arrived. */
  readonly at: number;
  /** Size of the payload in bytes as it arrived. */
  readonly size: number;
  /** The payload as UTF-8 text, cut at the store's limit. */
  readonly text: string;
  readonly truncated: boolean;
  readonly retained: boolean;
  readonly qos: 0 | 1 | 2;
}

/** What the topic tree shows for one topic. */
export interface TopicSummary {
  readonly topic: string;
  readonly count: number;
  /** True when the broker holds a retained message for it (as far as this client can tell). */
  readonly retained: boolean;
  readonly lastAt: number;
  readonly size: number;
  /** The start of the latest payload (at most 120 characters). */
  readonly preview: string;
  /** The latest message's `seq`. */
  readonly seq: number;
}

/** Limits of a store; the defaults suit 2,000 topics at 500 messages a second. */
export interface TopicStoreLimits {
  readonly historyPerTopic: number;
  readonly maxPayloadChars: number;
  readonly maxStoredChars: number;
  readonly maxTopics: number;
}

/** The default limits: 100 messages per topic, 4,096 characters per payload, 16 M characters in all, 20,000 topics. */
export const defaultTopicStoreLimits: TopicStoreLimits = {
  historyPerTopic: 100,
  maxPayloadChars: 4096,
  maxStoredChars: 16 * 1024 * 1024,
  maxTopics: 20_000,
};

const PREVIEW_CHARS = 120;

interface TopicEntry {
  readonly topic: string;
  count: number;
  retained: boolean;
  /** A fixed-size ring: `start` is the oldest, `length` how many are kept. */
  ring: (InspectorMessage | undefined)[];
  start: number;
  length: number;
  last: InspectorMessage;
}

/** A topic store; see the module comment for what it guarantees. */
export interface TopicStore {
  /**
   * Takes in one message. `retained` is the RETAIN flag as delivered; an empty retained
   * payload means the broker deleted the topic's retained message.
   */
  add(topic: string, text: string, size: number, retained: boolean, qos: 0 | 1 | 2, at: number): void;
  /** Marks what the broker retains for a topic, when this client knows better than the flag (it published it). */
  setRetained(topic: string, retained: boolean): void;
  /** Summaries of the topics changed since the last call, in no particular order. */
  takeChanged(): TopicSummary[];
  /** Every topic's summary. */
  summaries(): TopicSummary[];
  /** A topic's stored messages, oldest first, only those with `seq` greater than `after`. */
  history(topic: string, after?: number): InspectorMessage[];
  summary(topic: string): TopicSummary | undefined;
  /** Counters for the status line. */
  stats(): { topics: number; messages: number; storedChars: number; droppedTopics: number };
  clear(): void;
}

const summaryOf = (e: TopicEntry): TopicSummary => ({
  topic: e.topic,
  count: e.count,
  retained: e.retained,
  lastAt: e.last.at,
  size: e.last.size,
  preview: e.last.text.slice(0, PREVIEW_CHARS),
  seq: e.last.seq,
});

/** Creates an empty store with `limits` (defaults for anything left out). */
export const createTopicStore = (limits: Partial<TopicStoreLimits> = {}): TopicStore => {
  const { historyPerTopic, maxPayloadChars, maxStoredChars, maxTopics } = {
    ...defaultTopicStoreLimits,
    ...limits,
  };
  // Insertion order is update order: a topic is moved to the end when it gets a message, so the
  // first entries are the ones updated longest ago (the first to give up their history).
  const topics = new Map<string, TopicEntry>();
  const changed = new Set<string>();
  let seq = 0;
  let messages = 0;
  let storedChars = 0;
  let droppedTopics = 0;

  const trimTo = (entry: TopicEntry, keep: number): void => {
    while (entry.length > keep) {
      const oldest = entry.ring[entry.start];
      if (oldest) storedChars -= oldest.text.length;
      entry.ring[entry.start] = undefined;
      entry.start = (entry.start + 1) % entry.ring.length;
      entry.length--;
    }
  };

  const enforceBudget = (): void => {
    if (storedChars <= maxStoredChars) return;
    for (const entry of topics.values()) {
      trimTo(entry, 1);
      if (storedChars <= maxStoredChars) return;
    }
  };

  return {
    add(topic, text, size, retained, qos, at) {
      messages++;
      let entry = topics.get(topic);
      if (!entry && topics.size >= maxTopics) {
        droppedTopics++;
        return;
      }
      const truncated = text.length > maxPayloadChars;
      const message: InspectorMessage = {
        seq: ++seq,
        at,
        size,
        text: truncated ? text.slice(0, maxPayloadChars) : text,
        truncated,
        retained,
        qos,
      };
      if (entry) {
        topics.delete(topic);
      } else {
        entry = {
          topic,
          count: 0,
          retained: false,
          ring: new Array<InspectorMessage | undefined>(historyPerTopic),
          start: 0,
          length: 0,
          last: message,
        };
      }
      topics.set(topic, entry);
      entry.count++;
      // A retained delivery says the broker keeps it; an empty retained payload is a deletion.
      // A live message (flag cleared by the broker) says nothing about what is retained.
      if (retained) entry.retained = size > 0;
      if (entry.length === historyPerTopic) trimTo(entry, historyPerTopic - 1);
      entry.ring[(entry.start + entry.length) % historyPerTopic] = message;
      entry.length++;
      entry.last = message;
      storedChars += message.text.length;
      changed.add(topic);
      enforceBudget();
    },
    setRetained(topic, retained) {
      const entry = topics.get(topic);
      if (!entry || entry.retained === retained) return;
      entry.retained = retained;
      changed.add(topic);
    },
    takeChanged() {
      const out: TopicSummary[] = [];
      for (const topic of changed) {
        const entry = topics.get(topic);
        if (entry) out.push(summaryOf(entry));
      }
      changed.clear();
      return out;
    },
    summaries: () => [...topics.values()].map(summaryOf),
    history(topic, after = 0) {
      const entry = topics.get(topic);
      if (!entry) return [];
      const out: InspectorMessage[] = [];
      for (let i = 0; i < entry.length; i++) {
        const message = entry.ring[(entry.start + i) % entry.ring.length];
        if (message && message.seq > after) out.push(message);
      }
      return out;
    },
    summary(topic) {
      const entry = topics.get(topic);
      return entry ? summaryOf(entry) : undefined;
    },
    stats: () => ({ topics: topics.size, messages, storedChars, droppedTopics }),
    clear() {
      topics.clear();
      changed.clear();
      storedChars = 0;
      messages = 0;
      droppedTopics = 0;
    },
  };
};
