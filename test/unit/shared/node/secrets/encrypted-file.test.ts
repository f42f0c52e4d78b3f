import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SECRETS_PASSPHRASE_ENV, createEncryptedFileSecretStore } from '../../../../../shared/node/secrets';
import { secretStoreContract } from './contract';

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-secrets-'));
  dirs.push(dir);
  return join(dir, 'secrets.json');
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
// Low scrypt cost keeps the suite fast; the default cost is checked once below.
const kdf = { N: 1024, r: 8, p: 1 };

describe('encrypted-file secret store', () => {
  secretStoreContract(async () => {
    const path = tempFile();
    const open = () => createEncryptedFileSecretStore({ path, passphrase: 'pass phrase', kdf });
    return { store: open(), reopen: open, fileText: () => readFileSync(path, 'utf8') };
  });

  it('keeps every value stored while it is first opened by several callers at once', async () => {
    for (const existing of [false, true]) {
      const path = tempFile();
      if (existing) await createEncryptedFileSecretStore({ path, passphrase: 'p', kdf }).set('old/one', 'o');
      const store = createEncryptedFileSecretStore({ path, passphrase: 'p', kdf });
      // A list and a get-then-set start together, as two views of the app do on first use.
      const [listed] = await Promise.all([
        store.list(),
        store.get('installer/key').then(() => store.set('installer/key', 'k')),
      ]);
      expect(listed).toEqual(existing ? ['old/one'] : []);
      await store.set('site/home/http', 't');
      const reopened = createEncryptedFileSecretStore({ path, passphrase: 'p', kdf });
      expect(await reopened.list()).toEqual(
        [...(existing ? ['old/one'] : []), 'installer/key', 'site/home/http'].sort(),
      );
    }
  });

  it('is locked without a passphrase, and unlocks from the environment variable', async () => {
    const path = tempFile();
    await createEncryptedFileSecretStore({ path, passphrase: 'from-env', kdf }).set('a/b', 'v');
    await expect(createEncryptedFileSecretStore({ path }).get('a/b')).rejects.toMatchObject({
      code: 'secrets.locked',
    });
    process.env[SECRETS_PASSPHRASE_ENV] = 'from-env';
    try {
      expect(await createEncryptedFileSecretStore({ path }).get('a/b')).toBe('v');
    } finally {
      delete process.env[SECRETS_PASSPHRASE_ENV];
    }
  });

  it('refuses a wrong passphrase and a tampered file instead of reading them as empty', async () => {
    const path = tempFile();
    await createEncryptedFileSecretStore({ path, passphrase: 'right', kdf }).set('a/b', 'v');
    await expect(
      createEncryptedFileSecretStore({ path, passphrase: 'wrong', kdf }).list(),
    ).rejects.toMatchObject({
      code: 'secrets.wrong_passphrase',
    });
    const file = JSON.parse(readFileSync(path, 'utf8'));
    // A downgraded KDF cost is part of the authenticated header, so it is caught too.
    writeFileSync(path, JSON.stringify({ ...file, kdf: { ...file.kdf, N: 512 } }));
    await expect(createEncryptedFileSecretStore({ path, passphrase: 'right' }).list()).rejects.toMatchObject({
      code: 'secrets.wrong_passphrase',
    });
    writeFileSync(path, '{"format": "something else"}');
    await expect(createEncryptedFileSecretStore({ path, passphrase: 'right' }).list()).rejects.toMatchObject({
      code: 'secrets.damaged',
    });
  });

  it('writes the file readable by its owner only, with the default scrypt cost', async () => {
    const path = tempFile();
    await createEncryptedFileSecretStore({ path, passphrase: 'p' }).set('a/b', 'v');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8')).kdf).toMatchObject({
      name: 'scrypt',
      N: 32768,
      r: 8,
      p: 1,
    });
  });
});
