/**
 * A gateway's RPC over its HTTP endpoint (`POST /v1/rpc/<method>`, the same envelope as over
 * MQTT): the request signed with the installer key where the contract says so, the reply bounded
 * before it is read and, when the app paired with the gateway, refused unless signed by it.
 */
import { randomBytes } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import { FieldgraphError } from '../../core/errors';
import {
  RpcReply,
  gatewayMethodSpec,
  replySignedBy,
  signRequest,
  type GatewayAnswer,
  type GatewayArgs,
  type GatewayMethodName,
} from '../../core/gateway';
import { parseJsonWithin } from '../../core/json/bounded';
import type { SigningKeyPair } from '../../core/package/keys';

/** A page of traces is the largest answer; anything far bigger is refused unread. */
const MAX_REPLY_BYTES = 16 * 1024 * 1024;

const readBounded = async (response: Response): Promise<string> => {
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_REPLY_BYTES) throw new Error(`the answer is larger than ${MAX_REPLY_BYTES} bytes`);
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_REPLY_BYTES) {
      await reader.cancel();
      throw new Error(`the answer is larger than ${MAX_REPLY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/** Calls `method` on the gateway at `httpUrl`; `live.*` errors name the gateway and what went wrong. */
export const callGatewayHttp = async <M extends GatewayMethodName>(
  gateway: { readonly httpUrl: string; readonly gatewayId: string },
  method: M,
  args: GatewayArgs<M>,
  options: {
    readonly signingKey?: SigningKeyPair;
    readonly identity?: string;
    readonly timeoutMs?: number;
  } = {},
): Promise<GatewayAnswer<M>> => {
  const { httpUrl, gatewayId } = gateway;
  const spec = gatewayMethodSpec(method)!;
  const id = randomBytes(8).toString('hex');
  const auth =
    spec.signed && options.signingKey
      ? signRequest(options.signingKey, {
          gatewayId,
          method,
          args,
          nonce: randomBytes(16).toString('hex'),
          at: new Date().toISOString(),
        })
      : undefined;
  let text: string;
  try {
    const response = await fetch(new URL(`/v1/rpc/${method}`, httpUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, args, ...(auth ? { auth } : {}) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 8_000),
    });
    text = await readBounded(response);
  } catch (error) {
    throw new FieldgraphError(
      'live.unreachable',
      `The gateway ${gatewayId} at ${httpUrl} did not answer "${method}" (${(error as Error).message}).`,
    );
  }
  const parsed = parseJsonWithin(text);
  if (!parsed.ok || !Value.Check(RpcReply, parsed.value) || parsed.value.id !== id)
    throw new FieldgraphError(
      'live.rejected',
      `The gateway ${gatewayId} at ${httpUrl} sent an answer to "${method}" that is not a gateway reply.`,
    );
  const reply = parsed.value;
  if (options.identity && !replySignedBy(reply, gatewayId, options.identity))
    throw new FieldgraphError(
      'live.rejected',
      `The answer from ${httpUrl} is not signed by gateway ${gatewayId} as paired: another device may be answering at that address.`,
    );
  if (!reply.ok)
    throw new FieldgraphError(
      'live.rejected',
      `Gateway ${gatewayId}: ${reply.error?.message ?? 'the call failed'}`,
      {
        code: reply.error?.code,
      },
    );
  return reply.value as GatewayAnswer<M>;
};
