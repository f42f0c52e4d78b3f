/**
 * Key files for the CLI and gateways: `signing.key` (`ed25519-secret:<hex>`, mode 0600) and
 * `signing.pub` (`ed25519:<hex>`). Reading accepts a path or the key text itself, so
 * `--trust` takes either.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FieldgraphError } from '../../core/errors';
import {
  decodeKey,
  encodeKey,
  fingerprint,
  generateSigningKey,
  signingKeyFromSecret,
  type SigningKeyPair,
} from '../../core/package/keys';

/** Paths written by `writeSigningKeyFiles`. */
export interface SigningKeyFiles {
  readonly secretPath: string;
  readonly publicPath: string;
  readonly fingerprint: string;
}

/** Makes a new signing key in `dir` (created if needed); refuses to overwrite an existing key (`keys.exists`). */
export const writeSigningKeyFiles = (
  dir: string,
  key: SigningKeyPair = generateSigningKey(),
): SigningKeyFiles => {
  mkdirSync(dir, { recursive: true });
  const secretPath = join(dir, 'signing.key');
  const publicPath = join(dir, 'signing.pub');
  for (const path of [secretPath, publicPath]) {
    if (existsSync(path)) {
      throw new FieldgraphError(
        'keys.exists',
        `${path} already exists; move it away or pick another --out folder. Nothing was written.`,
      );
    }
  }
  writeFileSync(secretPath, encodeKey('ed25519-secret', key.secretKey) + '\n', { mode: 0o600, flag: 'wx' });
  // The umask may have narrowed or widened the mode; the secret key must be owner-only.
  chmodSync(secretPath, 0o600);
  writeFileSync(publicPath, encodeKey('ed25519', key.publicKey) + '\n', { mode: 0o644, flag: 'wx' });
  return { secretPath, publicPath, fingerprint: fingerprint(key.publicKey) };
};

const readText = (path: string, what: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new FieldgraphError('keys.not_found', `The ${what} file ${path} cannot be read; check the path.`);
  }
};

/** Loads a signing key file; warns through `onLoose` when others can read it. */
export const readSigningKeyFile = (path: string, onLoose?: (message: string) => void): SigningKeyPair => {
  const text = readText(path, 'signing key');
  if ((statSync(path).mode & 0o077) !== 0)
    onLoose?.(`${path} can be read by other users; run chmod 600 on it.`);
  return signingKeyFromSecret(decodeKey('ed25519-secret', text));
};

/** A public key from its text (`ed25519:<hex>`), a bare 64-digit hex, or a file holding either. */
export const readPublicKey = (textOrPath: string): Uint8Array => {
  const trimmed = textOrPath.trim();
  if (/^ed25519:[0-9a-f]{64}$/.test(trimmed)) return decodeKey('ed25519', trimmed);
  if (/^[0-9a-f]{64}$/.test(trimmed)) return decodeKey('ed25519', `ed25519:${trimmed}`);
  return decodeKey('ed25519', readText(trimmed, 'public key'));
};
