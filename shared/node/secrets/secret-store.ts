import { FieldgraphError } from '../../core/errors';
import { isSecretRefName } from '../../core/project';

/**
 * Where secret values (Wi-Fi passwords, broker credentials, keys) live. Project files hold only
 * references (`{ "secret": "site/demo/wifi" }`); a SecretStore maps a reference to its value.
 * Implementations: the encrypted file (CLI, web app) and Electron safeStorage (desktop).
 */
export interface SecretStore {
  /** Which backend holds the values, for the UI ("OS keychain", "encrypted file"). */
  readonly kind: 'encrypted-file' | 'os-keychain';
  /** The value for `ref`, or undefined when none is stored. */
  get(ref: string): Promise<string | undefined>;
  /** Stores `value` under `ref`, replacing any previous value. */
  set(ref: string, value: string): Promise<void>;
  /** Removes `ref`; removing a missing ref is not an error. */
  delete(ref: string): Promise<void>;
  /** Every stored reference name (never the values), sorted. */
  list(): Promise<string[]>;
}

/** Throws secrets.bad_ref unless `ref` is a well-formed reference name. */
export const assertSecretRef = (ref: string): void => {
  if (!isSecretRefName(ref)) {
    throw new FieldgraphError(
      'secrets.bad_ref',
      `"${ref.slice(0, 80)}" is not a secret reference: use letters, digits, ".", "_", "-" and "/", e.g. "site/demo/wifi".`,
    );
  }
};
