/**
 * The secrets of an installed version, for the runtime: secrets.sealed opened with the
 * gateway's own X25519 key (shared/node/gateway/identity). Values stay in memory; they are
 * never written out or logged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex } from '../../../core/package/bytes';
import { MANIFEST_FILE, SECRETS_FILE, type Manifest } from '../../../core/package/manifest';
import { openSecrets, type SealedSecrets } from '../../../core/package/seal';

/** The secrets in the version folder `dir`, or an empty record when the package has none. */
export const readInstalledSecrets = (dir: string, gatewaySecretKeyHex: string): Record<string, string> => {
  let sealed: SealedSecrets;
  try {
    sealed = JSON.parse(readFileSync(join(dir, SECRETS_FILE), 'utf8')) as SealedSecrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  return openSecrets(sealed, fromHex(gatewaySecretKeyHex), {
    packageId: manifest.packageId,
    version: manifest.version,
  });
};
