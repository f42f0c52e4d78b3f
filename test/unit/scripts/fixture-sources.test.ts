import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs development script without type declarations
import * as sources from '../../../scripts/fixture-sources.mjs';

const { readCorpusSources, folderSources } = sources as {
  readCorpusSources: (text: string) => { files: Map<string, unknown>; repositories: Map<string, string> };
  folderSources: (
    corpusName: string,
    corpus: { dir: string; files: Map<string, unknown>; repositories: Map<string, string> },
    folder: string,
    names: string[],
  ) => { text?: string; problem?: string };
};

const FIELD = 'test/fixtures/field';

/** Every folder under the field fixtures that holds a file other than Markdown. */
const fixtureFolders = (dir: string, out: string[] = []): string[] => {
  const entries = readdirSync(dir);
  if (entries.some((e) => !e.endsWith('.md') && statSync(join(dir, e)).isFile())) out.push(dir);
  for (const e of entries) if (statSync(join(dir, e)).isDirectory()) fixtureFolders(join(dir, e), out);
  return out;
};

describe('field fixtures name their sources in every folder', () => {
  it('gives each folder holding a field file a README.md and a SOURCES.md', () => {
    const lacking = fixtureFolders(FIELD).filter((d) => {
      const names = readdirSync(d);
      return !names.includes('README.md') || !names.includes('SOURCES.md');
    });
    expect(lacking).toEqual([]);
  });

  it('keeps the folder files the script writes in step with the corpus SOURCES.md', () => {
    // exit code 1 and the stale paths on stderr when a corpus row changed without a re-run
    expect(() =>
      execFileSync('node', ['scripts/fixture-sources.mjs', '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('copies a folder its rows and repositories, and names files no row lists', () => {
    const corpusText = [
      '| repository | commit | licence |',
      '| --- | --- | --- |',
      '| https://github.com/acme/flows | 0123abcd | MIT |',
      '| https://github.com/other/flows | 4567ef01 | ISC |',
      '',
      '| file | repository | path there | licence |',
      '| --- | --- | --- | --- |',
      '| seen/acme/a.json | acme/flows | x/a.json | MIT |',
      '| seen/other/b.json | other/flows | b.json | ISC |',
    ].join('\n');
    const corpus = { dir: '/c', ...readCorpusSources(corpusText) };
    const written = folderSources('nodered', corpus, '/c/seen/acme', ['a.json']);
    expect(written.text).toContain('| `a.json` | acme/flows | x/a.json | MIT |');
    expect(written.text).toContain('| https://github.com/acme/flows | 0123abcd | MIT |');
    expect(written.text).not.toContain('other/flows');
    expect(folderSources('nodered', corpus, '/c/seen/acme', ['a.json', 'c.json']).problem).toBe(
      'nodered/seen/acme: not in the corpus SOURCES.md: c.json',
    );
  });

  it('lists a licence for every file of the W3C WoT and Node-RED corpora', () => {
    for (const corpus of ['wot', 'nodered']) {
      const { files } = readCorpusSources(readFileSync(join(FIELD, corpus, 'SOURCES.md'), 'utf8'));
      for (const [file, entry] of files)
        expect((entry as { row: string[] }).row.at(-1), file).toMatch(/\w{3}/);
    }
  });
});
