import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Static } from '@sinclair/typebox';
import type { FieldgraphServices } from '../../core/api';
import type { InspectorStatus } from '../../core/api/areas/broker-inspector';
import { FieldgraphError } from '../../core/errors';
import { publishableTopic } from '../../core/topics/payload';
import { createTopicStore, type TopicStore, type TopicStoreLimits } from '../../core/topics/store';
import { redactUrl } from '../redact';
import type { WithDispose, ServiceContext } from './context';

type Status = Static<typeof InspectorStatus>;

/** How often changed topics go to the UI: four batches a second keep the tree live without flooding it. */
export const INSPECTOR_BATCH_MS = 250;
/** Payloads larger than this are cut before decoding; the broker is asked not to send more (MQTT 5). */
const MAX_PACKET_BYTES = 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The stored text of a payload: UTF-8 text, or for binary data (a NUL byte in its first 512
 * bytes) a hex dump of its start, so a camera snapshot never fills the history with garbage.
 */
export const payloadText = (payload: Uint8Array, maxChars: number): string => {
  const head = payload.subarray(0, 512);
  if (head.includes(0)) {
    const bytes = payload.subarray(0, Math.min(payload.length, Math.floor(maxChars / 3)));
    return `binary, ${payload.length} bytes: ${Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ').trim()}`;
  }
  return decoder.decode(payload.subarray(0, maxChars * 4));
};

interface Running {
  readonly url: string;
  readonly client: MqttClient;
  readonly exactRetain: boolean;
  readonly store: TopicStore;
  readonly timer: NodeJS.Timeout;
  lastMessages: number;
  lastAt: number;
  rate: number;
  idleTicks: number;
  error?: string;
}

const connect = async (url: string, protocolVersion: 4 | 5): Promise<MqttClient> => {
  const options: IClientOptions = {
    clientId: `fieldgraph-inspector-${randomBytes(4).toString('hex')}`,
    protocolVersion,
    clean: true,
    reconnectPeriod: 2000,
    connectTimeout: 5000,
    ...(protocolVersion === 5 ? { properties: { maximumPacketSize: MAX_PACKET_BYTES } } : {}),
  };
  const client = mqtt.connect(url, options);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
      client.once('connect', () => (clearTimeout(timer), resolve()));
      client.once('error', (error) => (clearTimeout(timer), reject(error)));
    });
    return client;
  } catch (error) {
    await client.endAsync(true);
    throw error;
  }
};

/**
 * The `inspector` area: one connection to the site broker subscribed to `#`, feeding a bounded
 * topic store (shared/core/topics/store), whose changes go to the UI as `onInspectorBatch`
 * at most every 250 ms. MQTT 5 is tried first so live messages keep their RETAIN flag
 * ("retain as published"); brokers that speak only 3.1.1 (the embedded aedes) get 3.1.1.
 */
export const createInspectorService = (
  ctx: ServiceContext,
  deps: { readonly brokers: () => string[]; readonly limits?: Partial<TopicStoreLimits> },
): WithDispose<FieldgraphServices['inspector']> => {
  const log = ctx.log.child('inspector');
  let running: Running | null = null;
  let starting: Promise<Status> | null = null;

  const status = (): Status => {
    if (!running)
      return {
        brokerUrl: null,
        connected: false,
        exactRetain: false,
        topics: 0,
        messages: 0,
        rate: 0,
        droppedTopics: 0,
      };
    const stats = running.store.stats();
    return {
      brokerUrl: redactUrl(running.url),
      connected: running.client.connected,
      exactRetain: running.exactRetain,
      topics: stats.topics,
      messages: stats.messages,
      rate: running.rate,
      droppedTopics: stats.droppedTopics,
      ...(running.error ? { error: running.error } : {}),
    };
  };

  const stop = async (): Promise<void> => {
    const current = running;
    running = null;
    if (!current) return;
    clearInterval(current.timer);
    await current.client.endAsync(true).catch(() => {});
  };

  const begin = async (url: string): Promise<Status> => {
    let client: MqttClient;
    let exactRetain = true;
    try {
      client = await connect(url, 5);
    } catch (first) {
      log.info('the broker refused MQTT 5; inspecting with MQTT 3.1.1', { error: String(first) });
      exactRetain = false;
      try {
        client = await connect(url, 4);
      } catch (error) {
        throw new FieldgraphError(
          'inspector.broker_unreachable',
          `Could not connect to the broker at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}. Check the address and that the broker runs.`,
          { url: redactUrl(url) },
        );
      }
    }
    const store = createTopicStore(deps.limits);
    const state: Running = {
      url,
      client,
      exactRetain,
      store,
      lastMessages: 0,
      lastAt: Date.now(),
      rate: 0,
      idleTicks: 0,
      timer: setInterval(() => {
        const now = Date.now();
        const { messages } = store.stats();
        state.rate = Math.round(((messages - state.lastMessages) * 1000) / Math.max(1, now - state.lastAt));
        state.lastMessages = messages;
        state.lastAt = now;
        const topics = store.takeChanged();
        // A quiet broker still gets its status (connection, rate) refreshed every two seconds.
        if (topics.length === 0 && ++state.idleTicks < 8) return;
        state.idleTicks = 0;
        ctx.hub.emit('onInspectorBatch', { status: status(), topics });
      }, INSPECTOR_BATCH_MS),
    };
    const limit = deps.limits?.maxPayloadChars ?? 4096;
    client.on('message', (topic, payload, packet) => {
      const retained = packet.retain === true;
      const qos = packet.qos;
      store.add(topic, payloadText(payload, limit), payload.length, retained, qos, Date.now());
    });
    client.on('error', (error) => {
      state.error = error.message;
      log.warn('inspector connection problem', { url: redactUrl(url), error: error.message });
    });
    client.on('connect', () => {
      delete state.error;
    });
    // `#` never matches `$SYS/…`: broker internals stay out of the tree.
    const subscribe = () =>
      client.subscribe('#', { qos: 2, ...(exactRetain ? { rap: true } : {}) }, (error) => {
        if (error) {
          state.error = `The broker refused the subscription to #: ${error.message}`;
          log.warn('inspector could not subscribe', { error: error.message });
        }
      });
    subscribe();
    client.on('connect', subscribe);
    running = state;
    return status();
  };

  const need = (): Running => {
    if (!running)
      throw new FieldgraphError(
        'inspector.not_running',
        'The inspector is not connected to a broker; start it with a broker address first.',
      );
    return running;
  };

  return {
    async start({ brokerUrl }) {
      const url = brokerUrl ?? deps.brokers()[0];
      if (!url)
        throw new FieldgraphError(
          'inspector.no_broker',
          'Say which broker to inspect (mqtt://host:1883), or start discovery on the site broker (or the demo site) first.',
        );
      if (running?.url === url) return status();
      if (starting) await starting.catch(() => {});
      await stop();
      starting = begin(url);
      try {
        return await starting;
      } finally {
        starting = null;
      }
    },
    async stop() {
      await stop();
      return status();
    },
    async dispose() {
      // A connection still being made is let finish, then closed with the rest.
      if (starting) await starting.catch(() => {});
      await stop();
    },
    topics: () => ({ status: status(), topics: running?.store.summaries() ?? [] }),
    history: ({ topic, after }) => ({ topic, messages: running?.store.history(topic, after) ?? [] }),
    async publish({ topic, payload, qos, retain }) {
      const problem = publishableTopic(topic);
      if (problem) throw new FieldgraphError('inspector.bad_topic', problem);
      const current = need();
      try {
        await current.client.publishAsync(topic, payload, { qos, retain });
      } catch (error) {
        throw new FieldgraphError(
          'inspector.publish_failed',
          `The broker did not take the message on ${topic}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (retain) current.store.setRetained(topic, payload !== '');
      return { topic };
    },
    async deleteRetained({ topic }) {
      const problem = publishableTopic(topic);
      if (problem) throw new FieldgraphError('inspector.bad_topic', problem);
      const current = need();
      try {
        await current.client.publishAsync(topic, '', { qos: 1, retain: true });
      } catch (error) {
        throw new FieldgraphError(
          'inspector.publish_failed',
          `The broker did not take the deletion of ${topic}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      current.store.setRetained(topic, false);
      return { topic };
    },
  };
};
