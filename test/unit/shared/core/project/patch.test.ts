import { describe, expect, it } from 'vitest';
import { FieldgraphError } from '../../../../../shared/core/errors';
import { applyDocumentPatch, type PatchOp } from '../../../../../shared/core/project/patch';
import type { JsonObject } from '../../../../../shared/core/project/serialize';

const flow = (): JsonObject => ({
  id: 'f1',
  name: 'Hall',
  nodes: [
    { id: 'a', kind: 'trigger.event', position: { x: 0, y: 0 }, config: {} },
    { id: 'b', kind: 'action.call', position: { x: 200, y: 0 }, config: { role: 'hall-light' } },
  ],
  edges: [{ id: 'e1', from: { node: 'a', port: 'out' }, to: { node: 'b', port: 'in' } }],
});

const failure = (fn: () => unknown): FieldgraphError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof FieldgraphError) return error;
    throw error;
  }
  throw new Error('expected a FieldgraphError');
};

describe('a document patch', () => {
  it('moves one node by id, adds and removes list elements, and leaves the given document as it was', () => {
    const doc = flow();
    const before = JSON.stringify(doc);
    const out = applyDocumentPatch(
      doc,
      [
        { op: 'put', path: ['nodes', { id: 'b' }, 'position'], value: { x: 240, y: 40 } },
        { op: 'put', path: ['nodes', { id: 'c' }], value: { kind: 'logic.delay', config: {} } },
        { op: 'remove', path: ['edges', { id: 'e1' }] },
        { op: 'put', path: ['name'], value: 'Hall lights' },
      ],
      'flows/f1.json',
    );
    expect(JSON.stringify(doc)).toBe(before);
    expect(out.name).toBe('Hall lights');
    const nodes = out.nodes as JsonObject[];
    expect(nodes.map((n) => n.id)).toEqual(['a', 'b', 'c']);
    expect(nodes[1]!.position).toEqual({ x: 240, y: 40 });
    expect(nodes[2]).toMatchObject({ id: 'c', kind: 'logic.delay' });
    expect(out.edges).toEqual([]);
    // Untouched parts are shared, not copied: a patch costs what it changes.
    expect(nodes[0]).toBe((doc.nodes as JsonObject[])[0]);
  });

  it('replaces an element by id whatever order the list is in, and a remove of nothing is no change', () => {
    const doc = flow();
    (doc.nodes as JsonObject[]).reverse();
    const out = applyDocumentPatch(
      doc,
      [
        {
          op: 'put',
          path: ['nodes', { id: 'a' }],
          value: { id: 'ignored', kind: 'trigger.time', config: {} },
        },
        { op: 'remove', path: ['nodes', { id: 'zz' }] },
        { op: 'remove', path: ['description'] },
      ],
      'flows/f1.json',
    );
    expect((out.nodes as JsonObject[]).map((n) => [n.id, n.kind])).toEqual([
      ['b', 'action.call'],
      ['a', 'trigger.time'],
    ]);
  });

  it('refuses a path that does not exist, the document id, a secret value and non-JSON, changing nothing', () => {
    const doc = flow();
    const cases: [PatchOp[], string, string][] = [
      [
        [{ op: 'put', path: ['nodes', { id: 'nope' }, 'position'], value: {} }],
        'project.invalid',
        'nodes.[id=nope]',
      ],
      [[{ op: 'put', path: ['id'], value: 'other' }], 'project.invalid', 'the document id cannot change'],
      [[{ op: 'put', path: ['name', 'x'], value: 1 }], 'project.invalid', 'not an object'],
      [
        [{ op: 'put', path: ['nodes', { id: 'a' }, 'config'], value: { password: 'hunter2' } }],
        'project.secret_in_file',
        'password',
      ],
      [[{ op: 'put', path: ['name'], value: Number.NaN }], 'project.invalid', 'flows/f1.json'],
      [[{ op: 'put', path: [], value: {} }], 'project.invalid', 'whole document'],
    ];
    for (const [ops, code, text] of cases) {
      const error = failure(() => applyDocumentPatch(doc, ops, 'flows/f1.json'));
      expect(error.code).toBe(code);
      expect(error.message).toContain(text);
    }
    expect(doc).toEqual(flow());
  });
});
