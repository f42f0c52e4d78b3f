import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../../../shared/core/package/bytes';
import { nobleCrypto, setPackageCrypto } from '../../../../../shared/core/package/primitives';
import { verifyPackage } from '../../../../../shared/core/package/verify';
import { nodePackageCrypto } from '../../../../../shared/node/keys/node-crypto';
import { NOW, installerKey, makePackage, testKey } from '../../../../helpers/packages';

afterEach(() => setPackageCrypto(nobleCrypto));

describe('package crypto implementations', () => {
  it('node:crypto and @noble give the same hashes, signatures and package bytes', () => {
    const data = new Uint8Array(5000).map((_, i) => i * 7);
    expect(Buffer.from(nodePackageCrypto.sha256(data))).toEqual(Buffer.from(nobleCrypto.sha256(data)));
    expect(Buffer.from(nodePackageCrypto.sign(data, installerKey.secretKey))).toEqual(
      Buffer.from(nobleCrypto.sign(data, installerKey.secretKey)),
    );
    const withNoble = makePackage();
    setPackageCrypto(nodePackageCrypto);
    const withNode = makePackage();
    expect(sha256Hex(withNode)).toBe(sha256Hex(withNoble));
  });

  it('both refuse a bad signature and malformed keys without throwing', () => {
    for (const impl of [nobleCrypto, nodePackageCrypto]) {
      const sig = impl.sign(new Uint8Array([1, 2, 3]), installerKey.secretKey);
      expect(impl.verify(sig, new Uint8Array([1, 2, 3]), installerKey.publicKey)).toBe(true);
      expect(impl.verify(sig, new Uint8Array([1, 2, 4]), installerKey.publicKey)).toBe(false);
      expect(impl.verify(sig, new Uint8Array([1, 2, 3]), testKey(5).publicKey)).toBe(false);
      expect(impl.verify(new Uint8Array(64), new Uint8Array([1]), new Uint8Array(32))).toBe(false);
    }
    setPackageCrypto(nodePackageCrypto);
    expect(() =>
      verifyPackage(makePackage({ signingKey: testKey(5) }), { trusted: [installerKey.publicKey], now: NOW }),
    ).toThrow(expect.objectContaining({ code: 'package.untrusted_key' }));
  });
});
