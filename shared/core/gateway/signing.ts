/**
 * Signatures of the gateway protocol, all Ed25519 over canonical JSON (keys sorted, no spaces):
 * - a request to a signed method, by an installer key, over the method, its arguments, the
 *   gateway id, a nonce and the time (so it cannot be replayed, redirected to another gateway
 *   or altered);
 * - the retained status and every RPC reply, by the gateway's identity key (so an app that
 *   pinned the identity at pairing can tell them from forgeries).
 */
import { FieldgraphError } from '../errors';
import { fromHex, sha256Hex, toHex, utf8 } from '../package/bytes';
import {
  decodeKey,
  encodeKey,
  fingerprint,
  sign,
  verifySignature,
  type SigningKeyPair,
} from '../package/keys';
import { parseRfc3339 } from '../time/rfc3339';
import { GatewayStatus, type RequestAuth, type RpcReply } from './schemas';

/**
 * The canonical JSON text of a value: object keys sorted, no whitespace, `undefined` members
 * left out (as JSON.stringify does). Equal JSON values give equal text on every platform.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || typeof member === 'function') continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${parts.join(',')}}`;
};

/** The bytes an installer signs for one request. */
export const requestSigningBytes = (input: {
  gatewayId: string;
  method: string;
  args: unknown;
  nonce: string;
  at: string;
}): Uint8Array =>
  utf8(
    `fieldgraph-rpc/1\n${input.gatewayId}\n${input.method}\n${input.nonce}\n${input.at}\n${canonicalJson(input.args ?? {})}`,
  );

/** Signs a request for `method` on `gatewayId` with an installer key; `nonce` is fresh random hex. */
export const signRequest = (
  key: SigningKeyPair,
  input: { gatewayId: string; method: string; args: unknown; nonce: string; at: string },
): RequestAuth => ({
  key: encodeKey('ed25519', key.publicKey),
  nonce: input.nonce,
  at: input.at,
  signature: toHex(sign(requestSigningBytes(input), key.secretKey)),
});

/** How long a signed request stays acceptable either side of the gateway's clock (ms). */
export const REQUEST_WINDOW_MS = 5 * 60_000;

/**
 * Remembers the nonces of accepted requests for as long as their time is inside the window, so
 * the same signed request is accepted once. Pure: the caller passes the time.
 */
export class NonceBook {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs = REQUEST_WINDOW_MS) {}
  /** False when `key`+`nonce` was already used; otherwise records it (until `at` + window). */
  use(key: string, nonce: string, at: number, now: number): boolean {
    if (this.seen.size > 1000) for (const [k, until] of this.seen) if (until < now) this.seen.delete(k);
    const id = `${key}|${nonce}`;
    if (this.seen.has(id)) return false;
    this.seen.set(id, at + this.windowMs);
    return true;
  }
}

/** What `checkRequest` needs from the gateway. */
export interface RequestCheck {
  readonly gatewayId: string;
  readonly method: string;
  readonly args: unknown;
  readonly auth: RequestAuth | undefined;
  /** Fingerprints of the keys allowed to sign this request. */
  readonly allowed: readonly string[];
  readonly now: number;
  /** Requests signed before this time (the gateway's start) are refused: the nonce book is new. */
  readonly notBefore?: number;
  readonly nonces: NonceBook;
  readonly windowMs?: number;
}

/**
 * Checks a signed request and records its nonce; throws `gateway.rpc_unsigned`,
 * `gateway.rpc_untrusted_key`, `gateway.rpc_bad_signature`, `gateway.rpc_stale` or
 * `gateway.rpc_replayed`. Returns the signer's fingerprint.
 */
export const checkRequest = (check: RequestCheck): string => {
  const { auth, method } = check;
  if (!auth) {
    throw new FieldgraphError(
      'gateway.rpc_unsigned',
      `"${method}" changes the gateway or reads site data, so the request must be signed by a trusted installer key; use the Fieldgraph app or the fieldgraph CLI with --key.`,
    );
  }
  const key = decodeKey('ed25519', auth.key);
  const signer = fingerprint(key);
  if (!check.allowed.includes(signer)) {
    throw new FieldgraphError(
      'gateway.rpc_untrusted_key',
      `The request is signed by key ${signer}, which gateway ${check.gatewayId} does not trust. Pair the app with the gateway or enrol the key with --trust.`,
      { signer },
    );
  }
  const payload = requestSigningBytes({
    gatewayId: check.gatewayId,
    method,
    args: check.args,
    nonce: auth.nonce,
    at: auth.at,
  });
  if (!verifySignature(fromHex(auth.signature), payload, key)) {
    throw new FieldgraphError(
      'gateway.rpc_bad_signature',
      `The signature on "${method}" does not match the request: it was changed, or signed for another gateway.`,
      { signer },
    );
  }
  const at = parseRfc3339(auth.at);
  const window = check.windowMs ?? REQUEST_WINDOW_MS;
  if (
    at === undefined ||
    Math.abs(check.now - at) > window ||
    (check.notBefore !== undefined && at < check.notBefore)
  ) {
    throw new FieldgraphError(
      'gateway.rpc_stale',
      `The request was signed at ${JSON.stringify(auth.at)}, outside the ${window / 60_000} minutes the gateway accepts (or before it started). Check the clocks of this computer and the gateway, and send it again.`,
      { at: auth.at },
    );
  }
  if (!check.nonces.use(auth.key, auth.nonce, at, check.now)) {
    throw new FieldgraphError(
      'gateway.rpc_replayed',
      `This signed "${method}" request was already received once (same nonce); a request is accepted only once.`,
    );
  }
  return signer;
};

const replyBody = (reply: Omit<RpcReply, 'signature' | 'identity'>, gatewayId: string): Uint8Array =>
  utf8(
    `fieldgraph-rpc-reply/1\n${gatewayId}\n${reply.method}\n${canonicalJson(reply.id ?? null)}\n${canonicalJson(
      {
        ok: reply.ok,
        value: reply.value,
        error: reply.error,
      },
    )}`,
  );

/** A reply signed by the gateway's identity key. */
export const signReply = (
  reply: Omit<RpcReply, 'signature' | 'identity'>,
  gatewayId: string,
  identity: SigningKeyPair,
): RpcReply => ({
  ...reply,
  identity: encodeKey('ed25519', identity.publicKey),
  signature: toHex(sign(replyBody(reply, gatewayId), identity.secretKey)),
});

/** True when `reply` carries a valid signature by `identity` (`ed25519:<hex>`). */
export const replySignedBy = (reply: RpcReply, gatewayId: string, identity: string): boolean => {
  if (!reply.signature || reply.identity !== identity) return false;
  const { signature, identity: _identity, ...body } = reply;
  return verifySignature(fromHex(signature), replyBody(body, gatewayId), decodeKey('ed25519', identity));
};

// Only the status document's own fields are signed, so the `status` RPC can answer with the
// signed document plus what it measures now, and the signature still holds.
const STATUS_FIELDS = Object.keys(GatewayStatus.properties).filter((k) => k !== 'signature');
const statusBody = (status: Omit<GatewayStatus, 'signature'>): Uint8Array =>
  utf8(
    `fieldgraph-status/1\n${canonicalJson(Object.fromEntries(STATUS_FIELDS.map((k) => [k, (status as Record<string, unknown>)[k]])))}`,
  );

/** The status with `identity` and `signature` set by the gateway's identity key. */
export const signStatus = (
  status: Omit<GatewayStatus, 'signature' | 'identity'>,
  identity: SigningKeyPair,
): GatewayStatus => {
  const withIdentity = { ...status, identity: encodeKey('ed25519', identity.publicKey) };
  return { ...withIdentity, signature: toHex(sign(statusBody(withIdentity), identity.secretKey)) };
};

/** True when the status carries a valid signature by the identity it names. */
export const statusSignatureHolds = (status: GatewayStatus): boolean => {
  if (!status.signature || !status.identity) return false;
  const { signature, ...body } = status;
  try {
    return verifySignature(fromHex(signature), statusBody(body), decodeKey('ed25519', status.identity));
  } catch {
    return false;
  }
};

/** The fingerprint people compare for a gateway identity (`ed25519:<hex>`). */
export const identityFingerprint = (identity: string): string => fingerprint(decodeKey('ed25519', identity));

/**
 * The fingerprint of a gateway's X25519 sealing key (hex): the first 8 bytes of its SHA-256, in
 * colon-separated groups of four hex digits, as the status and mDNS announce it.
 */
export const sealingKeyFingerprint = (publicKeyHex: string): string =>
  sha256Hex(fromHex(publicKeyHex)).slice(0, 16).match(/..../g)!.join(':');
