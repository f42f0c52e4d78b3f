import { describe, expect, it } from 'vitest';
import { diffFlows } from '../../../../../shared/core/package/diff';

const f = (path: string, sha256: string) => ({ path, sha256 });

describe('flow changes between two manifests', () => {
  it('lists added, changed, removed and unchanged flows, ignoring other files', () => {
    const running = [
      f('flows/a.json', '1'),
      f('flows/b.json', '2'),
      f('flows/c.json', '3'),
      f('models/x.json', '9'),
    ];
    const next = [
      f('flows/a.json', '1'),
      f('flows/b.json', '22'),
      f('flows/d.json', '4'),
      f('models/x.json', '99'),
    ];
    expect(diffFlows(running, next)).toEqual({
      added: ['d'],
      changed: ['b'],
      removed: ['c'],
      unchanged: ['a'],
    });
  });

  it('treats a gateway that runs nothing as all added', () => {
    expect(diffFlows([], [f('flows/b.json', '2'), f('flows/a.json', '1')])).toEqual({
      added: ['a', 'b'],
      changed: [],
      removed: [],
      unchanged: [],
    });
  });
});
