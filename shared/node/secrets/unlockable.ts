import { access } from 'node:fs/promises';
import { FieldgraphError } from '../../core/errors';
import { SECRETS_PASSPHRASE_ENV, createEncryptedFileSecretStore } from './encrypted-file';
import type { SecretStore } from './secret-store';

/** Whether the secret store can be used now, for the UI (never any value). */
export interface SecretStoreStatus {
  kind: SecretStore['kind'];
  unlocked: boolean;
  /** False until the first secret is stored (the first passphrase then sets the file's passphrase). */
  exists: boolean;
}

/** A secret store the user can unlock while the app runs (the web app and CLI have no keychain). */
export interface UnlockableSecretStore extends SecretStore {
  status(): Promise<SecretStoreStatus>;
  /** Checks `passphrase` against the file (any passphrase starts a new file) and keeps it for this process. */
  unlock(passphrase: string): Promise<SecretStoreStatus>;
}

const fileExists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The encrypted secrets file at `path`, locked until a passphrase is given: by `unlock`, or by
 * FIELDGRAPH_SECRETS_PASSPHRASE at start. A wrong passphrase leaves it locked.
 */
export const createUnlockableSecretStore = (
  path: string,
  kdf?: { N: number; r: number; p: number },
): UnlockableSecretStore => {
  let passphrase = process.env[SECRETS_PASSPHRASE_ENV] || undefined;
  let inner = createEncryptedFileSecretStore({ path, passphrase, kdf });
  const status = async (): Promise<SecretStoreStatus> => ({
    kind: 'encrypted-file',
    unlocked: passphrase !== undefined,
    exists: await fileExists(path),
  });
  return {
    kind: 'encrypted-file',
    get: (ref) => inner.get(ref),
    set: (ref, value) => inner.set(ref, value),
    delete: (ref) => inner.delete(ref),
    list: () => inner.list(),
    status,
    async unlock(candidate) {
      if (!candidate) throw new FieldgraphError('secrets.locked', 'Type the passphrase of the secrets file.');
      const trial = createEncryptedFileSecretStore({ path, passphrase: candidate, kdf });
      await trial.list(); // throws secrets.wrong_passphrase or secrets.damaged
      passphrase = candidate;
      inner = trial;
      return status();
    },
  };
};

const shared = new Map<string, UnlockableSecretStore>();

/**
 * The one unlockable store per secrets file in this process, so every service area that needs
 * secrets (project, commissioning, packaging) sees the same unlock.
 */
export const sharedSecretStore = (path: string): UnlockableSecretStore => {
  let store = shared.get(path);
  if (!store) {
    store = createUnlockableSecretStore(path);
    shared.set(path, store);
  }
  return store;
};
