/**
 * The hash and signature primitives packages use. Pure-JS @noble everywhere by default; a
 * Node program swaps in node:crypto (the same algorithms, the same bytes — Ed25519 signatures
 * are deterministic) because on a gateway-class CPU it is 10–30× faster, which decides
 * whether a 1,000-node package verifies in milliseconds or in tens of them.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** SHA-256 and Ed25519, synchronous. */
export interface PackageCrypto {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  /** Ed25519 signature of `message` with a 32-byte seed. */
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** True when the signature holds; never throws. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/** The platform-free implementation. */
export const nobleCrypto: PackageCrypto = {
  name: 'noble',
  sha256: (data) => sha256(data),
  sign: (message, secretKey) => ed25519.sign(message, secretKey),
  verify: (signature, message, publicKey) => {
    try {
      // RFC 8032 strict (not ZIP-215): refuses small-order keys and non-canonical encodings, as OpenSSL does.
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};

let active: PackageCrypto = nobleCrypto;

/** The implementation in use. */
export const packageCrypto = (): PackageCrypto => active;

/** Replaces the implementation (a Node program calls this once at start). */
export const setPackageCrypto = (implementation: PackageCrypto): void => {
  active = implementation;
};
