/**
 * The app's side of a running gateway over the site broker: RPC calls on one kept connection
 * (replies matched by id on the shared `…/rpc/result` topic), and the live stream on `…/live`,
 * kept switched on by renewing the gateway's `live` lease while someone watches.
 */
import { randomBytes } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import { FieldgraphError } from '../../core/errors';
import { LiveBatch } from '../../core/engine/live';
import { gatewayTopics } from '../gateway/topics';
import type { Logger } from '../log';
import { connectMqtt, type MqttLink } from '../mqtt/link';

/** A live batch is bounded by the gateway (LIVE_LIMITS); anything far bigger is not one. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** An RPC reply (a page of traces) is bounded the same way before it is parsed. */
const MAX_REPLY_BYTES = 16 * 1024 * 1024;
/** How long the gateway keeps its live stream on after a lease (its `live` RPC); renewed at a third of it. */
export const LIVE_LEASE_SECONDS = 30;

const redact = (url: string): string => {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
};

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly method: string;
  readonly gatewayId: string;
}

/** One broker connection shared by every gateway the app talks to on that broker. */
export interface BrokerClient {
  readonly url: string;
  /** Calls a gateway's RPC method; rejects with the gateway's message, or `live.timeout`. */
  call(
    gatewayId: string,
    method: string,
    args?: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<unknown>;
  /**
   * Streams a gateway's live batches to `onBatch` (checked against the LiveBatch format; others
   * are counted and skipped) and keeps its lease; returns the function that stops.
   */
  watch(gatewayId: string, onBatch: (batch: LiveBatch) => void): () => void;
  close(): Promise<void>;
}

/** Connects to a broker for RPC and live streams; fails with `live.unreachable` when it cannot. */
export const openBrokerClient = async (
  url: string,
  log: Logger,
  timeoutMs = 5_000,
): Promise<BrokerClient> => {
  const parsed = new URL(url);
  const link: MqttLink = connectMqtt({
    url: `${parsed.protocol}//${parsed.host}`,
    clientId: `fieldgraph-app-${randomBytes(4).toString('hex')}`,
    protocolVersion: 4,
    username: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    onHandlerError: (error, topic) =>
      log.warn('a live message could not be handled', { topic, error: String(error) }),
  });
  try {
    await link.ready(timeoutMs);
  } catch (error) {
    await link.end(true);
    throw new FieldgraphError(
      'live.unreachable',
      `Cannot reach the broker at ${redact(url)} (${(error as Error).message}). Check the address, or start the demo site.`,
    );
  }
  const pending = new Map<string, Pending>();
  const resultHandlers = new Map<string, () => void>();

  const onResult = (_topic: string, payload: Buffer) => {
    if (payload.length > MAX_REPLY_BYTES) return;
    let body: { id?: unknown; ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } };
    try {
      body = JSON.parse(payload.toString('utf8')) as typeof body;
    } catch {
      return; // another caller's reply may be anything; only ours matter
    }
    if (typeof body?.id !== 'string') return;
    const call = pending.get(body.id);
    if (!call) return;
    pending.delete(body.id);
    clearTimeout(call.timer);
    if (body.ok === true) call.resolve(body.value);
    else {
      const message = typeof body.error?.message === 'string' ? body.error.message : 'the call failed';
      call.reject(
        new FieldgraphError('live.rejected', `Gateway ${call.gatewayId} (${call.method}): ${message}`, {
          code: body.error?.code,
        }),
      );
    }
  };

  const ensureResults = async (gatewayId: string): Promise<void> => {
    const topic = gatewayTopics(gatewayId).rpcResult;
    if (resultHandlers.has(topic)) return;
    resultHandlers.set(topic, link.subscribe(topic, onResult, 1));
    // The link subscribes in the background; wait for this SUBACK so the reply cannot be missed.
    await link.client.subscribeAsync(topic, { qos: 1 });
  };

  const call: BrokerClient['call'] = async (gatewayId, method, args = {}, callTimeoutMs = 8_000) => {
    await ensureResults(gatewayId);
    const id = randomBytes(8).toString('hex');
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(
          new FieldgraphError(
            'live.timeout',
            `Gateway ${gatewayId} did not answer "${method}" within ${Math.round(callTimeoutMs / 1000)} s; is it online on ${redact(url)}?`,
          ),
        );
      }, callTimeoutMs);
      pending.set(id, { resolve, reject, timer, method, gatewayId });
    });
    await link.publish(`${gatewayTopics(gatewayId).rpcPrefix}${method}`, JSON.stringify({ id, args }), {
      qos: 1,
    });
    return reply;
  };

  const watch: BrokerClient['watch'] = (gatewayId, onBatch) => {
    const topic = gatewayTopics(gatewayId).live;
    let skipped = 0;
    const unsubscribe = link.subscribe(topic, (_t, payload) => {
      let batch: unknown;
      try {
        if (payload.length > MAX_BATCH_BYTES) throw new Error(`larger than ${MAX_BATCH_BYTES} bytes`);
        batch = JSON.parse(payload.toString('utf8'));
        if (!Value.Check(LiveBatch, batch)) throw new Error('not in the live batch format');
      } catch (error) {
        // Logged once per watch: a foreign publisher must not flood the log.
        if (skipped++ === 0)
          log.warn('a message on a live topic was skipped', { gatewayId, error: (error as Error).message });
        return;
      }
      onBatch(batch);
    });
    const lease = () =>
      void call(gatewayId, 'live', { seconds: LIVE_LEASE_SECONDS }).catch((error: unknown) =>
        log.debug('the live lease was not renewed', { gatewayId, error: String(error) }),
      );
    lease();
    const timer = setInterval(lease, (LIVE_LEASE_SECONDS * 1000) / 3);
    timer.unref();
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  };

  return {
    url: redact(url),
    call,
    watch,
    async close() {
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new FieldgraphError('live.timeout', `The connection to ${redact(url)} was closed.`));
        pending.delete(id);
      }
      await link.end(false).catch(() => link.end(true));
    },
  };
};
