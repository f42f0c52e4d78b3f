/**
 * The repository explains itself: its documentation links only to files it holds, and the
 * lists in docs/ stay in step with what they describe (published schemas, benchmarks, pages).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SKIP = new Set(['node_modules', 'dist', 'test-results', '.git', 'fixtures']);

const walk = (dir: string, keep: (path: string) => boolean): string[] =>
  readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path, keep);
    return keep(path) ? [path] : [];
  });

const markdown = walk(root, (path) => path.endsWith('.md'));
const read = (path: string) => readFileSync(path, 'utf8');
const rel = (path: string) => relative(root, path);

/** Relative link targets of a Markdown file: `[text](target)`, without anchors or external URLs. */
const linksOf = (text: string): string[] =>
  [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0]!);

describe('documentation', () => {
  it('finds the Markdown files it checks', () => {
    expect(markdown.map(rel)).toEqual(
      expect.arrayContaining(['README.md', 'docs/README.md', 'test/README.md']),
    );
  });

  it('links only to files inside the repository that exist', () => {
    const broken: string[] = [];
    for (const file of markdown) {
      for (const target of linksOf(read(file))) {
        const path = resolve(dirname(file), target);
        const inside = !relative(root, path).startsWith('..');
        if (!inside || !existsSync(path))
          broken.push(`${rel(file)} → ${target}${inside ? '' : ' (outside)'}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('lists every page of docs/ in docs/README.md', () => {
    const index = read(join(root, 'docs/README.md'));
    const pages = readdirSync(join(root, 'docs')).filter(
      (name) => name.endsWith('.md') && name !== 'README.md',
    );
    expect(pages.length).toBeGreaterThan(3);
    expect(pages.filter((page) => !index.includes(`](${page})`))).toEqual([]);
  });

  it('links every published JSON Schema from docs/formats.md', () => {
    const formats = read(join(root, 'docs/formats.md'));
    const schemas = readdirSync(join(root, 'resources/schemas')).filter((name) =>
      name.endsWith('.schema.json'),
    );
    expect(schemas.length).toBeGreaterThan(5);
    expect(schemas.filter((name) => !formats.includes(`resources/schemas/${name})`))).toEqual([]);
  });

  it('names every benchmark script in docs/performance.md', () => {
    const scripts = Object.keys(
      (JSON.parse(read(join(root, 'package.json'))) as { scripts: Record<string, string> }).scripts,
    ).filter((name) => name.startsWith('bench:'));
    const performance = read(join(root, 'docs/performance.md'));
    expect(scripts.length).toBeGreaterThan(3);
    expect(scripts.filter((name) => !performance.includes(`npm run ${name}`))).toEqual([]);
  });

  it('lists every CLI command in cli/README.md', () => {
    const index = read(join(root, 'cli/commands/index.ts'));
    const names = [...index.matchAll(/\(await import\('\.\/\w+'\)\)\.(\w+)Command/g)].map((m) => m[1]!);
    const cliReadme = read(join(root, 'cli/README.md'));
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((name) => !cliReadme.includes(`| \`${name}\``))).toEqual([]);
  });
});
