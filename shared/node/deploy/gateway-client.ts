/**
 * The installer side of the gateway protocol (shared/core/gateway) on one MQTT link: RPC calls
 * signed with the installer key where the contract says so, replies matched by id and checked
 * against the identity the app pinned, retained statuses read and their signatures checked.
 * Deploy, preview, rollback, pairing and key rotation all go through here, over TLS with client
 * certificates when the broker asks for them.
 */
import { randomBytes } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import { FieldgraphError } from '../../core/errors';
import {
  GatewayStatus,
  RpcReply,
  gatewayMethodSpec,
  gatewayTopics,
  replySignedBy,
  signRequest,
  statusSignatureHolds,
  type GatewayAnswer,
  type GatewayArgs,
  type GatewayMethodName,
} from '../../core/gateway';
import { parseJsonWithin } from '../../core/json/bounded';
import type { SigningKeyPair } from '../../core/package/keys';
import { connectMqtt, type MqttLink } from '../mqtt/link';
import { redactUrl } from '../redact';

/** How to reach the site broker. */
export interface GatewayClientOptions {
  readonly brokerUrl: string;
  readonly username?: string;
  readonly password?: string;
  /** PEM text: the CA to verify the broker, and this client's certificate and key. */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  /** The installer key that signs requests to signed methods. */
  readonly signingKey?: SigningKeyPair;
  readonly connectTimeoutMs?: number;
}

/** Options of one call. */
export interface CallOptions {
  readonly timeoutMs?: number;
  /** The identity pinned for this gateway: a reply not signed by it is refused (`gateway.identity_changed`). */
  readonly identity?: string;
}

/** A retained status as read from the broker, with what its signature says. */
export interface ReadStatus {
  readonly status: GatewayStatus;
  /** True when the status is signed by the identity it names. */
  readonly signed: boolean;
}

/** A connection to the site broker speaking the gateway protocol. */
export interface GatewayClient {
  readonly link: MqttLink;
  /** Calls `method` on `gatewayId`; the answer, or the gateway's refusal as `deploy.rejected` with its code in details. */
  call<M extends GatewayMethodName>(
    gatewayId: string,
    method: M,
    args: GatewayArgs<M>,
    options?: CallOptions,
  ): Promise<GatewayAnswer<M>>;
  /** Like `call`, but also returns the reply envelope (its identity and signature), for pairing. */
  callWithReply<M extends GatewayMethodName>(
    gatewayId: string,
    method: M,
    args: GatewayArgs<M>,
    options?: CallOptions,
  ): Promise<{ value: GatewayAnswer<M>; reply: RpcReply }>;
  /** The retained status of one gateway, or undefined when none arrives within `timeoutMs`. */
  status(gatewayId: string, timeoutMs?: number): Promise<ReadStatus | undefined>;
  /** Every retained gateway status on the broker, collected for `waitMs`, sorted by id. */
  statuses(waitMs?: number): Promise<ReadStatus[]>;
  close(): Promise<void>;
}

const readStatus = (payload: Buffer): ReadStatus | undefined => {
  const parsed = parseJsonWithin(payload.toString('utf8'), { maxLength: 1024 * 1024 });
  if (!parsed.ok || !Value.Check(GatewayStatus, parsed.value)) return undefined;
  return { status: parsed.value, signed: statusSignatureHolds(parsed.value) };
};

/** Connects to the broker; `deploy.unreachable` when it cannot within the timeout. */
export const openGatewayClient = async (options: GatewayClientOptions): Promise<GatewayClient> => {
  const timeout = options.connectTimeoutMs ?? 5_000;
  const link = connectMqtt({
    url: options.brokerUrl,
    clientId: `fieldgraph-app-${randomBytes(5).toString('hex')}`,
    protocolVersion: 4,
    username: options.username,
    password: options.password,
    ...(options.tls ? { tls: options.tls } : {}),
    connectTimeoutMs: timeout,
    reconnectPeriodMs: 500,
  });
  // A TLS handshake or login the broker refuses will be refused again: say so at once instead of
  // retrying until the timeout.
  let onError: ((error: Error) => void) | undefined;
  const refused = new Promise<never>((_resolve, reject) => {
    onError = (error: Error) => {
      const code = String((error as { code?: unknown }).code ?? '');
      if (
        /^ERR_(SSL|TLS)/.test(code) ||
        /alert|certificate|not authori[sz]ed|bad user ?name/i.test(error.message)
      )
        reject(error);
    };
    link.client.on('error', onError);
  });
  refused.catch(() => {});
  try {
    await Promise.race([link.ready(timeout), refused]);
  } catch (error) {
    await link.end(true);
    throw new FieldgraphError(
      'deploy.unreachable',
      `Cannot reach the site broker at ${redactUrl(options.brokerUrl)} (${(error as Error).message.trim()}). Check the address, the port and, for TLS, the certificates.`,
    );
  } finally {
    if (onError) link.client.off('error', onError);
  }

  const callWithReply = async <M extends GatewayMethodName>(
    gatewayId: string,
    method: M,
    args: GatewayArgs<M>,
    callOptions: CallOptions = {},
  ): Promise<{ value: GatewayAnswer<M>; reply: RpcReply }> => {
    const spec = gatewayMethodSpec(method)!;
    const topics = gatewayTopics(gatewayId);
    const id = randomBytes(8).toString('hex');
    let auth;
    if (spec.signed) {
      if (!options.signingKey)
        throw new FieldgraphError(
          'gateway.rpc_unsigned',
          `"${method}" must be signed with an installer key; give the key to use.`,
        );
      auth = signRequest(options.signingKey, {
        gatewayId,
        method,
        args,
        nonce: randomBytes(16).toString('hex'),
        at: new Date().toISOString(),
      });
    }
    const timeoutMs = callOptions.timeoutMs ?? 5_000;
    let unsubscribe = () => {};
    const reply = new Promise<RpcReply>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new FieldgraphError(
              'deploy.timeout',
              `Gateway ${gatewayId} did not answer "${method}" within ${timeoutMs} ms; is it online?`,
            ),
          ),
        timeoutMs,
      );
      unsubscribe = link.subscribe(
        topics.rpcResult,
        (_topic, payload) => {
          const parsed = parseJsonWithin(payload.toString('utf8'));
          if (!parsed.ok || !Value.Check(RpcReply, parsed.value) || parsed.value.id !== id) return;
          const body = parsed.value;
          // Anyone on the broker can publish on rpc/result: with a pinned identity, only its signed reply counts.
          if (callOptions.identity && !replySignedBy(body, gatewayId, callOptions.identity)) return;
          clearTimeout(timer);
          resolve(body);
        },
        1,
      );
    });
    try {
      // Let the subscription reach the broker before the request can be answered.
      await new Promise((r) => setTimeout(r, 20));
      await link.publish(
        `${topics.rpcPrefix}${method}`,
        JSON.stringify({ id, args, ...(auth ? { auth } : {}) }),
        {
          qos: 1,
        },
      );
      const body = await reply;
      if (!body.ok) {
        throw new FieldgraphError(
          'deploy.rejected',
          `Gateway ${gatewayId}: ${body.error?.message ?? 'the call failed'}`,
          {
            code: body.error?.code,
          },
        );
      }
      return { value: body.value as GatewayAnswer<M>, reply: body };
    } finally {
      unsubscribe();
    }
  };

  const collect = (filter: string, waitMs: number, stopEarly?: string) =>
    new Promise<Map<string, ReadStatus>>((resolve) => {
      const seen = new Map<string, ReadStatus>();
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        unsubscribe();
        resolve(seen);
      };
      const timer = setTimeout(done, waitMs);
      const unsubscribe = link.subscribe(
        filter,
        (topic, payload) => {
          const read = readStatus(payload);
          // A status is only believed for the topic it was published on.
          if (!read || topic !== gatewayTopics(read.status.id).status) return;
          seen.set(read.status.id, read);
          if (stopEarly === read.status.id) done();
        },
        1,
      );
    });

  return {
    link,
    callWithReply,
    call: async (gatewayId, method, args, callOptions) =>
      (await callWithReply(gatewayId, method, args, callOptions)).value,
    status: async (gatewayId, timeoutMs = 5_000) =>
      (await collect(gatewayTopics(gatewayId).status, timeoutMs, gatewayId)).get(gatewayId),
    statuses: async (waitMs = 800) =>
      [...(await collect(gatewayTopics('+').status, waitMs)).values()].sort((a, b) =>
        a.status.id.localeCompare(b.status.id),
      ),
    close: () => link.end(true),
  };
};

/** Opens a client, runs `work`, and closes the client whatever happens. */
export const withGatewayClient = async <T>(
  options: GatewayClientOptions,
  work: (client: GatewayClient) => Promise<T>,
): Promise<T> => {
  const client = await openGatewayClient(options);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
};
