/**
 * Verification of a `.fgpkg` before anything touches the disk. Each way a package can be
 * wrong has its own error code (TUF's attack classes: arbitrary package, wrong or revoked key,
 * tampered file, endless data, rollback, freeze, mix-and-match, wrong target; plus zip-slip
 * and zip bombs), so a gateway's deploy result says exactly why it refused.
 */
import { FieldgraphError } from '../errors';
import { parseJsonWithin } from '../json/bounded';
import { parseRfc3339 } from '../time/rfc3339';
import { fromUtf8, fromHex, sha256Hex } from './bytes';
import { decodeKey, fingerprint, verifySignature } from './keys';
import {
  IDENTITY_FILE,
  MANIFEST_FILE,
  Manifest,
  ManifestSignature,
  SECRETS_FILE,
  SIGNATURE_FILE,
  parseChecked,
  satisfiesEngine,
  type PackageIdentity,
} from './manifest';
import type { SealedSecrets } from './seal';
import { defaultZipLimits, readZip, type ZipLimits } from './zip';

/** What a verifier checks a package against. */
export interface VerifyPolicy {
  /** Public keys whose signatures are accepted. */
  readonly trusted: readonly Uint8Array[];
  /** Fingerprints of keys that must no longer be accepted, even if still listed as trusted. */
  readonly revoked?: readonly string[];
  /** Current time in ms since the epoch (injected: shared/core has no clock). */
  readonly now: number;
  /** The installing gateway; omitted, any target is accepted (the CLI's `verify`). */
  readonly gateway?: { readonly id: string; readonly groups: readonly string[] };
  /** The installing engine's version (x.y.z); omitted, the range is not checked. */
  readonly engineVersion?: string;
  /** The highest version this gateway has installed; the package must be newer. */
  readonly installedVersion?: number;
  readonly limits?: ZipLimits;
}

/** A package that passed every check. */
export interface VerifiedPackage {
  readonly manifest: Manifest;
  readonly manifestBytes: Uint8Array;
  readonly signatureBytes: Uint8Array;
  /** Every listed file by path (identity.json and secrets.sealed included). */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Fingerprint of the key that signed it. */
  readonly signer: string;
}

const fail = (
  code: ConstructorParameters<typeof FieldgraphError>[0],
  message: string,
  details?: Record<string, unknown>,
): never => {
  throw new FieldgraphError(code, message, details);
};

/** Checks a package against a policy; returns its contents or throws the reason as a coded FieldgraphError. */
export const verifyPackage = (bytes: Uint8Array, policy: VerifyPolicy): VerifiedPackage => {
  const entries = readZip(bytes, policy.limits ?? defaultZipLimits);
  const manifestBytes =
    entries.get(MANIFEST_FILE) ??
    fail('package.invalid_manifest', 'The package has no manifest.json; it was not made by Fieldgraph.');
  const signatureBytes =
    entries.get(SIGNATURE_FILE) ??
    fail('package.unsigned', 'The package is not signed (no manifest.sig); pack it with a signing key.');
  const sig = parseChecked<ManifestSignature>(ManifestSignature, signatureBytes, 'manifest.sig');
  const signerKey = decodeKey('ed25519', sig.key);
  const signer = fingerprint(signerKey);
  if ((policy.revoked ?? []).includes(signer)) {
    fail(
      'package.revoked_key',
      `The package is signed by key ${signer}, which has been revoked. Sign it with the current installer key.`,
      { signer },
    );
  }
  if (!policy.trusted.some((key) => fingerprint(key) === signer)) {
    fail(
      'package.untrusted_key',
      `The package is signed by key ${signer}, which this gateway does not trust. Enroll that key or sign with a trusted one.`,
      {
        signer,
      },
    );
  }
  if (!verifySignature(fromHex(sig.signature), manifestBytes, signerKey)) {
    fail(
      'package.bad_signature',
      'The manifest does not match its signature: it was changed after signing. Pack the package again.',
      { signer },
    );
  }
  const manifest = parseChecked<Manifest>(Manifest, manifestBytes, 'manifest.json');
  if (manifest.signer !== signer) {
    fail(
      'package.bad_signature',
      `The manifest names signer ${manifest.signer} but was signed by ${signer}.`,
      { signer },
    );
  }
  const identityBytes = entries.get(IDENTITY_FILE);
  if (identityBytes) {
    // An unreadable identity file is a tampered file; the hash check below names it.
    const parsed = parseJsonWithin(fromUtf8(identityBytes), { maxDepth: 4 });
    const identity: Partial<PackageIdentity> =
      parsed.ok && parsed.value && typeof parsed.value === 'object' ? (parsed.value as PackageIdentity) : {};
    if (
      identity.packageId !== undefined &&
      (identity.packageId !== manifest.packageId || identity.version !== manifest.version)
    ) {
      fail(
        'package.mix_and_match',
        `The files belong to ${identity.packageId} version ${identity.version}, but the manifest is for ${manifest.packageId} version ${manifest.version}. Download the package again.`,
        { filesVersion: identity.version, manifestVersion: manifest.version },
      );
    }
  }
  const files = new Map<string, Uint8Array>();
  const listed = new Set<string>();
  for (const file of manifest.files) {
    listed.add(file.path);
    const data =
      entries.get(file.path) ??
      fail('package.missing_file', `The manifest lists "${file.path}" but the package does not hold it.`, {
        path: file.path,
      });
    if (data.length !== file.length) {
      fail(
        'package.length_mismatch',
        `"${file.path}" is ${data.length} bytes but the manifest says ${file.length}; the package was altered.`,
        {
          path: file.path,
          actual: data.length,
          expected: file.length,
        },
      );
    }
    if (sha256Hex(data) !== file.sha256) {
      fail(
        'package.hash_mismatch',
        `"${file.path}" does not match its SHA-256 in the manifest; the package was altered.`,
        { path: file.path },
      );
    }
    files.set(file.path, data);
  }
  for (const name of entries.keys()) {
    if (name !== MANIFEST_FILE && name !== SIGNATURE_FILE && !listed.has(name)) {
      fail(
        'package.unexpected_file',
        `"${name}" is in the package but not in its manifest; the package was altered.`,
        { path: name },
      );
    }
  }
  // Strict: a date that does not exist is refused, never compared as NaN (which would fail open).
  const expires = parseRfc3339(manifest.expires);
  const created = parseRfc3339(manifest.created);
  if (expires === undefined || created === undefined) {
    fail(
      'package.invalid_manifest',
      `The manifest's dates (created ${JSON.stringify(manifest.created)}, expires ${JSON.stringify(manifest.expires)}) are not real RFC 3339 times; pack the package again.`,
    );
  }
  if (expires! <= policy.now) {
    fail('package.expired', `The package expired on ${manifest.expires}; pack a new version.`, {
      expires: manifest.expires,
    });
  }
  if (policy.gateway) {
    const { id, groups } = policy.gateway;
    const ok =
      manifest.target.kind === 'gateway' ? manifest.target.id === id : groups.includes(manifest.target.id);
    if (!ok) {
      fail(
        'package.wrong_target',
        `The package is for ${manifest.target.kind} "${manifest.target.id}", not for this gateway (${id}).`,
        {
          target: manifest.target,
        },
      );
    }
  }
  if (policy.engineVersion !== undefined && !satisfiesEngine(policy.engineVersion, manifest.engine)) {
    fail(
      'package.engine_incompatible',
      `The package needs engine ${manifest.engine}; this gateway runs ${policy.engineVersion}. Update the gateway or repack.`,
      {
        engine: manifest.engine,
        running: policy.engineVersion,
      },
    );
  }
  if (policy.installedVersion !== undefined && manifest.version <= policy.installedVersion) {
    fail(
      'package.downgrade',
      `The package is version ${manifest.version}, not newer than the installed version ${policy.installedVersion}; pack a newer version.`,
      {
        version: manifest.version,
        installed: policy.installedVersion,
      },
    );
  }
  return { manifest, manifestBytes, signatureBytes, files, signer };
};

/** The sealed secrets of a verified package, when it has any. */
export const sealedSecretsOf = (pkg: VerifiedPackage): SealedSecrets | undefined => {
  const bytes = pkg.files.get(SECRETS_FILE);
  if (!bytes) return undefined;
  const parsed = parseJsonWithin(fromUtf8(bytes), { maxDepth: 4 });
  if (!parsed.ok)
    throw new FieldgraphError(
      'package.secrets_unreadable',
      `secrets.sealed cannot be read: ${parsed.problem.message}.`,
    );
  return parsed.value as SealedSecrets;
};
