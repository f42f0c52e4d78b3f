import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/fieldgraph.js', ...args], { encoding: 'utf8', timeout: 30_000 });
const work = mkdtempSync(join(tmpdir(), 'fg-validate-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Problems {
  problems: { code: string; severity: string; path: string; message: string }[];
}

describe('fieldgraph validate', () => {
  it('passes the demo-site sample and every per-version fixture (exit 0)', () => {
    for (const dir of [
      'resources/samples/demo-site',
      'test/fixtures/projects/v1',
      'test/fixtures/projects/v2',
    ]) {
      const r = cli('validate', dir, '--json');
      expect(r.status, `${dir}: ${r.stdout}${r.stderr}`).toBe(0);
      const out = JSON.parse(r.stdout) as Problems;
      expect(out.problems.filter((p) => p.severity === 'error')).toEqual([]);
    }
    expect(cli('validate', 'test/fixtures/projects/v1').stdout).toMatch(/format version 1/);
  });

  it('lists each damaged file with its path and JSON path, exactly four keys per problem (exit 1)', () => {
    const dir = join(work, 'damaged');
    cpSync('test/fixtures/projects/v2', dir, { recursive: true });
    writeFileSync(join(dir, 'flows', 'broken.json'), '{"id": "broken",');
    writeFileSync(
      join(dir, 'sites', 'other.json'),
      JSON.stringify({
        id: 'other',
        name: 'Other',
        wifi: { ssid: 'x', password: 'hunter22' },
        rooms: [],
        devices: [],
        bindings: [],
        gateways: [],
      }),
    );
    const r = cli('validate', dir, '--json');
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as Problems;
    expect(out.problems.map((p) => [p.code, p.path])).toEqual(
      expect.arrayContaining([
        ['project.malformed_json', 'flows/broken.json'],
        ['project.secret_in_file', 'sites/other.json: wifi.password'],
      ]),
    );
    for (const p of out.problems)
      expect(Object.keys(p).sort()).toEqual(['code', 'message', 'path', 'severity']);
    expect(r.stdout).not.toContain('hunter22');
    const text = cli('validate', dir);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/^flows\/broken\.json: error: The file is not valid JSON/m);
    expect(text.stdout).toMatch(/fix: /);
  });

  it('exits 2 for a folder that is missing, not a project, or has a broken fieldgraph.json', () => {
    expect(cli('validate', join(work, 'nowhere')).status).toBe(2);
    const empty = join(work, 'empty');
    mkdirSync(empty);
    const r = cli('validate', empty, '--json');
    expect(r.status).toBe(2);
    expect((JSON.parse(r.stdout) as Problems).problems[0]).toMatchObject({
      code: 'project.not_found',
      path: 'fieldgraph.json',
    });
    writeFileSync(join(empty, 'fieldgraph.json'), '{');
    expect(cli('validate', empty).status).toBe(2);
    expect(cli('validate').status).toBe(2);
  });

  it('refuses a deeply nested file with its place instead of crashing (exit 1)', () => {
    const dir = join(work, 'deep');
    cpSync('test/fixtures/projects/v2', dir, { recursive: true });
    // 100,000 levels: JSON.parse takes it, anything that walks it recursively would not.
    writeFileSync(
      join(dir, 'flows', 'deep.json'),
      `{"id":"deep","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
    const r = cli('validate', dir, '--json');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/Maximum call stack/);
    const out = JSON.parse(r.stdout) as Problems;
    const deep = out.problems.find((p) => p.path === 'flows/deep.json');
    expect(deep).toMatchObject({ code: 'project.invalid', severity: 'error' });
    expect(deep!.message).toMatch(/more than 64 levels deep \(line 1, column \d+\)/);
  });
});
