/**
 * Key material for packages: Ed25519 signing keys for installers, X25519 sealing keys for
 * gateways, their text forms and their fingerprints (what two people compare on two screens).
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { FieldgraphError } from '../errors';
import { packageCrypto } from './primitives';
import { fromHex, toHex } from './bytes';

/** An installer's Ed25519 key pair; `secretKey` is the 32-byte seed. */
export interface SigningKeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A gateway's X25519 key pair that package secrets are sealed to. */
export interface SealingKeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A fresh Ed25519 signing key from the platform's secure random source. */
export const generateSigningKey = (): SigningKeyPair => signingKeyFromSecret(randomBytes(32));

/** The key pair for a 32-byte Ed25519 seed. */
export const signingKeyFromSecret = (secretKey: Uint8Array): SigningKeyPair => {
  if (secretKey.length !== 32) {
    throw new FieldgraphError('keys.invalid', `A signing key must be 32 bytes, not ${secretKey.length}.`);
  }
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
};

/** A fresh X25519 sealing key for a gateway. */
export const generateSealingKey = (): SealingKeyPair => {
  const secretKey = randomBytes(32);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
};

/** The sealing key pair for a 32-byte X25519 secret. */
export const sealingKeyFromSecret = (secretKey: Uint8Array): SealingKeyPair => ({
  secretKey,
  publicKey: x25519.getPublicKey(secretKey),
});

/**
 * A public key's fingerprint: the first 16 bytes of its SHA-256 in eight groups of four hex
 * digits — short enough to read aloud, long enough that no one can forge a match.
 */
export const fingerprint = (publicKey: Uint8Array): string =>
  (toHex(sha256(publicKey).subarray(0, 16)).match(/.{4}/g) ?? []).join(':');

/** Text form of a key: `<kind>:<64 hex digits>`. */
export const encodeKey = (
  kind: 'ed25519' | 'ed25519-secret' | 'x25519' | 'x25519-secret',
  key: Uint8Array,
): string => `${kind}:${toHex(key)}`;

/** The 32 key bytes of a text key of the given kind; a clear `keys.invalid` error otherwise. */
export const decodeKey = (
  kind: 'ed25519' | 'ed25519-secret' | 'x25519' | 'x25519-secret',
  text: string,
): Uint8Array => {
  const match = /^([a-z0-9-]+):([0-9a-f]{64})$/.exec(text.trim());
  if (!match || match[1] !== kind) {
    throw new FieldgraphError(
      'keys.invalid',
      `Expected a key of the form "${kind}:" followed by 64 hex digits; check that you picked the right key file.`,
      { expected: kind },
    );
  }
  return fromHex(match[2]!);
};

/** Ed25519 signature of `message`. */
export const sign = (message: Uint8Array, secretKey: Uint8Array): Uint8Array =>
  packageCrypto().sign(message, secretKey);

/** True when `signature` is a valid Ed25519 signature of `message` by `publicKey`; never throws. */
export const verifySignature = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean =>
  signature.length === 64 && publicKey.length === 32 && packageCrypto().verify(signature, message, publicKey);
