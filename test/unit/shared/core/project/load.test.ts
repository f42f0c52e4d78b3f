import fc from 'fast-check';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CURRENT_SCHEMA_VERSION,
  findSecretProblems,
  jsonErrorPosition,
  loadProject,
  parseDocumentPath,
  type ProjectFileInput,
  type ProjectValidator,
} from '../../../../../shared/core/project';
import {
  libraryValidation,
  projectFixturesDir,
  readFixtureFiles,
} from '../../../../helpers/project-fixtures';

let validate: ProjectValidator;
beforeAll(async () => {
  validate = await libraryValidation();
});

const current = () => readFixtureFiles(join(projectFixturesDir, `v${CURRENT_SCHEMA_VERSION}`));
const replace = (files: ProjectFileInput[], path: string, text: string) => [
  ...files.filter((f) => f.path !== path),
  { path, text },
];

describe('loadProject', () => {
  it('reports a damaged document with its path and line while the rest of the project opens', () => {
    const files = replace(current(), 'flows/broken.json', '{\n  "id": "broken",\n  "nodes": [,]\n}\n');
    const outcome = loadProject(files, validate);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.project.damaged).toEqual(['flows/broken.json']);
    expect(outcome.project.problems).toHaveLength(1);
    expect(outcome.project.problems[0]).toMatchObject({
      code: 'project.malformed_json',
      severity: 'error',
      path: 'flows/broken.json',
    });
    expect(outcome.project.problems[0].message).toMatch(/line 3, column/);
    expect(Object.keys(outcome.project.documents.sites)).toEqual(['workshop']);
    expect(Object.keys(outcome.project.documents.flows)).toEqual(['lights']);
  });

  it('opens a project from a newer Fieldgraph read-only with a warning, unmigrated', () => {
    const files = replace(
      current(),
      'fieldgraph.json',
      JSON.stringify({ schemaVersion: 99, id: 'w', name: 'W', roles: [] }),
    );
    const outcome = loadProject(files, validate);
    expect(outcome.ok && outcome.project.readOnly).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.project.problems).toEqual([
      expect.objectContaining({
        code: 'project.newer_version',
        severity: 'warning',
        path: 'fieldgraph.json: schemaVersion',
      }),
    ]);
  });

  it('cannot open without a readable fieldgraph.json, and says which', () => {
    const noMeta = loadProject(current().filter((f) => f.path !== 'fieldgraph.json'));
    expect(noMeta).toEqual({
      ok: false,
      problems: [expect.objectContaining({ code: 'project.not_found', path: 'fieldgraph.json' })],
    });
    const badMeta = loadProject(replace(current(), 'fieldgraph.json', '{"name": "x",'));
    expect(badMeta).toEqual({
      ok: false,
      problems: [expect.objectContaining({ code: 'project.malformed_json' })],
    });
    const noVersion = loadProject(replace(current(), 'fieldgraph.json', '{"name": "x"}'));
    expect(noVersion).toEqual({
      ok: false,
      problems: [
        expect.objectContaining({ code: 'project.invalid', path: 'fieldgraph.json: schemaVersion' }),
      ],
    });
  });

  it('locates schema errors, id mismatches and plain secrets inside documents', () => {
    const site = JSON.parse(
      current().find((f) => f.path === 'sites/workshop.json' && 'text' in f)!['text' as never],
    );
    site.id = 'elsewhere';
    site.wifi.password = 'hunter22';
    site.broker.port = 'many';
    const outcome = loadProject(replace(current(), 'sites/workshop.json', JSON.stringify(site)), validate);
    if (!outcome.ok) throw new Error('should open');
    const byCode = (code: string) =>
      outcome.project.problems.filter((p) => p.code === code).map((p) => p.path);
    expect(byCode('project.id_mismatch')).toEqual(['sites/workshop.json: id']);
    expect(byCode('project.secret_in_file')).toEqual(['sites/workshop.json: wifi.password']);
    expect(byCode('schema.invalid')).toEqual(expect.arrayContaining(['sites/workshop.json: broker.port']));
    // The secret value itself never appears in a message.
    expect(JSON.stringify(outcome.project.problems)).not.toContain('hunter22');
  });

  it('checks sites against the library: unknown models and roles are located', () => {
    const site = JSON.parse(
      current().find((f) => f.path === 'sites/workshop.json' && 'text' in f)!['text' as never],
    );
    site.devices[0].model = 'no-such-model';
    site.bindings[0].role = 'no-such-role';
    const outcome = loadProject(replace(current(), 'sites/workshop.json', JSON.stringify(site)), validate);
    if (!outcome.ok) throw new Error('should open');
    expect(outcome.project.problems.map((p) => [p.code, p.path])).toEqual(
      expect.arrayContaining([
        ['site.unknown_model', 'sites/workshop.json: devices.0.model'],
        ['site.unknown_role', 'sites/workshop.json: bindings.0.role'],
      ]),
    );
  });

  it('accepts references and rejects malformed ones', () => {
    expect(findSecretProblems({ wifi: { password: { secret: 'site/a/wifi' } } }, 's.json')).toEqual([]);
    expect(findSecretProblems({ token: { secret: '../x' } }, 's.json')).toEqual([
      expect.objectContaining({ code: 'project.bad_secret_ref', path: 's.json: token' }),
    ]);
    expect(findSecretProblems({ list: [{ mqtt_pass: 'x' }] }, 's.json')[0].path).toBe(
      's.json: list[0].mqtt_pass',
    );
  });

  it('reports a file whose name cannot be an id instead of skipping it silently', () => {
    const outcome = loadProject(replace(current(), 'flows/My Flow.json', '{}'), validate);
    if (!outcome.ok) throw new Error('should open');
    expect(outcome.project.problems).toEqual([
      expect.objectContaining({
        code: 'project.bad_document_id',
        severity: 'warning',
        path: 'flows/My Flow.json',
      }),
    ]);
    expect(outcome.project.damaged).toEqual(['flows/My Flow.json']);
  });

  it('maps only document files to kinds and ids', () => {
    expect(parseDocumentPath('sites/demo.json')).toEqual({ kind: 'sites', id: 'demo' });
    expect(parseDocumentPath('models/switch@1.json')).toEqual({ kind: 'models', id: 'switch@1' });
    expect(parseDocumentPath('sites/.fg-tmp-demo.json.1.ab')).toBeNull();
    expect(parseDocumentPath('other/demo.json')).toBeNull();
    expect(parseDocumentPath('sites/a/b.json')).toBeNull();
  });
});

describe('jsonErrorPosition', () => {
  it('agrees with JSON.parse on what parses, and points at the first bad character', () => {
    expect(jsonErrorPosition('{"a": [1, 2.5e3, "x\\u0041", true, null]}')).toBeNull();
    expect(jsonErrorPosition('{\n  "a": [,]\n}')).toEqual({ line: 2, column: 9 });
    expect(jsonErrorPosition('{"a": 1,}')).toEqual({ line: 1, column: 9 });
    expect(jsonErrorPosition('{"a": tru}')).toEqual({ line: 1, column: 10 });
    expect(jsonErrorPosition('{"a": 1} x')).toEqual({ line: 1, column: 10 });
    expect(jsonErrorPosition('')).toEqual({ line: 1, column: 1 });
  });

  it('never disagrees with JSON.parse about validity', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.json().map((j) => j.slice(0, -1)),
        ),
        (text) => {
          let parses = true;
          try {
            JSON.parse(text);
          } catch {
            parses = false;
          }
          expect(jsonErrorPosition(text) === null).toBe(parses);
        },
      ),
      { numRuns: 500 },
    );
  });
});
