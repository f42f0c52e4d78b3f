/**
 * A gateway's trust list: the installer keys it accepts and the ones it has revoked. Kept in
 * one JSON file written atomically; revocation wins over trust, so a revoked key stays refused
 * even if someone enrols it again.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { FieldgraphError } from '../../core/errors';
import { decodeKey, encodeKey, fingerprint } from '../../core/package/keys';
import { checkRotation, type KeyRotation } from '../../core/package/rotation';

/** One trusted key. */
export interface TrustedKey {
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly label: string;
  readonly addedAt: string;
}

/** One revoked key. */
export interface RevokedKey {
  readonly fingerprint: string;
  readonly at: string;
  readonly reason: string;
}

/** The trust file (plain JSON). */
export interface TrustFile {
  readonly schemaVersion: 1;
  readonly trusted: readonly TrustedKey[];
  readonly revoked: readonly RevokedKey[];
}

/** Trust as the verifier wants it. */
export interface TrustPolicy {
  readonly trusted: readonly Uint8Array[];
  readonly revoked: readonly string[];
}

/** A trust list on disk. */
export interface TrustStore {
  read(): TrustFile;
  /** Trusted keys (minus revoked ones) and revoked fingerprints. */
  policy(): TrustPolicy;
  /** Adds a key (idempotent); `keys.invalid` when it was revoked. */
  trust(publicKey: Uint8Array, label: string): TrustedKey;
  /** Drops a key from the trusted list without revoking it (unpair); it may pair again. */
  untrust(fingerprint: string): void;
  /** Revokes a key by fingerprint and drops it from the trusted list. */
  revoke(fingerprint: string, reason: string): void;
  /** Applies a rotation signed by a trusted key: trusts the new key, revokes the old one. */
  rotate(rotation: KeyRotation): TrustedKey;
}

const EMPTY: TrustFile = { schemaVersion: 1, trusted: [], revoked: [] };

/** Opens (or starts) the trust list at `path`; `seed` keys (e.g. from `--trust`) are trusted on top. */
export const openTrustStore = (
  path: string,
  seed: readonly Uint8Array[] = [],
  now: () => Date = () => new Date(),
): TrustStore => {
  const read = (): TrustFile => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as TrustFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
      throw new FieldgraphError(
        'keys.invalid',
        `The trust list ${path} cannot be read (${(error as Error).message}); restore it or delete it and enrol keys again.`,
      );
    }
  };
  const write = (file: TrustFile): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic.sync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o644 });
  };
  const trust = (publicKey: Uint8Array, label: string): TrustedKey => {
    const file = read();
    const fp = fingerprint(publicKey);
    if (file.revoked.some((r) => r.fingerprint === fp)) {
      throw new FieldgraphError(
        'keys.invalid',
        `Key ${fp} was revoked on this gateway and cannot be trusted again; make a new key.`,
      );
    }
    const existing = file.trusted.find((k) => k.fingerprint === fp);
    if (existing) return existing;
    const entry: TrustedKey = {
      publicKey: encodeKey('ed25519', publicKey),
      fingerprint: fp,
      label,
      addedAt: now().toISOString(),
    };
    write({ ...file, trusted: [...file.trusted, entry] });
    return entry;
  };
  const revoke = (fp: string, reason: string): void => {
    const file = read();
    write({
      ...file,
      trusted: file.trusted.filter((k) => k.fingerprint !== fp),
      revoked: file.revoked.some((r) => r.fingerprint === fp)
        ? file.revoked
        : [...file.revoked, { fingerprint: fp, at: now().toISOString(), reason }],
    });
  };
  const policy = (): TrustPolicy => {
    const file = read();
    const revoked = file.revoked.map((r) => r.fingerprint);
    const keys = [...seed, ...file.trusted.map((k) => decodeKey('ed25519', k.publicKey))];
    return { trusted: keys.filter((k) => !revoked.includes(fingerprint(k))), revoked };
  };
  return {
    read,
    policy,
    trust,
    untrust(fp) {
      const file = read();
      if (!file.trusted.some((k) => k.fingerprint === fp)) {
        throw new FieldgraphError(
          'keys.not_found',
          `This gateway's trust list has no key ${fp}; nothing was changed.`,
        );
      }
      write({ ...file, trusted: file.trusted.filter((k) => k.fingerprint !== fp) });
    },
    revoke,
    rotate(rotation) {
      const next = checkRotation(rotation, policy().trusted.map(fingerprint));
      const from = fingerprint(decodeKey('ed25519', rotation.from));
      const label = read().trusted.find((k) => k.fingerprint === from)?.label ?? 'installer';
      const entry = trust(next, label);
      revoke(from, `rotated to ${entry.fingerprint}`);
      return entry;
    },
  };
};
