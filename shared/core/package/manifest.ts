/**
 * manifest.json of a package and manifest.sig beside it: what the package is, whom it is for,
 * how long it is valid, and the SHA-256 and length of every other file. The signature covers
 * the manifest's exact bytes, so the manifest is the one thing an installer has to trust.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { FieldgraphError } from '../errors';
import { parseJsonWithin } from '../json/bounded';
import { fromUtf8 } from './bytes';

/** Format tag written into every manifest. */
export const PACKAGE_FORMAT = 'fieldgraph-package/1';

/** File names with a fixed meaning inside a package. */
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
/** Repeats the package id and version inside the signed file set, to tell a mix-and-match from a tampered file. */
export const IDENTITY_FILE = 'identity.json';
export const SECRETS_FILE = 'secrets.sealed';

/** Which gateway or fleet group may install a package. */
export const PackageTarget = Type.Union([
  Type.Object(
    { kind: Type.Literal('gateway'), id: Type.String({ minLength: 1, maxLength: 128 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('group'), id: Type.String({ minLength: 1, maxLength: 128 }) },
    { additionalProperties: false },
  ),
]);
export type PackageTarget = Static<typeof PackageTarget>;

/** One file listed in a manifest. */
export const ManifestFile = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 512 }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    length: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
);
export type ManifestFile = Static<typeof ManifestFile>;

const ISO_UTC = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$';

/** The manifest schema (also written to resources/schemas by the schema export). */
export const Manifest = Type.Object(
  {
    format: Type.Literal(PACKAGE_FORMAT),
    packageId: Type.String({ minLength: 1, maxLength: 128 }),
    site: Type.String({ minLength: 1, maxLength: 128 }),
    version: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    created: Type.String({ pattern: ISO_UTC }),
    expires: Type.String({ pattern: ISO_UTC }),
    target: PackageTarget,
    engine: Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'Space-separated comparators, e.g. ">=1.0.0 <2.0.0".',
    }),
    signer: Type.String({ description: 'Fingerprint of the signing key.' }),
    files: Type.Array(ManifestFile),
  },
  { additionalProperties: false },
);
export type Manifest = Static<typeof Manifest>;

/** The JSON in manifest.sig. */
export const ManifestSignature = Type.Object(
  {
    alg: Type.Literal('ed25519'),
    key: Type.String({ pattern: '^ed25519:[0-9a-f]{64}$' }),
    signature: Type.String({ pattern: '^[0-9a-f]{128}$' }),
  },
  { additionalProperties: false },
);
export type ManifestSignature = Static<typeof ManifestSignature>;

/** The JSON in identity.json. */
export interface PackageIdentity {
  readonly packageId: string;
  readonly version: number;
}

/** Parses JSON bytes and checks them against a schema; `package.invalid_manifest` otherwise. */
export const parseChecked = <T>(
  schema: Parameters<typeof Value.Check>[0],
  bytes: Uint8Array,
  what: string,
): T => {
  const parsed = parseJsonWithin(fromUtf8(bytes));
  if (!parsed.ok) {
    throw new FieldgraphError(
      'package.invalid_manifest',
      `${what} cannot be read: ${parsed.problem.message}; pack the package again.`,
    );
  }
  const value = parsed.value;
  if (!Value.Check(schema, value)) {
    const first = Value.Errors(schema, value).First();
    throw new FieldgraphError(
      'package.invalid_manifest',
      `${what} does not match its schema${first ? ` (${first.path || '/'}: ${first.message})` : ''}; pack it with this Fieldgraph version.`,
    );
  }
  return value as T;
};

const parseVersion = (text: string): [number, number, number] | undefined => {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
};

const compare = (a: [number, number, number], b: [number, number, number]): number =>
  a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/**
 * True when `version` (x.y.z) satisfies `range`: space-separated comparators (`>=`, `>`,
 * `<=`, `<`, `=`) that must all hold. Throws `package.invalid_manifest` on a malformed range.
 */
export const satisfiesEngine = (version: string, range: string): boolean => {
  const v = parseVersion(version);
  if (!v) throw new FieldgraphError('package.invalid_manifest', `Engine version "${version}" is not x.y.z.`);
  return range
    .trim()
    .split(/\s+/)
    .every((part) => {
      const m = /^(>=|<=|>|<|=)?(\d+\.\d+\.\d+)$/.exec(part);
      const bound = m ? parseVersion(m[2]!) : undefined;
      if (!m || !bound) {
        throw new FieldgraphError(
          'package.invalid_manifest',
          `Engine range "${range}" is not a list of comparators like ">=1.0.0 <2.0.0".`,
        );
      }
      const c = compare(v, bound);
      switch (m[1] ?? '=') {
        case '>=':
          return c >= 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '<':
          return c < 0;
        default:
          return c === 0;
      }
    });
};

/**
 * The engine range a package built by `version` (x.y.z) asks for: its release line, the same
 * major (for 0.x, the same minor, where every minor may break).
 */
export const engineRangeFor = (version: string): string => {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major === 0 ? `>=0.${minor}.0 <0.${minor + 1}.0` : `>=${major}.0.0 <${major + 1}.0.0`;
};
