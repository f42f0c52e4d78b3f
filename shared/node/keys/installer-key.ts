/**
 * The installer signing key of this app: made on first use, its secret part kept in the
 * SecretStore (OS keychain or encrypted file), never in project files or logs.
 */
import {
  decodeKey,
  encodeKey,
  generateSigningKey,
  signingKeyFromSecret,
  type SigningKeyPair,
} from '../../core/package/keys';
import type { SecretStore } from '../secrets/secret-store';

/** The secret reference the installer key is stored under. */
export const INSTALLER_KEY_REF = 'fieldgraph/installer-signing-key';

/** The installer key, creating and storing it on first use. */
export const ensureInstallerKey = async (secrets: SecretStore): Promise<SigningKeyPair> => {
  const stored = await secrets.get(INSTALLER_KEY_REF);
  if (stored) return signingKeyFromSecret(decodeKey('ed25519-secret', stored));
  const key = generateSigningKey();
  await secrets.set(INSTALLER_KEY_REF, encodeKey('ed25519-secret', key.secretKey));
  return key;
};

/**
 * Replaces the installer key with a new one, returning both so the caller can publish the
 * rotation statement (see shared/core/package/rotation) before the old key is gone.
 */
export const rotateInstallerKey = async (
  secrets: SecretStore,
): Promise<{ previous: SigningKeyPair; next: SigningKeyPair }> => {
  const previous = await ensureInstallerKey(secrets);
  const next = generateSigningKey();
  await secrets.set(INSTALLER_KEY_REF, encodeKey('ed25519-secret', next.secretKey));
  return { previous, next };
};
