/**
 * secrets.sealed: site secrets (Wi-Fi, broker credentials) encrypted to one gateway's X25519
 * key with XChaCha20-Poly1305, bound to the package id and version so a sealed file cannot be
 * moved into another package. The ephemeral key and nonce are derived from the inputs (the
 * way RFC 6979 derives signature nonces), so packing stays byte-reproducible; the derivation
 * includes the installer's secret key, so no one without it can predict them.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { FieldgraphError } from '../errors';
import { fromHex, fromUtf8, toHex, utf8 } from './bytes';
import { fingerprint } from './keys';

/** The JSON written to secrets.sealed. */
export interface SealedSecrets {
  readonly alg: 'x25519-hkdf-sha256-xchacha20poly1305';
  /** Fingerprint of the gateway key it is sealed to. */
  readonly to: string;
  readonly epk: string;
  readonly nonce: string;
  readonly ciphertext: string;
}

const context = (packageId: string, version: number): Uint8Array =>
  utf8(`fieldgraph-secrets/1|${packageId}|${version}`);

const deriveKey = (shared: Uint8Array, epk: Uint8Array, recipient: Uint8Array): Uint8Array =>
  hkdf(sha256, shared, concatBytes(epk, recipient), utf8('fieldgraph-secrets/1 key'), 32);

/** Seals `secrets` to `gatewayPublicKey`; deterministic for the same inputs. */
export const sealSecrets = (
  secrets: Readonly<Record<string, string>>,
  gatewayPublicKey: Uint8Array,
  bind: { packageId: string; version: number; signingSecretKey: Uint8Array },
): SealedSecrets => {
  const plaintext = utf8(
    JSON.stringify(Object.fromEntries(Object.entries(secrets).sort(([a], [b]) => (a < b ? -1 : 1)))),
  );
  const aad = context(bind.packageId, bind.version);
  const seed = hkdf(
    sha256,
    bind.signingSecretKey,
    concatBytes(gatewayPublicKey, aad, sha256(plaintext)),
    utf8('fieldgraph-secrets/1 ephemeral'),
    56,
  );
  const ephemeral = seed.subarray(0, 32);
  const nonce = seed.subarray(32, 56);
  const epk = x25519.getPublicKey(ephemeral);
  const key = deriveKey(x25519.getSharedSecret(ephemeral, gatewayPublicKey), epk, gatewayPublicKey);
  const ciphertext = xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
  return {
    alg: 'x25519-hkdf-sha256-xchacha20poly1305',
    to: fingerprint(gatewayPublicKey),
    epk: toHex(epk),
    nonce: toHex(nonce),
    ciphertext: toHex(ciphertext),
  };
};

/** Opens sealed secrets with the gateway's X25519 secret key; `package.secrets_unreadable` when it cannot. */
export const openSecrets = (
  sealed: SealedSecrets,
  gatewaySecretKey: Uint8Array,
  bind: { packageId: string; version: number },
): Record<string, string> => {
  const recipient = x25519.getPublicKey(gatewaySecretKey);
  if (sealed.to !== fingerprint(recipient)) {
    throw new FieldgraphError(
      'package.secrets_unreadable',
      `The secrets are sealed to gateway key ${sealed.to}, not to this gateway (${fingerprint(recipient)}). Pack again for this gateway.`,
    );
  }
  try {
    const epk = fromHex(sealed.epk);
    const key = deriveKey(x25519.getSharedSecret(gatewaySecretKey, epk), epk, recipient);
    const plain = xchacha20poly1305(
      key,
      fromHex(sealed.nonce),
      context(bind.packageId, bind.version),
    ).decrypt(fromHex(sealed.ciphertext));
    return JSON.parse(fromUtf8(plain)) as Record<string, string>;
  } catch {
    throw new FieldgraphError(
      'package.secrets_unreadable',
      'The sealed secrets do not open with this gateway key; pack the package again.',
    );
  }
};
