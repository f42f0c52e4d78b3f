import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { renderSchemas } from '../../../../../scripts/gen-schemas.mjs';
import { publishedSchemas } from '../../../../../shared/core/model/schemas';

const root = join(import.meta.dirname, '../../../../..');
const schemaDir = join(root, 'resources/schemas');
const libraryDir = join(root, 'resources/library');
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('published JSON Schemas', () => {
  const rendered = renderSchemas(publishedSchemas) as Record<string, string>;

  it.each(Object.keys(rendered))(
    'resources/schemas/%s matches the TypeBox source (run node scripts/gen-schemas.mjs)',
    (file) => {
      expect(readFileSync(join(schemaDir, file), 'utf8')).toBe(rendered[file]);
    },
  );

  it('accept every library file with an independent validator (ajv) and reject a broken one', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const capability = ajv.compile(readJson(join(schemaDir, 'capability.schema.json')) as object);
    const model = ajv.compile(readJson(join(schemaDir, 'device-model.schema.json')) as object);
    for (const f of readdirSync(join(libraryDir, 'capabilities'))) {
      expect(
        capability(readJson(join(libraryDir, 'capabilities', f))),
        `${f}: ${ajv.errorsText(capability.errors)}`,
      ).toBe(true);
    }
    for (const f of readdirSync(join(libraryDir, 'models'))) {
      expect(model(readJson(join(libraryDir, 'models', f))), `${f}: ${ajv.errorsText(model.errors)}`).toBe(
        true,
      );
    }
    expect(capability({ id: 'switch', title: 'x' })).toBe(false);
    const broken = readJson(join(libraryDir, 'models', 'tasmota-relay.json')) as {
      implements: Record<string, { capability: unknown }>;
    };
    broken.implements.switch!.capability = 42;
    expect(model(broken)).toBe(false);
  });
});
