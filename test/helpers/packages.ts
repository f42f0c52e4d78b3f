/**
 * Packages for tests: a fixed signing key, a small project payload, and `repack` to build the
 * altered archives an attacker would send (valid zip, changed contents).
 */
import { buildPackage, type PackageInput } from '../../shared/core/package/build';
import { utf8 } from '../../shared/core/package/bytes';
import { signingKeyFromSecret, type SigningKeyPair } from '../../shared/core/package/keys';
import { readZip, writeZip, type ZipInput } from '../../shared/core/package/zip';

/** A deterministic signing key derived from a one-byte label. */
export const testKey = (label: number): SigningKeyPair =>
  signingKeyFromSecret(new Uint8Array(32).fill(label));

/** The installer key most tests trust. */
export const installerKey = testKey(1);

/** A time inside every test package's validity window. */
export const NOW = Date.parse('2026-06-01T00:00:00Z');

/** A small flow payload with `nodes` nodes. */
export const flowFile = (id: string, nodes: number, salt = ''): Uint8Array =>
  utf8(
    JSON.stringify(
      {
        id,
        name: `Flow ${id}${salt}`,
        nodes: Array.from({ length: nodes }, (_, i) => ({
          id: `n${i}`,
          kind: 'set',
          config: { value: i },
          position: { x: i * 10, y: 0 },
        })),
        edges: Array.from({ length: Math.max(0, nodes - 1) }, (_, i) => ({
          id: `e${i}`,
          from: { node: `n${i}`, port: 'out' },
          to: { node: `n${i + 1}`, port: 'in' },
        })),
      },
      null,
      2,
    ),
  );

/** Inputs of a package for gateway gw-1, overridable per test. */
export const packageInput = (overrides: Partial<PackageInput> = {}): PackageInput => ({
  packageId: 'site-plant',
  site: 'plant',
  version: 2,
  created: '2026-05-01T00:00:00Z',
  expires: '2026-12-01T00:00:00Z',
  target: { kind: 'gateway', id: 'gw-1' },
  engine: '>=1.0.0 <2.0.0',
  files: {
    'flows/lights.json': flowFile('lights', 5),
    'flows/pumps.json': flowFile('pumps', 3),
    'models/relay.json': utf8('{"id":"relay"}\n'),
    'bindings.json': utf8('{"roles":{"pump":"dev-1"}}\n'),
  },
  signingKey: installerKey,
  ...overrides,
});

/** Bytes of a package built from `packageInput(overrides)`. */
export const makePackage = (overrides: Partial<PackageInput> = {}): Uint8Array =>
  buildPackage(packageInput(overrides)).bytes;

/** Rebuilds a package's zip after `edit` changes its entry list (names, data, modes). */
export const repack = (bytes: Uint8Array, edit: (entries: ZipInput[]) => ZipInput[]): Uint8Array => {
  const entries = [...readZip(bytes)].map(([name, data]) => ({ name, data }));
  return writeZip(edit(entries));
};
