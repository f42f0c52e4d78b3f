import { createConnection } from 'node:net';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import { hasWildcard, topicMatches } from '../../core/topics/match';

/** Called for each message whose topic matches a subscription; `payload` is the raw bytes. */
export type MessageHandler = (topic: string, payload: Buffer) => void;

/** Options for {@link connectMqtt}; credentials never leave this process. */
export interface MqttLinkOptions {
  readonly url: string;
  readonly clientId: string;
  /** 4 = MQTT 3.1.1 (required by the embedded aedes broker), 5 = MQTT 5. Default 4. */
  readonly protocolVersion?: 4 | 5;
  readonly username?: string;
  readonly password?: string;
  /** The Last Will the broker publishes if this client vanishes. */
  readonly will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
  /** Milliseconds between reconnect attempts (default 1000). */
  readonly reconnectPeriodMs?: number;
  /** Told when a message handler throws; the other handlers and the connection carry on. */
  readonly onHandlerError?: (error: unknown, topic: string) => void;
  /** TLS for `mqtts://` and `wss://`: CA, client certificate and key as PEM text; the server is always verified. */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  /** How long one connection attempt may take (ms, default 10 000). */
  readonly connectTimeoutMs?: number;
}

/**
 * One MQTT connection with a local subscription router: many handlers can share a filter, the
 * broker sees each filter once, a handler runs once per message even under overlapping filters,
 * and subscriptions are restored after a reconnect.
 */
export interface MqttLink {
  readonly client: MqttClient;
  /** True while the broker session is up. */
  connected(): boolean;
  /** Resolves once the first CONNACK arrived; rejects if the broker refuses or cannot be reached in time. */
  ready(timeoutMs?: number): Promise<void>;
  /** Adds a handler for a filter; returns the function that removes it. */
  subscribe(filter: string, handler: MessageHandler, qos?: 0 | 1): () => void;
  /** Publishes; resolves after the broker's PUBACK for QoS 1, after the socket write for QoS 0. */
  publish(
    topic: string,
    payload: string | Buffer,
    options?: { qos?: 0 | 1; retain?: boolean },
  ): Promise<void>;
  /** Publishes QoS 0 without waiting: the fast path for high-rate flow output. */
  publishFast(topic: string, payload: string | Buffer): void;
  /** Runs `listener` on every (re)connect. */
  onConnect(listener: () => void): void;
  /**
   * Backpressure: while `busy()` is true after a message was handed out, the link reads no
   * further packets from the broker (the socket is left unread, so TCP holds the rest back)
   * until `resume()` is called. The returned `release()` removes the gate and resumes.
   */
  throttle(busy: () => boolean): { resume(): void; release(): void };
  /** Ends the session; `force` skips flushing in-flight packets (then the Last Will is sent). */
  end(force?: boolean): Promise<void>;
}

// Publishes written per socket write at most: about a millisecond of gateway work at ~20 µs each.
const FLUSH_EVERY = 32;

const streamBuilderFor = (url: URL) => () => {
  // mqtt.js does not set TCP_NODELAY; without it a client that publishes right after it
  // receives waits for Nagle + delayed ACK (~22 ms per message on loopback).
  return createConnection({ host: url.hostname, port: Number(url.port || 1883), noDelay: true });
};

interface WildFilter {
  readonly filter: string;
  /** The filter up to its first wildcard: every matching topic starts with it. */
  readonly prefix: string;
  readonly handlers: Set<MessageHandler>;
}

// Without the trailing slash: `a/#` also matches `a` itself.
const literalPrefix = (filter: string): string => {
  const cut = filter.search(/[+#]/);
  return (cut < 0 ? filter : filter.slice(0, cut)).replace(/\/$/, '');
};

/** Connects to a broker and returns the routed link; it reconnects on its own until `end()`. */
export const connectMqtt = (options: MqttLinkOptions): MqttLink => {
  const url = new URL(options.url);
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    protocolVersion: options.protocolVersion ?? 4,
    clean: true,
    reconnectPeriod: options.reconnectPeriodMs ?? 1000,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    username: options.username,
    password: options.password,
    will: options.will,
    resubscribe: false,
    // mqtt-packet otherwise builds a table of 65,536 two-byte Buffers on the first packet (6 MB
    // of heap kept for the life of the process) to save allocating the two bytes of a length.
    writeCache: false,
    ...(options.tls
      ? { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key, rejectUnauthorized: true }
      : {}),
    // mqtt.js logs every packet through `debug`; even disabled, that costs ~5 % of the CPU of a
    // busy gateway. Keep it only when someone asked for it with DEBUG=….
    ...(process.env.DEBUG ? {} : { log: () => {} }),
  };
  const client =
    url.protocol === 'mqtt:' || url.protocol === 'tcp:'
      ? new MqttClient(streamBuilderFor(url), {
          ...clientOptions,
          hostname: url.hostname,
          port: Number(url.port || 1883),
        })
      : mqtt.connect(options.url, clientOptions);

  const exact = new Map<string, Set<MessageHandler>>();
  const wild = new Map<string, WildFilter>();
  const qosOf = new Map<string, 0 | 1>();
  // Filters whose UNSUBSCRIBE awaits its UNSUBACK, with what to do once it came. aedes handles
  // the packets of one socket read in parallel: a SUBSCRIBE sent right behind an UNSUBSCRIBE of
  // the same filter could be taken for a duplicate and then removed by it, leaving the filter
  // unsubscribed. So a SUBSCRIBE of such a filter waits for the UNSUBACK (mosquitto needs no wait).
  const unsubscribing = new Map<string, { after: Array<() => void> }>();
  const sendSubscribe = (filter: string, qos: 0 | 1) => {
    const pending = unsubscribing.get(filter);
    if (pending)
      pending.after.push(() => qosOf.get(filter) === qos && client.connected && sendSubscribe(filter, qos));
    else if (client.connected) client.subscribe(filter, { qos });
  };
  const sendUnsubscribe = (filter: string) => {
    if (!client.connected || unsubscribing.has(filter)) return;
    const pending = { after: [] as Array<() => void> };
    unsubscribing.set(filter, pending);
    client.unsubscribe(filter, () => {
      if (unsubscribing.get(filter) !== pending) return;
      unsubscribing.delete(filter);
      for (const next of pending.after) next();
    });
  };
  const connectListeners: Array<() => void> = [];
  // How many filters each handler is registered under: dedupe work is only needed above one.
  const filterCount = new Map<MessageHandler, number>();
  let shared = 0;
  const countHandler = (handler: MessageHandler, delta: 1 | -1) => {
    const before = filterCount.get(handler) ?? 0;
    const after = before + delta;
    if (after <= 0) filterCount.delete(handler);
    else filterCount.set(handler, after);
    if (before <= 1 && after > 1) shared++;
    else if (before > 1 && after <= 1) shared--;
  };

  // Messages come from devices and other programs: a handler that throws on one must not take
  // down the others, the connection, or the process.
  const deliver = (handler: MessageHandler, topic: string, payload: Buffer) => {
    try {
      handler(topic, payload);
    } catch (error) {
      options.onHandlerError?.(error, topic);
    }
  };
  const dispatch = (topic: string, payload: Buffer) => {
    const direct = exact.get(topic);
    if (direct) for (const handler of direct) deliver(handler, topic, payload);
    if (wild.size === 0) return;
    // A handler registered under overlapping filters still runs once per message.
    const called = shared > 0 ? new Set<MessageHandler>(direct) : undefined;
    for (const entry of wild.values()) {
      // The literal prefix rules out most filters without splitting the topic.
      if (!topic.startsWith(entry.prefix) || !topicMatches(entry.filter, topic)) continue;
      for (const handler of entry.handlers) {
        if (called) {
          if (called.has(handler)) continue;
          called.add(handler);
        }
        deliver(handler, topic, payload);
      }
    }
  };
  client.on('message', dispatch);
  // mqtt.js reads the next packet only once handleMessage calls back: holding that callback is
  // how a slow consumer stops the socket being read, without any message being dropped.
  const gates = new Set<() => boolean>();
  let held: (() => void) | undefined;
  const anyBusy = () => {
    for (const busy of gates) if (busy()) return true;
    return false;
  };
  const resumeReading = () => {
    if (!held || anyBusy()) return;
    const next = held;
    held = undefined;
    next();
  };
  client.handleMessage = (_packet, callback) => {
    if (gates.size > 0 && anyBusy()) held = callback as () => void;
    else callback();
  };
  let corked: { stream: { uncork?: () => void }; count: number } | undefined;
  let flushScheduled = false;
  const flushCorked = () => {
    flushScheduled = false;
    const was = corked;
    corked = undefined;
    was?.stream.uncork?.();
  };
  client.on('connect', () => {
    // A new session starts with no subscriptions: nothing is waiting for an UNSUBACK any more.
    unsubscribing.clear();
    // A held read belonged to the old socket; the new one starts reading afresh.
    held = undefined;
    const filters = [...qosOf.keys()];
    if (filters.length)
      client.subscribe(Object.fromEntries(filters.map((f) => [f, { qos: qosOf.get(f) ?? 0 }])));
    for (const listener of connectListeners) listener();
  });
  // Errors surface as reconnects and `ready()` rejections; an unhandled 'error' event would crash the process.
  client.on('error', () => {});

  return {
    client,
    connected: () => client.connected,
    ready(timeoutMs = 10_000) {
      if (client.connected) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        let lastError: Error | undefined;
        const onError = (error: Error) => (lastError = error);
        const timer = setTimeout(() => {
          client.off('connect', onConnect);
          client.off('error', onError);
          reject(
            new Error(
              `could not connect to the MQTT broker at ${url.protocol}//${url.host} within ${timeoutMs} ms${lastError ? `: ${lastError.message}` : ''}`,
            ),
          );
        }, timeoutMs);
        const onConnect = () => {
          clearTimeout(timer);
          client.off('error', onError);
          resolve();
        };
        client.once('connect', onConnect);
        client.on('error', onError);
      });
    },
    subscribe(filter, handler, qos = 0) {
      let handlers: Set<MessageHandler>;
      if (hasWildcard(filter)) {
        let entry = wild.get(filter);
        if (!entry) {
          entry = { filter, prefix: literalPrefix(filter), handlers: new Set() };
          wild.set(filter, entry);
        }
        handlers = entry.handlers;
      } else {
        handlers = exact.get(filter) ?? new Set();
        exact.set(filter, handlers);
      }
      if (!qosOf.has(filter)) {
        qosOf.set(filter, qos);
        sendSubscribe(filter, qos);
      }
      if (!handlers.has(handler)) {
        handlers.add(handler);
        countHandler(handler, 1);
      }
      return () => {
        if (!handlers.delete(handler)) return;
        countHandler(handler, -1);
        if (handlers.size > 0) return;
        wild.delete(filter);
        exact.delete(filter);
        qosOf.delete(filter);
        sendUnsubscribe(filter);
      };
    },
    publish(topic, payload, publishOptions = {}) {
      return new Promise<void>((resolve, reject) => {
        client.publish(
          topic,
          payload,
          { qos: publishOptions.qos ?? 0, retain: publishOptions.retain ?? false },
          (error) => (error ? reject(error) : resolve()),
        );
      });
    },
    publishFast(topic, payload) {
      // Output published in one turn of the event loop leaves in few writes: the socket is corked
      // on the first publish and uncorked once the loop has handled the I/O it had, or after
      // FLUSH_EVERY publishes. Without that cap a socket read that brought a backlog held the
      // first answers until the whole backlog was handled: measured per message at 12,000 msg/s,
      // the wait between publish and write reached 8–10 ms at p99, most of a 10 ms budget.
      const stream = client.stream as { cork?: () => void; uncork?: () => void } | undefined;
      if (!stream?.cork || !stream.uncork) {
        client.publish(topic, payload);
        return;
      }
      if (corked && corked.stream !== stream) {
        // reconnected mid-turn: what the old socket held goes with it
        corked.stream.uncork?.();
        corked = undefined;
      }
      if (!corked) {
        corked = { stream, count: 0 };
        stream.cork();
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flushCorked);
        }
      }
      client.publish(topic, payload);
      if (++corked.count >= FLUSH_EVERY) {
        // the end-of-turn flush stays scheduled for what is published after this write
        corked = undefined;
        stream.uncork();
      }
    },
    onConnect(listener) {
      connectListeners.push(listener);
    },
    throttle(busy) {
      gates.add(busy);
      return {
        resume: resumeReading,
        release: () => {
          gates.delete(busy);
          resumeReading();
        },
      };
    },
    end(force = false) {
      return new Promise<void>((resolve) => client.end(force, {}, () => resolve()));
    },
  };
};
