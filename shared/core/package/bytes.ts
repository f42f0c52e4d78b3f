/**
 * Byte helpers for the package format: UTF-8, hex and SHA-256, without Node or DOM globals
 * so the same code runs in the gateway, the CLI and the renderer.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { strFromU8, strToU8 } from 'fflate';
import { packageCrypto } from './primitives';

/** UTF-8 bytes of a string. */
export const utf8 = (text: string): Uint8Array => strToU8(text);

/** The string held by UTF-8 bytes. */
export const fromUtf8 = (bytes: Uint8Array): string => strFromU8(bytes);

/** Lower-case hex of bytes. */
export const toHex = (bytes: Uint8Array): string => bytesToHex(bytes);

/** Bytes of a hex string; throws on odd length or non-hex characters. */
export const fromHex = (hex: string): Uint8Array => hexToBytes(hex);

/** Lower-case hex SHA-256 of bytes. */
export const sha256Hex = (bytes: Uint8Array): string => bytesToHex(packageCrypto().sha256(bytes));

/** True when both byte arrays hold the same bytes. */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
};
