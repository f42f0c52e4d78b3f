/**
 * node:crypto behind the package primitives (see shared/core/package/crypto): OpenSSL's
 * SHA-256 and Ed25519, producing exactly the bytes @noble does.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { setPackageCrypto, type PackageCrypto } from '../../core/package/primitives';

// DER prefixes that wrap a raw 32-byte Ed25519 key as SPKI (public) and PKCS#8 (private).
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The node:crypto implementation. */
export const nodePackageCrypto: PackageCrypto = {
  name: 'node:crypto',
  sha256: (data) => createHash('sha256').update(data).digest(),
  sign: (message, secretKey) =>
    sign(
      null,
      message,
      createPrivateKey({ key: Buffer.concat([PKCS8, secretKey]), format: 'der', type: 'pkcs8' }),
    ),
  verify: (signature, message, publicKey) => {
    try {
      return verify(
        null,
        message,
        createPublicKey({ key: Buffer.concat([SPKI, publicKey]), format: 'der', type: 'spki' }),
        signature,
      );
    } catch {
      return false;
    }
  },
};

/** Makes package code in this process use node:crypto; safe to call more than once. */
export const useNodePackageCrypto = (): void => setPackageCrypto(nodePackageCrypto);
