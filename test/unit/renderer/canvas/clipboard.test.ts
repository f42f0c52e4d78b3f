import { describe, expect, it } from 'vitest';
import { fragmentToText, textToFragment } from '../../../../renderer/src/canvas/clipboard';

const fragment = {
  nodes: [{ id: 'a', kind: 'logic.delay', config: { seconds: 3 }, position: { x: 1, y: 2 }, group: 'g' }],
  edges: [],
  groups: [{ id: 'g', label: 'Hall' }],
};

describe('clipboard', () => {
  it('round-trips a fragment through its JSON text', () => {
    expect(textToFragment(fragmentToText(fragment))).toEqual(fragment);
  });

  it('ignores text that is not a Fieldgraph selection', () => {
    expect(textToFragment('hello')).toBeNull();
    expect(textToFragment('{"a":1}')).toBeNull();
  });

  it('rejects a damaged selection with a message naming the problem', () => {
    const bad = JSON.stringify({
      format: 'fieldgraph/selection',
      version: 1,
      nodes: [{ id: 'a', kind: 'x', config: {}, position: { x: 'left', y: 0 } }],
    });
    expect(() => textToFragment(bad)).toThrow(/Node 1 .*numeric x and y/);
    const newer = JSON.stringify({ format: 'fieldgraph/selection', version: 9, nodes: [] });
    expect(() => textToFragment(newer)).toThrow(/version 9/);
  });
});
