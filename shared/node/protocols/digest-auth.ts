import { createHash, randomBytes } from 'node:crypto';

/** A parsed `WWW-Authenticate: Digest …` challenge. */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly qop?: string;
  readonly opaque?: string;
  readonly algorithm: string;
}

/** Parses a Digest challenge header; undefined when it is not Digest or lacks realm/nonce. */
export const parseDigestChallenge = (header: string | null): DigestChallenge | undefined => {
  if (!header || !/^\s*Digest\s/i.test(header)) return undefined;
  const fields: Record<string, string> = {};
  for (const m of header
    .replace(/^\s*Digest\s+/i, '')
    .matchAll(/([a-z0-9_-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/gi))
    fields[(m[1] as string).toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  if (!fields.realm || !fields.nonce) return undefined;
  return {
    realm: fields.realm,
    nonce: fields.nonce,
    ...(fields.qop ? { qop: fields.qop } : {}),
    ...(fields.opaque ? { opaque: fields.opaque } : {}),
    algorithm: fields.algorithm ?? 'MD5',
  };
};

const hash = (algorithm: string, text: string): string =>
  createHash(/sha-?256/i.test(algorithm) ? 'sha256' : 'md5')
    .update(text)
    .digest('hex');

/**
 * The `Authorization: Digest …` header for one request (RFC 7616), SHA-256 as Shelly Gen2+
 * asks, MD5 for older servers; `qop=auth` when offered. `nc` counts requests per nonce.
 */
export const digestAuthorization = (
  challenge: DigestChallenge,
  username: string,
  password: string,
  method: string,
  uri: string,
  nc: number,
  cnonce: string = randomBytes(8).toString('hex'),
): string => {
  const alg = challenge.algorithm;
  const ha1 = hash(alg, `${username}:${challenge.realm}:${password}`);
  const ha2 = hash(alg, `${method}:${uri}`);
  const qop = challenge.qop
    ?.split(',')
    .map((q) => q.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const ncText = nc.toString(16).padStart(8, '0');
  const response = qop
    ? hash(alg, `${ha1}:${challenge.nonce}:${ncText}:${cnonce}:${qop}:${ha2}`)
    : hash(alg, `${ha1}:${challenge.nonce}:${ha2}`);
  const parts = [
    `username="${username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${uri}"`,
    `algorithm=${alg}`,
    `response="${response}"`,
    ...(qop ? [`qop=${qop}`, `nc=${ncText}`, `cnonce="${cnonce}"`] : []),
    ...(challenge.opaque ? [`opaque="${challenge.opaque}"`] : []),
  ];
  return `Digest ${parts.join(', ')}`;
};
