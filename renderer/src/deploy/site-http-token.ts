/**
 * The site's HTTP token (what flow HTTP endpoints and the gateway panel ask for, sent as
 * `Authorization: Bearer <token>`): where the secret store keeps it, whether a typed one is
 * strong enough, and a strong random one. Nothing here keeps or logs a value.
 */
import type { Site } from '../../../shared/core/model/schemas';

/** Where the secret store keeps a site's token; the site file names it as `"http": {"token": {"secret": …}}`. */
export const siteHttpTokenRef = (siteId: string): string => `site/${siteId}/http`;

/** The reference a site file names for its token, or null. */
export const namedHttpToken = (site: Site | null): string | null => site?.http?.token.secret || null;

/** Fewer characters than this can be guessed by trying. */
export const MIN_TOKEN_LENGTH = 16;
/** An Authorization header stays well within what every HTTP server reads. */
export const MAX_TOKEN_LENGTH = 256;
/** Fewer different characters than this is a pattern (`abababab…`, `1111…`), not a secret. */
const MIN_DISTINCT = 8;
/** Roughly what guessing needs to try: length × log2(size of the character classes used). */
const MIN_BITS = 64;

const describe = (ch: string): string => {
  const code = ch.codePointAt(0)!;
  if (ch === ' ') return 'a space';
  if (ch === '\t') return 'a tab';
  if (ch === '\n' || ch === '\r') return 'a line break';
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).padStart(4, '0')})`;
  return `“${ch}”`;
};

/** The size of the character classes `token` draws from (lower, upper, digits, symbols). */
const poolSize = (token: string): number =>
  (/[a-z]/.test(token) ? 26 : 0) +
  (/[A-Z]/.test(token) ? 26 : 0) +
  (/[0-9]/.test(token) ? 10 : 0) +
  (/[^a-zA-Z0-9]/.test(token) ? 32 : 0);

/**
 * Why a typed token cannot be the site's HTTP token, naming the problem and the fix; null when
 * it can. It must be one word of printable ASCII (what a Bearer header carries), at least
 * MIN_TOKEN_LENGTH characters, with enough different characters not to be a pattern.
 */
export const tokenProblem = (token: string): string | null => {
  if (token === '') return 'Type a token, or generate one.';
  const chars = [...token];
  const bad = chars.findIndex((ch) => !/^[\x21-\x7e]$/.test(ch));
  if (bad >= 0) {
    const ch = chars[bad]!;
    const fix = /\s/.test(ch)
      ? 'A Bearer token is one word: remove it'
      : 'HTTP headers carry only printable ASCII (letters, digits, symbols): use those';
    return `The token has ${describe(ch)} at character ${bad + 1}. ${fix}, or generate one.`;
  }
  if (chars.length < MIN_TOKEN_LENGTH)
    return `The token has ${chars.length} characters; it needs at least ${MIN_TOKEN_LENGTH} so it cannot be guessed. Type a longer one, or generate one.`;
  if (chars.length > MAX_TOKEN_LENGTH)
    return `The token has ${chars.length} characters; at most ${MAX_TOKEN_LENGTH} fit in every client's header. Type a shorter one, or generate one.`;
  const distinct = new Set(chars).size;
  if (distinct < MIN_DISTINCT)
    return `The token uses only ${distinct} different character${distinct === 1 ? '' : 's'}, a pattern that is easy to guess. Use at least ${MIN_DISTINCT} (mix letters, digits and symbols), or generate one.`;
  if (chars.length * Math.log2(poolSize(token)) < MIN_BITS)
    return `The token is too easy to guess for its kind of characters (only digits need ${Math.ceil(MIN_BITS / Math.log2(10))}). Make it longer or mix letters, digits and symbols, or generate one.`;
  return null;
};

/**
 * A new random token: 32 bytes from the browser's cryptographic generator, written as base64url
 * (43 characters of letters, digits, `-` and `_`), which passes tokenProblem.
 */
export const generateToken = (
  random: (bytes: Uint8Array) => void = (b) => crypto.getRandomValues(b),
): string => {
  const bytes = new Uint8Array(32);
  random(bytes);
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** The site with its file naming `ref` as its HTTP token (or naming none when ref is null). */
export const withHttpToken = (site: Site, ref: string | null): Site => {
  const next: Site = { ...site };
  delete next.http;
  return ref ? { ...next, http: { token: { secret: ref } } } : next;
};
