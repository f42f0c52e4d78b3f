/**
 * The app's side of a running gateway's live view over the site broker: RPC calls through the
 * gateway protocol client (signed with the key the gateway trusts, replies checked against its
 * pinned identity when one is known), and the live stream on `…/live`, kept switched on by
 * renewing the gateway's `live` lease while someone watches.
 */
import { Value } from '@sinclair/typebox/value';
import { LiveBatch } from '../../core/engine/live';
import { FieldgraphError } from '../../core/errors';
import {
  gatewayTopics,
  type GatewayAnswer,
  type GatewayArgs,
  type GatewayMethodName,
} from '../../core/gateway';
import { parseJsonWithin } from '../../core/json/bounded';
import type { SigningKeyPair } from '../../core/package/keys';
import { openGatewayClient, type GatewayClient } from '../deploy/gateway-client';
import type { Logger } from '../log';
import { redactUrl } from '../redact';

/** A live batch is bounded by the gateway (LIVE_LIMITS); anything far bigger is not one. */
const MAX_BATCH_CHARS = 4 * 1024 * 1024;
/** How long the gateway keeps its live stream on after a lease (its `live` RPC); renewed at a third of it. */
export const LIVE_LEASE_SECONDS = 30;

/** One broker connection, signing as one installer key, shared by every gateway the app watches on that broker. */
export interface BrokerClient {
  readonly url: string;
  /** Calls a gateway's RPC method; rejects with the gateway's refusal (`live.rejected`) or `live.timeout`. */
  call<M extends GatewayMethodName>(
    gatewayId: string,
    method: M,
    args: GatewayArgs<M>,
    options?: { timeoutMs?: number; identity?: string },
  ): Promise<GatewayAnswer<M>>;
  /**
   * Streams a gateway's live batches to `onBatch` (checked against the LiveBatch format; others
   * are skipped) and keeps renewing its lease, signed as `identity` expects. Returns the stop function.
   */
  watch(gatewayId: string, onBatch: (batch: LiveBatch) => void, identity?: string): () => void;
  close(): Promise<void>;
}

/** The protocol client's codes, in the live area's words (the messages already say what happened). */
const asLive = (error: unknown): unknown => {
  if (!(error instanceof FieldgraphError)) return error;
  if (error.code === 'deploy.timeout')
    return new FieldgraphError('live.timeout', error.message, error.details);
  if (error.code === 'deploy.rejected')
    return new FieldgraphError('live.rejected', error.message, error.details);
  if (error.code === 'deploy.unreachable')
    return new FieldgraphError('live.unreachable', error.message, error.details);
  return error;
};

/** Connects to a broker for RPC and live streams; fails with `live.unreachable` when it cannot. */
export const openBrokerClient = async (
  url: string,
  log: Logger,
  signingKey?: SigningKeyPair,
  timeoutMs = 5_000,
): Promise<BrokerClient> => {
  const parsed = new URL(url);
  let client: GatewayClient;
  try {
    client = await openGatewayClient({
      brokerUrl: `${parsed.protocol}//${parsed.host}`,
      username: decodeURIComponent(parsed.username) || undefined,
      password: decodeURIComponent(parsed.password) || undefined,
      ...(signingKey ? { signingKey } : {}),
      connectTimeoutMs: timeoutMs,
    });
  } catch (error) {
    throw new FieldgraphError(
      'live.unreachable',
      `Cannot reach the broker at ${redactUrl(url)} (${(error as Error).message}). Check the address, or start the demo site.`,
    );
  }

  const call: BrokerClient['call'] = async (gatewayId, method, args, options = {}) => {
    try {
      return await client.call(gatewayId, method, args, {
        timeoutMs: options.timeoutMs ?? 8_000,
        ...options,
      });
    } catch (error) {
      throw asLive(error);
    }
  };

  const watch: BrokerClient['watch'] = (gatewayId, onBatch, identity) => {
    let skipped = 0;
    const unsubscribe = client.link.subscribe(gatewayTopics(gatewayId).live, (_t, payload) => {
      const read = parseJsonWithin(payload.toString('utf8'), { maxLength: MAX_BATCH_CHARS });
      if (!read.ok || !Value.Check(LiveBatch, read.value) || read.value.gatewayId !== gatewayId) {
        // Logged once per watch: a foreign publisher must not flood the log.
        if (skipped++ === 0)
          log.warn('a message on a live topic is not a live batch and was skipped', { gatewayId });
        return;
      }
      onBatch(read.value);
    });
    // A lease that fails (the gateway restarting) is retried at the next renewal.
    const lease = () =>
      void call(gatewayId, 'live', { seconds: LIVE_LEASE_SECONDS }, identity ? { identity } : {}).catch(
        (error: unknown) => log.debug('the live lease was not renewed', { gatewayId, error: String(error) }),
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
    url: redactUrl(url),
    call,
    watch,
    close: () => client.close(),
  };
};
