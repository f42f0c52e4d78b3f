import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/** The gateway's own key pair: packages seal their secrets to `publicKey` (X25519). */
export interface GatewayIdentity {
  /** Hex of the 32-byte X25519 public key. */
  readonly publicKey: string;
  /** Hex of the 32-byte X25519 secret key; never logged, never sent. */
  readonly secretKey: string;
  /** Short, stable identifier of the public key, announced over mDNS and in the status. */
  readonly fingerprint: string;
}

/** The fingerprint of an X25519 public key: the first 8 bytes of its SHA-256, hex, colon-separated pairs of bytes. */
export const keyFingerprint = (publicKeyHex: string): string =>
  bytesToHex(sha256(hexToBytes(publicKeyHex)).slice(0, 8))
    .match(/..../g)!
    .join(':');

const FILE = 'identity.json';

/** Loads the gateway key from `dataDir`, creating it (file mode 0600) on first start. */
export const loadGatewayIdentity = (dataDir: string): GatewayIdentity => {
  const path = join(dataDir, FILE);
  if (existsSync(path)) {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as { publicKey: string; secretKey: string };
    return { ...stored, fingerprint: keyFingerprint(stored.publicKey) };
  }
  mkdirSync(dataDir, { recursive: true });
  const { secretKey, publicKey } = x25519.keygen();
  const stored = { schemaVersion: 1, publicKey: bytesToHex(publicKey), secretKey: bytesToHex(secretKey) };
  writeFileSync(path, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return {
    publicKey: stored.publicKey,
    secretKey: stored.secretKey,
    fingerprint: keyFingerprint(stored.publicKey),
  };
};
