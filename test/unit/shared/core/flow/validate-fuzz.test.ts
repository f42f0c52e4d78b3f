import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeKinds } from '../../../../../shared/core/flow/catalog';
import { validateFlow } from '../../../../../shared/core/flow/validate';

const id = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const anyConfigValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('payload >', 'payload.x', 'true', '*/5 * * * *'),
);
const node = fc.record({
  id,
  kind: fc.oneof(fc.constantFrom(...nodeKinds.map((k) => k.kind)), fc.string()),
  config: fc.dictionary(
    fc.constantFrom(
      'role',
      'event',
      'property',
      'condition',
      'seconds',
      'topic',
      'rules',
      'set',
      'cron',
      'value',
    ),
    anyConfigValue,
  ),
  position: fc.record({ x: fc.integer(), y: fc.integer() }),
});
const edge = fc.record({
  id: fc.string({ minLength: 1, maxLength: 4 }).map((s) => s.replace(/[^A-Za-z0-9_-]/g, 'x')),
  from: fc.record({ node: id, port: fc.constantFrom('out', 'true', 'false', 'x') }),
  to: fc.record({ node: id, port: fc.constantFrom('in', 'in1', 'reset', 'y') }),
});
const flow = fc.record({
  schemaVersion: fc.constant(1),
  id: fc.constant('fuzz'),
  name: fc.constant('fuzz'),
  roles: fc.array(fc.string()),
  runMode: fc.record({
    mode: fc.constantFrom('single', 'restart', 'queued', 'parallel'),
    max: fc.integer({ min: 1, max: 5 }),
  }),
  nodes: fc.array(node, { maxLength: 6 }),
  edges: fc.array(edge, { maxLength: 8 }),
});

describe('the validator never crashes', () => {
  it('on random flows, and every problem is complete', () => {
    fc.assert(
      fc.property(fc.oneof(flow, fc.anything()), (doc) => {
        for (const p of validateFlow(doc, [])) {
          expect(p.code).toMatch(/^flow\./);
          expect(p.message).not.toBe('');
          expect(p.hint).not.toBe('');
        }
      }),
      { numRuns: 300 },
    );
  });
});
