import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeKey, fingerprint, generateSigningKey } from '../../../shared/core/package/keys';
import { makeRotation } from '../../../shared/core/package/rotation';
import { verifyPackage } from '../../../shared/core/package/verify';
import { readPublicKey, readSigningKeyFile, writeSigningKeyFiles } from '../../../shared/node/keys/files';
import {
  INSTALLER_KEY_REF,
  ensureInstallerKey,
  rotateInstallerKey,
} from '../../../shared/node/keys/installer-key';
import { openTrustStore } from '../../../shared/node/keys/trust';
import { createEncryptedFileSecretStore } from '../../../shared/node/secrets';
import { NOW, makePackage } from '../../helpers/packages';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fg-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('key files', () => {
  it('writes signing.key (0600) and signing.pub, and refuses to overwrite them', () => {
    const files = writeSigningKeyFiles(join(dir, 'k'));
    expect(statSync(files.secretPath).mode & 0o777).toBe(0o600);
    const key = readSigningKeyFile(files.secretPath);
    expect(fingerprint(key.publicKey)).toBe(files.fingerprint);
    expect(fingerprint(readPublicKey(files.publicPath))).toBe(files.fingerprint);
    expect(fingerprint(readPublicKey(readFileSync(files.publicPath, 'utf8')))).toBe(files.fingerprint);
    expect(() => writeSigningKeyFiles(join(dir, 'k'))).toThrow(
      expect.objectContaining({ code: 'keys.exists' }),
    );
    expect(() => readSigningKeyFile(files.publicPath)).toThrow(
      expect.objectContaining({ code: 'keys.invalid' }),
    );
    expect(() => readPublicKey(join(dir, 'missing.pub'))).toThrow(
      expect.objectContaining({ code: 'keys.not_found' }),
    );
  });
});

describe('installer key in the secret store', () => {
  it('is made on first use, kept, and rotated', async () => {
    const secrets = createEncryptedFileSecretStore({
      path: join(dir, 'secrets.json'),
      passphrase: 'pw',
      kdf: { N: 1024, r: 8, p: 1 },
    });
    const first = await ensureInstallerKey(secrets);
    expect(fingerprint((await ensureInstallerKey(secrets)).publicKey)).toBe(fingerprint(first.publicKey));
    expect(await secrets.list()).toContain(INSTALLER_KEY_REF);
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain(
      encodeKey('ed25519-secret', first.secretKey).slice(15),
    );
    const { previous, next } = await rotateInstallerKey(secrets);
    expect(fingerprint(previous.publicKey)).toBe(fingerprint(first.publicKey));
    expect(fingerprint((await ensureInstallerKey(secrets)).publicKey)).toBe(fingerprint(next.publicKey));
  });
});

describe('trust list', () => {
  it('trusts, revokes for good, and follows a signed rotation', () => {
    const store = openTrustStore(join(dir, 'trust.json'));
    const old = generateSigningKey();
    store.trust(old.publicKey, 'laptop');
    expect(verifyPackage(makePackage({ signingKey: old }), { ...store.policy(), now: NOW }).signer).toBe(
      fingerprint(old.publicKey),
    );

    const next = generateSigningKey();
    const stranger = generateSigningKey();
    expect(() => store.rotate(makeRotation(stranger, next.publicKey, '2026-06-01T00:00:00Z'))).toThrow(
      expect.objectContaining({ code: 'keys.bad_rotation' }),
    );
    const forged = {
      ...makeRotation(old, next.publicKey, '2026-06-01T00:00:00Z'),
      to: encodeKey('ed25519', stranger.publicKey),
    };
    expect(() => store.rotate(forged)).toThrow(expect.objectContaining({ code: 'keys.bad_rotation' }));

    store.rotate(makeRotation(old, next.publicKey, '2026-06-01T00:00:00Z'));
    const policy = { ...store.policy(), now: NOW };
    expect(verifyPackage(makePackage({ signingKey: next }), policy).signer).toBe(fingerprint(next.publicKey));
    expect(() => verifyPackage(makePackage({ signingKey: old }), policy)).toThrow(
      expect.objectContaining({ code: 'package.revoked_key' }),
    );
    expect(() => store.trust(old.publicKey, 'again')).toThrow(
      expect.objectContaining({ code: 'keys.invalid' }),
    );
    expect(
      openTrustStore(join(dir, 'trust.json'))
        .read()
        .trusted.map((k) => k.label),
    ).toEqual(['laptop']);
  });
});
