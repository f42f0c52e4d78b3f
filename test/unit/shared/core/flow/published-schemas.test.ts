import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { renderSchemas } from '../../../../../scripts/gen-schemas.mjs';
import { publishedFlowSchemas } from '../../../../../shared/core/flow/published';

const root = join(import.meta.dirname, '../../../../..');
const read = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));

describe('published flow and trace schemas', () => {
  const rendered = renderSchemas(publishedFlowSchemas) as Record<string, string>;

  it.each(Object.keys(rendered))(
    'resources/schemas/%s matches the TypeBox source (run node scripts/gen-schemas.mjs)',
    (file) => {
      expect(readFileSync(join(root, 'resources/schemas', file), 'utf8')).toBe(rendered[file]);
    },
  );

  it('accepts a flow with an independent validator (ajv) and rejects a broken document', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const check = ajv.compile(read('resources/schemas/flow.schema.json') as object);
    const good = (read('test/fixtures/flows/broken/unreachable.json') as { flow: unknown }).flow;
    expect(check(good), ajv.errorsText(check.errors)).toBe(true);
    expect(check((read('test/fixtures/flows/broken/not-a-flow.json') as { flow: unknown }).flow)).toBe(false);
    expect(check({ ...(good as object), runMode: { mode: 'sometimes', max: 1 } })).toBe(false);
  });
});
