/**
 * The attack suite (TUF's attack classes plus zip-slip and zip bombs) against a real install
 * folder: each bad package is refused with its own code and the running version stays
 * byte-for-byte untouched.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utf8 } from '../../../shared/core/package/bytes';
import { fingerprint } from '../../../shared/core/package/keys';
import { readZip, writeZip } from '../../../shared/core/package/zip';
import { createInstaller, type Installer } from '../../../shared/node/gateway/install/installer';
import { NOW, installerKey, makePackage, repack, testKey } from '../../helpers/packages';

const revokedKey = testKey(3);
let root: string;
let installer: Installer;

const snapshot = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p, r);
      else out[r] = st ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'dangling';
    }
  };
  walk(dir, '');
  return out;
};

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'fg-attack-'));
  installer = createInstaller({
    root: join(root, 'install'),
    gatewayId: 'gw-1',
    groups: ['north'],
    engineVersion: '1.2.0',
    trust: () => ({
      trusted: [installerKey.publicKey, revokedKey.publicKey],
      revoked: [fingerprint(revokedKey.publicKey)],
    }),
    now: () => NOW,
  });
  const first = await installer.install(makePackage({ version: 2 }), 'local');
  expect(first).toMatchObject({ ok: true, step: 'committed', running: 2 });
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const expectRefused = async (bytes: Uint8Array, code: string) => {
  const before = snapshot(join(root, 'install'));
  const result = await installer.install(bytes, 'mqtt');
  expect(result).toMatchObject({ ok: false, step: 'rejected', code, running: 2 });
  expect(snapshot(join(root, 'install'))).toEqual(before);
  expect(installer.store.reverify(2)).toEqual([]);
  expect(existsSync(join(root, 'evil.json'))).toBe(false);
};

const v3 = () =>
  makePackage({
    version: 3,
    files: { 'flows/lights.json': utf8('{"id":"lights","v":3}\n'), 'bindings.json': utf8('{}\n') },
  });

describe('attack suite: every bad package is refused with its own code, the running version untouched', () => {
  it('unsigned', async () => {
    await expectRefused(
      repack(v3(), (e) => e.filter((x) => x.name !== 'manifest.sig')),
      'package.unsigned',
    );
  });

  it('signed with a key the gateway does not trust', async () => {
    await expectRefused(makePackage({ version: 3, signingKey: testKey(2) }), 'package.untrusted_key');
  });

  it('signed with a revoked key', async () => {
    await expectRefused(makePackage({ version: 3, signingKey: revokedKey }), 'package.revoked_key');
  });

  it('one flipped byte in any listed file', async () => {
    const good = v3();
    const names = [...readZip(good).keys()].filter((n) => n !== 'manifest.sig' && n !== 'identity.json');
    for (const name of names) {
      const bad = repack(good, (e) =>
        e.map((x) => {
          if (x.name !== name) return x;
          const data = x.data.slice();
          data[Math.floor(data.length / 2)]! ^= 0x01;
          return { ...x, data };
        }),
      );
      await expectRefused(bad, name === 'manifest.json' ? 'package.bad_signature' : 'package.hash_mismatch');
    }
  });

  it('any flipped byte anywhere in the file is refused', async () => {
    const good = v3();
    await fc.assert(
      fc.asyncProperty(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        const bad = good.slice();
        bad[at]! ^= mask;
        const result = await installer.install(bad, 'mqtt');
        if (result.ok) expect(result.version).toBe(3);
        expect(installer.store.reverify(installer.state().committed!)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('a file longer than the manifest says', async () => {
    await expectRefused(
      repack(v3(), (e) =>
        e.map((x) =>
          x.name === 'bindings.json' ? { ...x, data: new Uint8Array([...x.data, 0x20, 0x20]) } : x,
        ),
      ),
      'package.length_mismatch',
    );
  });

  it('an older, validly signed version (rollback attack) and a re-signed same version', async () => {
    await expectRefused(makePackage({ version: 1 }), 'package.downgrade');
    await expectRefused(makePackage({ version: 2, files: { 'x.json': utf8('{}') } }), 'package.downgrade');
  });

  it('an expired package (freeze attack)', async () => {
    await expectRefused(
      makePackage({ version: 3, created: '2026-01-01T00:00:00Z', expires: '2026-02-01T00:00:00Z' }),
      'package.expired',
    );
  });

  it('a manifest of one version with the files of another (mix-and-match)', async () => {
    const newer = readZip(v3());
    const older = makePackage({ version: 2 });
    const mixed = repack(older, (e) =>
      e.map((x) => (x.name.startsWith('manifest.') ? { ...x, data: newer.get(x.name)! } : x)),
    );
    await expectRefused(mixed, 'package.mix_and_match');
  });

  it('a package for another gateway or another group', async () => {
    await expectRefused(
      makePackage({ version: 3, target: { kind: 'gateway', id: 'gw-2' } }),
      'package.wrong_target',
    );
    await expectRefused(
      makePackage({ version: 3, target: { kind: 'group', id: 'south' } }),
      'package.wrong_target',
    );
  });

  it('a package for another engine', async () => {
    await expectRefused(makePackage({ version: 3, engine: '>=2.0.0' }), 'package.engine_incompatible');
  });

  it('zip-slip: "../", absolute paths, symlinks', async () => {
    const add = (entry: { name: string; data: Uint8Array; mode?: number }) =>
      repack(v3(), (e) => [...e, entry]);
    await expectRefused(add({ name: '../evil.json', data: utf8('{}') }), 'package.unsafe_path');
    await expectRefused(add({ name: 'flows/../../evil.json', data: utf8('{}') }), 'package.unsafe_path');
    await expectRefused(add({ name: '/tmp/evil.json', data: utf8('{}') }), 'package.unsafe_path');
    await expectRefused(add({ name: 'C:/evil.json', data: utf8('{}') }), 'package.unsafe_path');
    await expectRefused(
      add({ name: 'flows/link', data: utf8('/etc/passwd'), mode: 0o120777 }),
      'package.symlink_entry',
    );
  });

  it('zip bombs: huge declared size, extreme ratio, lying header, too many entries', async () => {
    const zeros = (n: number) => new Uint8Array(n);
    await expectRefused(
      repack(v3(), (e) => [...e, { name: 'big.bin', data: zeros(40 * 1024 * 1024) }]),
      'package.zip_bomb',
    );
    await expectRefused(
      repack(v3(), (e) => [...e, { name: 'ratio.bin', data: zeros(8 * 1024 * 1024) }]),
      'package.zip_bomb',
    );
    await expectRefused(
      repack(v3(), (e) => [...e, { name: 'liar.bin', data: zeros(200_000), declaredSize: 100 }]),
      'package.zip_bomb',
    );
    const many = writeZip(
      Array.from({ length: 5000 }, (_, i) => ({ name: `f${i}`, data: utf8('x'), store: true })),
    );
    await expectRefused(many, 'package.zip_bomb');
  });

  it('a file the manifest does not list, and garbage', async () => {
    await expectRefused(
      repack(v3(), (e) => [...e, { name: 'extra.json', data: utf8('{}') }]),
      'package.unexpected_file',
    );
    await expectRefused(utf8('this is not a zip'), 'package.corrupt');
  });
});
