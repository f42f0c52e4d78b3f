/**
 * Key rotation statements: the old installer key signs "replace me with this new key", so a
 * gateway that trusts the old key can move its trust to the new one without anyone visiting it,
 * and stop accepting the old one.
 */
import { FieldgraphError } from '../errors';
import { fromHex, toHex, utf8 } from './bytes';
import { decodeKey, encodeKey, fingerprint, sign, verifySignature, type SigningKeyPair } from './keys';

/** A signed "from → to" statement (plain JSON). */
export interface KeyRotation {
  readonly kind: 'fieldgraph-key-rotation/1';
  /** The retiring key, as `ed25519:<hex>`. */
  readonly from: string;
  /** The new key, as `ed25519:<hex>`. */
  readonly to: string;
  readonly at: string;
  /** Ed25519 signature by `from` over `kind|from|to|at`. */
  readonly signature: string;
}

const body = (r: Omit<KeyRotation, 'signature'>): Uint8Array => utf8(`${r.kind}|${r.from}|${r.to}|${r.at}`);

/** A rotation from `oldKey` to `newPublicKey`, signed by the old key. */
export const makeRotation = (oldKey: SigningKeyPair, newPublicKey: Uint8Array, at: string): KeyRotation => {
  const unsigned = {
    kind: 'fieldgraph-key-rotation/1',
    from: encodeKey('ed25519', oldKey.publicKey),
    to: encodeKey('ed25519', newPublicKey),
    at,
  } as const;
  return { ...unsigned, signature: toHex(sign(body(unsigned), oldKey.secretKey)) };
};

/** The new public key of a rotation whose old key is trusted and whose signature holds; `keys.bad_rotation` otherwise. */
export const checkRotation = (rotation: KeyRotation, trusted: readonly string[]): Uint8Array => {
  const from = decodeKey('ed25519', rotation.from);
  const to = decodeKey('ed25519', rotation.to);
  if (!trusted.includes(fingerprint(from))) {
    throw new FieldgraphError(
      'keys.bad_rotation',
      `The rotation comes from key ${fingerprint(from)}, which is not trusted here.`,
    );
  }
  if (
    !/^[0-9a-f]{128}$/.test(rotation.signature) ||
    !verifySignature(fromHex(rotation.signature), body(rotation), from)
  ) {
    throw new FieldgraphError(
      'keys.bad_rotation',
      'The rotation statement is not signed by the key it retires.',
    );
  }
  return to;
};
