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

  it('declares the labelled groups the canvas saves, and rejects malformed ones', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const check = ajv.compile(read('resources/schemas/flow.schema.json') as object);
    const flow = (read('test/fixtures/flows/broken/unreachable.json') as { flow: Record<string, unknown> })
      .flow;
    const nodes = flow.nodes as Record<string, unknown>[];
    const grouped = {
      ...flow,
      nodes: nodes.map((n, i) => (i === 0 ? { ...n, group: 'g-hall' } : n)),
      groups: [{ id: 'g-hall', label: 'Hallway' }],
    };
    expect(check(grouped), ajv.errorsText(check.errors)).toBe(true);
    expect(check({ ...grouped, groups: [{ id: 'g-hall' }] })).toBe(false);
    expect(check({ ...grouped, groups: [{ id: 'not an id', label: 'Hallway' }] })).toBe(false);
    expect(check({ ...grouped, groups: [{ id: 'g-hall', label: 'x'.repeat(121) }] })).toBe(false);
  });
});
