/**
 * Packing: project files in, a signed `.fgpkg` out. Pure and deterministic — the same input
 * (including `created`) gives byte-identical output, so a package can be rebuilt and compared.
 */
import { parseRfc3339 } from '../time/rfc3339';
import { FieldgraphError } from '../errors';
import { sha256Hex, toHex, utf8 } from './bytes';
import { encodeKey, fingerprint, sign, type SigningKeyPair } from './keys';
import {
  IDENTITY_FILE,
  MANIFEST_FILE,
  PACKAGE_FORMAT,
  SECRETS_FILE,
  SIGNATURE_FILE,
  type Manifest,
  type ManifestSignature,
  type PackageIdentity,
  type PackageTarget,
} from './manifest';
import { sealSecrets } from './seal';
import { unsafeNameReason, writeZip } from './zip';

/** Everything a package is made from. */
export interface PackageInput {
  readonly packageId: string;
  readonly site: string;
  /** Monotonic: installers refuse a version not greater than the one they run. */
  readonly version: number;
  /** ISO time; part of the signed bytes, so pass the same value to rebuild identically. */
  readonly created: string;
  readonly expires: string;
  readonly target: PackageTarget;
  readonly engine: string;
  /** Payload by path (flows/…, models/…, bindings …). */
  readonly files: Readonly<Record<string, Uint8Array>>;
  /** Secrets to seal to the target gateway's X25519 key. */
  readonly secrets?: {
    readonly values: Readonly<Record<string, string>>;
    readonly gatewayPublicKey: Uint8Array;
  };
  readonly signingKey: SigningKeyPair;
}

/** A packed package: its bytes and the manifest they carry. */
export interface BuiltPackage {
  readonly bytes: Uint8Array;
  readonly manifest: Manifest;
}

const RESERVED = new Set([MANIFEST_FILE, SIGNATURE_FILE, IDENTITY_FILE, SECRETS_FILE]);

/** JSON text for a file inside a package: two-space indent and a final newline, like project files. */
export const packageJson = (value: unknown): Uint8Array => utf8(JSON.stringify(value, null, 2) + '\n');

/** Signs manifest bytes and returns the manifest.sig content. */
export const signManifest = (manifestBytes: Uint8Array, key: SigningKeyPair): Uint8Array => {
  const signature: ManifestSignature = {
    alg: 'ed25519',
    key: encodeKey('ed25519', key.publicKey),
    signature: toHex(sign(manifestBytes, key.secretKey)),
  };
  return packageJson(signature);
};

/** Zips manifest, signature and files in canonical order (manifest, signature, then by path). */
export const assemblePackage = (
  manifestBytes: Uint8Array,
  signatureBytes: Uint8Array,
  files: ReadonlyMap<string, Uint8Array>,
): Uint8Array =>
  writeZip([
    { name: MANIFEST_FILE, data: manifestBytes },
    { name: SIGNATURE_FILE, data: signatureBytes },
    ...[...files.keys()].sort().map((name) => ({ name, data: files.get(name)! })),
  ]);

/** Builds and signs a package; throws `package.invalid_input` on a bad path, id or time. */
export const buildPackage = (input: PackageInput): BuiltPackage => {
  const invalid = (message: string) => new FieldgraphError('package.invalid_input', message);
  if (!Number.isSafeInteger(input.version) || input.version < 1)
    throw invalid(`The version must be a whole number of at least 1, not ${input.version}.`);
  for (const [label, value] of [
    ['created', input.created],
    ['expires', input.expires],
  ] as const) {
    if (parseRfc3339(value) === undefined)
      throw invalid(`"${label}" must be an ISO date-time, not ${JSON.stringify(value)}.`);
  }
  if (parseRfc3339(input.expires)! <= parseRfc3339(input.created)!)
    throw invalid('The package would expire before it was created; pick a later expiry.');
  const files = new Map<string, Uint8Array>();
  for (const [path, data] of Object.entries(input.files)) {
    const unsafe = unsafeNameReason(path);
    if (unsafe)
      throw invalid(`The file path "${path}" has ${unsafe}; use a relative path with forward slashes.`);
    if (RESERVED.has(path)) throw invalid(`"${path}" is reserved for the package itself; rename that file.`);
    files.set(path, data);
  }
  const identity: PackageIdentity = { packageId: input.packageId, version: input.version };
  files.set(IDENTITY_FILE, packageJson(identity));
  if (input.secrets) {
    const sealed = sealSecrets(input.secrets.values, input.secrets.gatewayPublicKey, {
      packageId: input.packageId,
      version: input.version,
      signingSecretKey: input.signingKey.secretKey,
    });
    files.set(SECRETS_FILE, packageJson(sealed));
  }
  const manifest: Manifest = {
    format: PACKAGE_FORMAT,
    packageId: input.packageId,
    site: input.site,
    version: input.version,
    created: new Date(parseRfc3339(input.created)!).toISOString(),
    expires: new Date(parseRfc3339(input.expires)!).toISOString(),
    target:
      input.target.kind === 'gateway'
        ? { kind: 'gateway', id: input.target.id }
        : { kind: 'group', id: input.target.id },
    engine: input.engine,
    signer: fingerprint(input.signingKey.publicKey),
    files: [...files.keys()]
      .sort()
      .map((path) => ({ path, sha256: sha256Hex(files.get(path)!), length: files.get(path)!.length })),
  };
  const manifestBytes = packageJson(manifest);
  return {
    bytes: assemblePackage(manifestBytes, signManifest(manifestBytes, input.signingKey), files),
    manifest,
  };
};
