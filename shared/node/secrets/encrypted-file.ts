import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FieldgraphError } from '../../core/errors';
import { writeFileDurable } from '../project/atomic';
import { assertSecretRef, type SecretStore } from './secret-store';

/** The environment variable that unlocks the secrets file when no passphrase is typed. */
export const SECRETS_PASSPHRASE_ENV = 'FIELDGRAPH_SECRETS_PASSPHRASE';

interface KdfParams {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
}

/** The file on disk: KDF parameters and one AES-256-GCM box over the JSON map of secrets. */
interface SecretsFile {
  format: 'fieldgraph-secrets';
  version: 1;
  kdf: KdfParams;
  cipher: 'aes-256-gcm';
  nonce: string;
  tag: string;
  data: string;
}

// scrypt N=2^15, r=8 (32 MiB, ~0.1 s here): OWASP's minimum for scrypt, fast enough for a CLI start.
const DEFAULT_KDF = { N: 2 ** 15, r: 8, p: 1 };

const deriveKey = (passphrase: string, kdf: KdfParams): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r };
    scrypt(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });

// The header (format, KDF, cipher) is authenticated too, so nobody can downgrade the parameters.
const aad = (file: Pick<SecretsFile, 'format' | 'version' | 'kdf' | 'cipher'>): Buffer =>
  Buffer.from(JSON.stringify([file.format, file.version, file.kdf, file.cipher]));

const isSecretsFile = (v: unknown): v is SecretsFile => {
  const f = v as SecretsFile;
  return (
    typeof f === 'object' &&
    f !== null &&
    f.format === 'fieldgraph-secrets' &&
    f.version === 1 &&
    f.cipher === 'aes-256-gcm' &&
    f.kdf?.name === 'scrypt' &&
    [f.kdf.N, f.kdf.r, f.kdf.p].every((n) => Number.isInteger(n) && n > 0) &&
    f.kdf.N <= 2 ** 20 &&
    f.kdf.r <= 32 &&
    f.kdf.p <= 16 &&
    [f.kdf.salt, f.nonce, f.tag, f.data].every((s) => typeof s === 'string')
  );
};

/** Options of the encrypted secrets file. */
export interface EncryptedFileOptions {
  /** Path of the secrets file (normally `<dataDir>/secrets.json`). */
  path: string;
  /** The passphrase; when absent, FIELDGRAPH_SECRETS_PASSPHRASE is used; when neither, the store is locked. */
  passphrase?: string;
  /** scrypt cost; tests lower it. */
  kdf?: { N: number; r: number; p: number };
}

/**
 * A SecretStore in one file encrypted with AES-256-GCM under a key derived from a passphrase
 * by scrypt. A wrong passphrase or a tampered file is refused with a clear code, never read
 * as empty; the file is rewritten durably with a fresh nonce on every change.
 */
export const createEncryptedFileSecretStore = (options: EncryptedFileOptions): SecretStore => {
  const passphrase = options.passphrase ?? process.env[SECRETS_PASSPHRASE_ENV];
  type Opened = { key: Buffer; kdf: KdfParams; values: Map<string, string> };
  let cache: Opened | null = null;

  // One opening at a time: two first uses at once (a list while another view stores a key) would
  // each read the file and keep their own copy, and a later write through the stale copy would
  // drop what the other stored.
  let opening: Promise<Opened> | null = null;
  const unlock = (): Promise<Opened> => {
    if (cache) return Promise.resolve(cache);
    const pending =
      opening ??
      open().finally(() => {
        opening = null;
      });
    opening = pending;
    return pending;
  };

  const open = async (): Promise<Opened> => {
    if (!passphrase) {
      throw new FieldgraphError(
        'secrets.locked',
        `The secrets file is locked. Give the passphrase, or set ${SECRETS_PASSPHRASE_ENV} for scripts.`,
      );
    }
    let text: string;
    try {
      text = await readFile(options.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const kdf: KdfParams = {
        name: 'scrypt',
        ...(options.kdf ?? DEFAULT_KDF),
        salt: randomBytes(16).toString('base64'),
      };
      cache = { key: await deriveKey(passphrase, kdf), kdf, values: new Map() };
      return cache;
    }
    let file: unknown;
    try {
      file = JSON.parse(text);
    } catch {
      file = null;
    }
    if (!isSecretsFile(file)) {
      throw new FieldgraphError(
        'secrets.damaged',
        `${options.path} is not a Fieldgraph secrets file (or it is damaged). Restore it from a backup, or move it away to start a new one.`,
      );
    }
    const key = await deriveKey(passphrase, file.kdf);
    let plain: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.nonce, 'base64'));
      decipher.setAAD(aad(file));
      decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
      plain = Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new FieldgraphError(
        'secrets.wrong_passphrase',
        `The passphrase does not unlock ${options.path} (or the file was changed by someone else).`,
      );
    }
    const values = new Map(Object.entries(JSON.parse(plain) as Record<string, string>));
    cache = { key, kdf: file.kdf, values };
    return cache;
  };

  const persist = async (state: NonNullable<typeof cache>): Promise<void> => {
    const header = {
      format: 'fieldgraph-secrets',
      version: 1,
      kdf: state.kdf,
      cipher: 'aes-256-gcm',
    } as const;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', state.key, nonce);
    cipher.setAAD(aad(header));
    const data = Buffer.concat([
      cipher.update(JSON.stringify(Object.fromEntries(state.values)), 'utf8'),
      cipher.final(),
    ]);
    const file: SecretsFile = {
      ...header,
      nonce: nonce.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    await mkdir(dirname(options.path), { recursive: true, mode: 0o700 });
    await writeFileDurable(options.path, JSON.stringify(file, null, 2) + '\n', 0o600);
  };

  return {
    kind: 'encrypted-file',
    async get(ref) {
      assertSecretRef(ref);
      return (await unlock()).values.get(ref);
    },
    async set(ref, value) {
      assertSecretRef(ref);
      const state = await unlock();
      state.values.set(ref, value);
      await persist(state);
    },
    async delete(ref) {
      assertSecretRef(ref);
      const state = await unlock();
      if (state.values.delete(ref)) await persist(state);
    },
    async list() {
      return [...(await unlock()).values.keys()].sort();
    },
  };
};
