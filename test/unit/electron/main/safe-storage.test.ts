import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSafeStorageSecretStore, type SafeStorageApi } from '../../../../electron/main/safe-storage';
import { secretStoreContract } from '../../shared/node/secrets/contract';

// A stand-in for Electron's safeStorage (the Electron binary cannot run here): it reverses and
// base64-encodes, which is enough to prove the store never writes the plain value.
const fakeSafeStorage = (
  backend: ReturnType<SafeStorageApi['getSelectedStorageBackend']>,
): SafeStorageApi => ({
  getSelectedStorageBackend: () => backend,
  isAsyncEncryptionAvailable: async () => true,
  encryptStringAsync: async (plain: string) => Buffer.from('enc:' + [...plain].reverse().join('')),
  decryptStringAsync: async (sealed: Buffer) => ({
    result: [...sealed.toString().slice(4)].reverse().join(''),
    shouldReEncrypt: false,
  }),
});

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-keychain-'));
  dirs.push(dir);
  return join(dir, 'secrets-keychain.json');
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('safeStorage secret store', () => {
  secretStoreContract(async () => {
    const path = tempFile();
    const open = () =>
      createSafeStorageSecretStore({
        safeStorage: fakeSafeStorage('gnome_libsecret'),
        path,
        platform: 'linux',
      });
    return { store: open(), reopen: open, fileText: () => readFileSync(path, 'utf8') };
  });

  it('refuses to store or read secrets when Linux offers only basic_text', async () => {
    const store = createSafeStorageSecretStore({
      safeStorage: fakeSafeStorage('basic_text'),
      path: tempFile(),
      platform: 'linux',
    });
    await expect(store.set('site/demo/wifi', 'x')).rejects.toMatchObject({
      code: 'secrets.insecure_backend',
    });
    await expect(store.get('site/demo/wifi')).rejects.toMatchObject({ code: 'secrets.insecure_backend' });
  });

  it('works on macOS and Windows, where there is no basic_text fallback to fear', async () => {
    const store = createSafeStorageSecretStore({
      safeStorage: fakeSafeStorage('unknown'),
      path: tempFile(),
      platform: 'darwin',
    });
    await store.set('site/demo/wifi', 'x');
    expect(await store.get('site/demo/wifi')).toBe('x');
  });

  it('refuses while the keychain is unavailable', async () => {
    const safeStorage = { ...fakeSafeStorage('kwallet6'), isAsyncEncryptionAvailable: async () => false };
    const store = createSafeStorageSecretStore({ safeStorage, path: tempFile(), platform: 'linux' });
    await expect(store.set('a/b', 'x')).rejects.toMatchObject({ code: 'secrets.unavailable' });
  });
});
