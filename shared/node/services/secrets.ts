import { join } from 'node:path';
import type { FieldgraphServices } from '../../core/api';
import { sharedSecretStore, type SecretStoreStatus } from '../secrets';
import type { ServiceContext } from './context';

/** The `secrets` area over the program's secret store: the keychain one when given, else the shared encrypted file. */
export const createSecretsService = (ctx: ServiceContext): FieldgraphServices['secrets'] => {
  const file = sharedSecretStore(join(ctx.dataDir, 'secrets.json'));
  const keychain = ctx.secrets;
  const status = async (): Promise<SecretStoreStatus> =>
    keychain ? { kind: keychain.kind, unlocked: true, exists: true } : file.status();
  const store = keychain ?? file;
  return {
    status,
    // The keychain needs no passphrase: unlocking it is a no-op that reports its status.
    unlock: async ({ passphrase }) => (keychain ? status() : file.unlock(passphrase)),
    set: async ({ ref, value }) => {
      await store.set(ref, value);
      return {};
    },
    delete: async ({ ref }) => {
      await store.delete(ref);
      return {};
    },
    list: () => store.list(),
  };
};
