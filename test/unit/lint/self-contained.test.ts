/**
 * The repository explains itself: no tracked source file, README or docs page names a planning
 * document kept outside it, or a path that leaves the checkout. A person who clones the project
 * must be able to follow every reference. The one exception is the reference data tests read
 * in place from `../shared/data` beside the checkout.
 *
 * FIELDGRAPH_SELF_CONTAINED_ROOT points the check at another checkout (used to prove it fails).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(
  process.env.FIELDGRAPH_SELF_CONTAINED_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../..'),
);
/** The only place outside the checkout a file may name: reference data tests read in place. */
const sharedData = resolve(root, '../shared/data');

/**
 * Field material is other people's data, kept as found; this file names what it looks for, and
 * its last test shows the check on made-up lines instead.
 */
const exempt = (path: string) =>
  path.startsWith('test/fixtures/') || path === 'test/unit/lint/self-contained.test.ts';

/** Planning documents that never ship with the repository (docs/ has its own, lowercase). */
const planningDoc = /\b(?:ARCHITECTURE|PROTOCOLS|TESTING|PRODUCT|PERFORMANCE|STYLE)\.md\b|\b[Hh]andbook/g;
/** A relative path that climbs: `../x`, `../../x/y`, as an import, a join or a Markdown link. */
const climbing = /(?<![\w./-])((?:\.\.\/)+)([\w@.-][^\s'"`)\]},;*]*)?/g;

const trackedFiles = (): string[] =>
  execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\0')
    .filter((path) => path && !exempt(path));

/** Every reference in one file that points outside the repository, as `file:line: text`. */
const outsideReferences = (path: string, text: string): string[] => {
  const found: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const where = `${path}:${index + 1}`;
    for (const match of line.matchAll(planningDoc)) found.push(`${where}: ${match[0]}`);
    for (const match of line.matchAll(climbing)) {
      const target = resolve(root, dirname(path), match[0]);
      const inside = !relative(root, target).startsWith('..');
      const data = target === sharedData || target.startsWith(sharedData + sep);
      if (!inside && !data) found.push(`${where}: ${match[0]}`);
    }
  });
  return found;
};

describe('the repository is self-contained', () => {
  const files = trackedFiles();

  it('reads the tracked sources, READMEs and docs pages', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/architecture.md',
        'eslint.config.js',
        'shared/node/protocols/improv-client.ts',
      ]),
    );
  });

  it('names no planning document and no path outside the checkout but ../shared/data', () => {
    const found = files.flatMap((path) => {
      const bytes = readFileSync(resolve(root, path));
      if (bytes.includes(0)) return [];
      return outsideReferences(path, bytes.toString('utf8'));
    });
    expect(found).toEqual([]);
  });

  it('tells a reference into ../shared/data from one that leaves it', () => {
    const test = 'test/unit/shared/core/model/wot/wot.test.ts';
    expect(outsideReferences(test, `'../../../../../../../shared/data/w3c/x.json'`)).toEqual([]);
    expect(outsideReferences(test, `'../../../../../../../shared/other/x.md'`)).toHaveLength(1);
    expect(outsideReferences(test, `'../../../../../../../shared/data/../handbook/x.md'`)).toHaveLength(2);
    expect(outsideReferences('README.md', 'see [notes](../notes/PLAN.md)')).toHaveLength(1);
    expect(outsideReferences('docs/README.md', 'see [tests](../test/README.md)')).toEqual([]);
    expect(outsideReferences('shared/a.ts', '// as PROTOCOLS.md §1.7 says')).toHaveLength(1);
  });
});
