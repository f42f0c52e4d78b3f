import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { FieldgraphError } from '../../core/errors';
import { sealingKeyFingerprint } from '../../core/gateway';
import {
  encodeKey,
  fingerprint,
  generateSigningKey,
  signingKeyFromSecret,
  type SigningKeyPair,
} from '../../core/package/keys';

/**
 * The gateway's own keys: an Ed25519 identity that signs its status and RPC replies (what the
 * app pins when it pairs), and an X25519 key pair that packages seal their secrets to.
 */
export interface GatewayIdentity {
  /** Hex of the 32-byte X25519 public key. */
  readonly publicKey: string;
  /** Hex of the 32-byte X25519 secret key; never logged, never sent. */
  readonly secretKey: string;
  /** Short, stable identifier of the X25519 key, announced over mDNS and in the status. */
  readonly fingerprint: string;
  /** The Ed25519 identity key pair (its seed never leaves the data folder). */
  readonly signing: SigningKeyPair;
  /** `ed25519:<hex>` of the identity. */
  readonly identity: string;
  /** What a person compares when pairing: the identity's fingerprint. */
  readonly identityFingerprint: string;
}

/** The fingerprint of an X25519 public key (shared/core/gateway's sealingKeyFingerprint). */
export const keyFingerprint = sealingKeyFingerprint;

const FILE = 'identity.json';
const HEX64 = /^[0-9a-f]{64}$/;

interface Stored {
  schemaVersion: 1;
  publicKey: string;
  secretKey: string;
  /** Hex of the Ed25519 seed; added on the first start of a version that signs. */
  identitySeed?: string;
}

const save = (path: string, stored: Stored): void =>
  writeFileAtomic.sync(path, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });

/**
 * Loads the gateway keys from `dataDir`, creating them (file mode 0600) on first start; a key
 * file from before the identity existed gets one added, keeping its sealing key.
 */
export const loadGatewayIdentity = (dataDir: string): GatewayIdentity => {
  const path = join(dataDir, FILE);
  let stored: Stored;
  if (existsSync(path)) {
    try {
      stored = JSON.parse(readFileSync(path, 'utf8')) as Stored;
    } catch (error) {
      throw new FieldgraphError(
        'gateway.invalid_options',
        `The gateway key file ${path} cannot be read (${(error as Error).message}); restore it from a backup. A new key would mean re-pairing every app and re-sealing every package.`,
      );
    }
    if (!HEX64.test(stored.publicKey ?? '') || !HEX64.test(stored.secretKey ?? '')) {
      throw new FieldgraphError(
        'gateway.invalid_options',
        `The gateway key file ${path} is damaged; restore it from a backup.`,
      );
    }
    if (!stored.identitySeed || !HEX64.test(stored.identitySeed)) {
      stored = { ...stored, identitySeed: bytesToHex(generateSigningKey().secretKey) };
      save(path, stored);
    }
  } else {
    mkdirSync(dataDir, { recursive: true });
    const { secretKey, publicKey } = x25519.keygen();
    stored = {
      schemaVersion: 1,
      publicKey: bytesToHex(publicKey),
      secretKey: bytesToHex(secretKey),
      identitySeed: bytesToHex(generateSigningKey().secretKey),
    };
    save(path, stored);
  }
  const signing = signingKeyFromSecret(hexToBytes(stored.identitySeed!));
  return {
    publicKey: stored.publicKey,
    secretKey: stored.secretKey,
    fingerprint: keyFingerprint(stored.publicKey),
    signing,
    identity: encodeKey('ed25519', signing.publicKey),
    identityFingerprint: fingerprint(signing.publicKey),
  };
};
