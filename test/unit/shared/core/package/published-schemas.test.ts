import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { renderSchemas } from '../../../../../scripts/gen-schemas.mjs';
import { fromUtf8 } from '../../../../../shared/core/package/bytes';
import { publishedPackageSchemas } from '../../../../../shared/core/package/published';
import { readZip } from '../../../../../shared/core/package/zip';
import { makePackage } from '../../../../helpers/packages';

const root = join(import.meta.dirname, '../../../../..');
const read = (file: string): object =>
  JSON.parse(readFileSync(join(root, 'resources/schemas', file), 'utf8')) as object;

describe('published package schemas', () => {
  const rendered = renderSchemas(publishedPackageSchemas) as Record<string, string>;

  it.each(Object.keys(rendered))(
    'resources/schemas/%s matches the TypeBox source (run node scripts/gen-schemas.mjs)',
    (file) => {
      expect(readFileSync(join(root, 'resources/schemas', file), 'utf8')).toBe(rendered[file]);
    },
  );

  it('accepts a real manifest and signature with an independent validator (ajv), and rejects altered ones', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const manifest = ajv.compile(read('package-manifest.schema.json'));
    const signature = ajv.compile(read('package-signature.schema.json'));
    const entries = readZip(makePackage());
    const m = JSON.parse(fromUtf8(entries.get('manifest.json')!)) as Record<string, unknown>;
    const s = JSON.parse(fromUtf8(entries.get('manifest.sig')!)) as Record<string, unknown>;
    expect(manifest(m), ajv.errorsText(manifest.errors)).toBe(true);
    expect(signature(s), ajv.errorsText(signature.errors)).toBe(true);
    expect(manifest({ ...m, version: 0 })).toBe(false);
    expect(manifest({ ...m, files: [{ path: 'a', sha256: 'xyz', length: 1 }] })).toBe(false);
    expect(signature({ ...s, alg: 'rsa' })).toBe(false);
  });
});
