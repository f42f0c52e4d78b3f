import { describe, expect, it } from 'vitest';
import { buildPackage } from '../../../../../shared/core/package/build';
import { fromUtf8, sha256Hex, utf8 } from '../../../../../shared/core/package/bytes';
import { fingerprint, generateSealingKey } from '../../../../../shared/core/package/keys';
import { engineRangeFor, satisfiesEngine } from '../../../../../shared/core/package/manifest';
import { openSecrets } from '../../../../../shared/core/package/seal';
import { sealedSecretsOf, verifyPackage } from '../../../../../shared/core/package/verify';
import { readZip } from '../../../../../shared/core/package/zip';
import { NOW, installerKey, makePackage, packageInput } from '../../../../helpers/packages';

const policy = { trusted: [installerKey.publicKey], now: NOW };

describe('package format', () => {
  it('packs the same input to byte-identical output, in any time zone', () => {
    const a = makePackage();
    const before = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    const b = makePackage();
    process.env.TZ = before;
    expect(sha256Hex(a)).toBe(sha256Hex(b));
    expect(sha256Hex(makePackage({ version: 3 }))).not.toBe(sha256Hex(a));
  });

  it('writes manifest, signature, then files in path order, each listed with hash and length', () => {
    const { bytes, manifest } = buildPackage(packageInput());
    const names = [...readZip(bytes).keys()];
    expect(names.slice(0, 2)).toEqual(['manifest.json', 'manifest.sig']);
    expect(names.slice(2)).toEqual([...names.slice(2)].sort());
    expect(manifest.files.map((f) => f.path)).toEqual(names.slice(2));
    const entries = readZip(bytes);
    for (const f of manifest.files) {
      expect(f.sha256).toBe(sha256Hex(entries.get(f.path)!));
      expect(f.length).toBe(entries.get(f.path)!.length);
    }
    expect(manifest.signer).toBe(fingerprint(installerKey.publicKey));
  });

  it('verifies a good package and returns its files', () => {
    const verified = verifyPackage(makePackage(), {
      ...policy,
      gateway: { id: 'gw-1', groups: [] },
      engineVersion: '1.2.0',
      installedVersion: 1,
    });
    expect(verified.manifest.version).toBe(2);
    expect(fromUtf8(verified.files.get('bindings.json')!)).toContain('dev-1');
  });

  it('accepts a group package on a gateway in that group only', () => {
    const bytes = makePackage({ target: { kind: 'group', id: 'north' } });
    expect(
      verifyPackage(bytes, { ...policy, gateway: { id: 'gw-9', groups: ['north'] } }).manifest.target.id,
    ).toBe('north');
    expect(() => verifyPackage(bytes, { ...policy, gateway: { id: 'gw-9', groups: ['south'] } })).toThrow(
      expect.objectContaining({ code: 'package.wrong_target' }),
    );
  });

  it('seals secrets to the gateway key only, bound to the package version', () => {
    const gateway = generateSealingKey();
    const other = generateSealingKey();
    const bytes = makePackage({
      secrets: { values: { wifi: 'hunter22' }, gatewayPublicKey: gateway.publicKey },
    });
    expect(fromUtf8(bytes)).not.toContain('hunter22');
    const verified = verifyPackage(bytes, policy);
    const sealed = sealedSecretsOf(verified)!;
    expect(openSecrets(sealed, gateway.secretKey, { packageId: 'site-plant', version: 2 })).toEqual({
      wifi: 'hunter22',
    });
    expect(() => openSecrets(sealed, other.secretKey, { packageId: 'site-plant', version: 2 })).toThrow(
      expect.objectContaining({ code: 'package.secrets_unreadable' }),
    );
    expect(() => openSecrets(sealed, gateway.secretKey, { packageId: 'site-plant', version: 3 })).toThrow(
      expect.objectContaining({ code: 'package.secrets_unreadable' }),
    );
  });

  it('refuses bad pack input with a clear message', () => {
    expect(() => makePackage({ files: { '../x.json': utf8('{}') } })).toThrow(
      expect.objectContaining({ code: 'package.invalid_input' }),
    );
    expect(() => makePackage({ files: { 'manifest.json': utf8('{}') } })).toThrow(
      expect.objectContaining({ code: 'package.invalid_input' }),
    );
    expect(() => makePackage({ version: 0 })).toThrow(
      expect.objectContaining({ code: 'package.invalid_input' }),
    );
    expect(() => makePackage({ expires: '2020-01-01T00:00:00Z' })).toThrow(/expire before/);
  });

  it('checks engine ranges', () => {
    expect(satisfiesEngine('1.4.2', '>=1.0.0 <2.0.0')).toBe(true);
    expect(satisfiesEngine('2.0.0', '>=1.0.0 <2.0.0')).toBe(false);
    expect(satisfiesEngine('1.0.0', '1.0.0')).toBe(true);
    expect(() => satisfiesEngine('1.0.0', '^1')).toThrow(
      expect.objectContaining({ code: 'package.invalid_manifest' }),
    );
  });

  it('asks, by default, for the release line that built the package', () => {
    expect(engineRangeFor('1.4.2')).toBe('>=1.0.0 <2.0.0');
    expect(engineRangeFor('0.3.7')).toBe('>=0.3.0 <0.4.0');
    expect(satisfiesEngine('0.3.9', engineRangeFor('0.3.0'))).toBe(true);
    expect(satisfiesEngine('0.4.0', engineRangeFor('0.3.0'))).toBe(false);
  });
});
