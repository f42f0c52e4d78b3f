import type { SafeStorage } from 'electron';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FieldgraphError } from '../../shared/core/errors';
import { writeFileDurable } from '../../shared/node/project/atomic';
import { assertSecretRef, type SecretStore } from '../../shared/node/secrets';

/** The part of Electron's safeStorage this store uses; injected so tests never load Electron. */
export type SafeStorageApi = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>;

/** Options of the keychain-backed store. */
export interface SafeStorageSecretStoreOptions {
  safeStorage: SafeStorageApi;
  /** Where the encrypted values are kept (`<userData>/secrets-keychain.json`); only ciphertext goes there. */
  path: string;
  platform?: NodeJS.Platform;
}

/**
 * A SecretStore for the desktop app: each value is encrypted by the OS keychain through
 * Electron's safeStorage and the ciphertexts are kept in one file. On Linux it refuses to work
 * when the only backend is `basic_text` (a hard-coded key, i.e. no protection), so secrets
 * are never stored in a way that merely looks encrypted.
 */
export const createSafeStorageSecretStore = (options: SafeStorageSecretStoreOptions): SecretStore => {
  const { safeStorage, path } = options;
  const platform = options.platform ?? process.platform;

  const ready = async (): Promise<void> => {
    if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      throw new FieldgraphError(
        'secrets.insecure_backend',
        'This Linux session offers no keychain (Electron would fall back to plain-text storage), so Fieldgraph will not store secrets. ' +
          'Start a keyring (GNOME Keyring or KWallet), or use the encrypted secrets file with a passphrase.',
      );
    }
    if (!(await safeStorage.isAsyncEncryptionAvailable())) {
      throw new FieldgraphError(
        'secrets.unavailable',
        'The OS keychain is not available right now; try again after the app has started.',
      );
    }
  };

  const readAll = async (): Promise<Record<string, string>> => {
    try {
      const value: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error('not an object');
      return value as Record<string, string>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new FieldgraphError('secrets.damaged', `${path} is damaged; move it away to start a new one.`);
    }
  };

  const writeAll = async (values: Record<string, string>): Promise<void> => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFileDurable(path, JSON.stringify(values, Object.keys(values).sort(), 2) + '\n', 0o600);
  };

  return {
    kind: 'os-keychain',
    async get(ref) {
      assertSecretRef(ref);
      await ready();
      const sealed = (await readAll())[ref];
      if (sealed === undefined) return undefined;
      try {
        return (await safeStorage.decryptStringAsync(Buffer.from(sealed, 'base64'))).result;
      } catch {
        throw new FieldgraphError('secrets.damaged', `The keychain cannot decrypt "${ref}"; set it again.`);
      }
    },
    async set(ref, value) {
      assertSecretRef(ref);
      await ready();
      const values = await readAll();
      values[ref] = (await safeStorage.encryptStringAsync(value)).toString('base64');
      await writeAll(values);
    },
    async delete(ref) {
      assertSecretRef(ref);
      const values = await readAll();
      if (!(ref in values)) return;
      delete values[ref];
      await writeAll(values);
    },
    async list() {
      return Object.keys(await readAll()).sort();
    },
  };
};
