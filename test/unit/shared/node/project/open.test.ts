import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FieldgraphError } from '../../../../../shared/core/errors';
import { collectSiteFiles, listSites } from '../../../../../shared/node/deploy/collect';
import { loadProjectFlowSet } from '../../../../../shared/node/gateway/project';
import type { Logger } from '../../../../../shared/node/log';
import { openProjectFolder } from '../../../../../shared/node/project/open';

const root = mkdtempSync(join(tmpdir(), 'fg-open-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
/** A small project: one site, one good flow, and whatever `extra` files the case adds. */
const project = (extra: Record<string, string> = {}): string => {
  const dir = join(root, `p${++count}`);
  for (const sub of ['flows', 'models', 'sites']) mkdirSync(join(dir, sub), { recursive: true });
  const files: Record<string, string> = {
    'fieldgraph.json': JSON.stringify({ schemaVersion: 2, id: 'p', name: 'P', roles: [] }),
    'sites/home.json': JSON.stringify({ id: 'home', name: 'Home', devices: [], bindings: [] }),
    'flows/good.json': JSON.stringify({ id: 'good', name: 'Good', nodes: [], edges: [] }),
    ...extra,
  };
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
};

const rejection = async (promise: Promise<unknown>): Promise<FieldgraphError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FieldgraphError);
  return error as FieldgraphError;
};

const deep = `{"id":"deep","nodes":${'['.repeat(100)}${']'.repeat(100)}}`;

describe('the one project reader', () => {
  it('returns typed documents and the text of each file as it is on disk', async () => {
    const dir = project({ 'sites/away.json': '{ "id": "away",  "name": "Away" }\n' });
    const opened = await openProjectFolder(dir);
    expect(Object.keys(opened.project.documents.flows)).toEqual(['good']);
    expect(opened.project.documents.sites.away).toEqual({ id: 'away', name: 'Away' });
    expect(opened.texts.get('sites/away.json')).toBe('{ "id": "away",  "name": "Away" }\n');
    expect(await listSites(dir)).toEqual(['away', 'home']);
  });

  it('refuses a folder that is missing or not a project, naming it and the fix, with the caller’s code', async () => {
    const missing = await rejection(openProjectFolder(join(root, 'nowhere')));
    expect(missing.code).toBe('project.not_found');
    expect(missing.message).toMatch(/nowhere does not exist.*Pick the folder that contains fieldgraph\.json/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const notProject = await rejection(openProjectFolder(empty, { code: 'gateway.project_unreadable' }));
    expect(notProject.code).toBe('gateway.project_unreadable');
    expect(notProject.message).toMatch(/fieldgraph\.json: .*not a Fieldgraph project\. Pick the folder/);
    const broken = project({ 'fieldgraph.json': '{"schemaVersion": 2,' });
    expect((await rejection(openProjectFolder(broken))).message).toMatch(
      /fieldgraph\.json: The file is not valid JSON.*line 1.*Fix the JSON/,
    );
  });

  it('leaves out a file nested too deep or malformed, reports where, and keeps the rest', async () => {
    const dir = project({ 'flows/deep.json': deep, 'flows/cut.json': '{"id":"cut",' });
    const { project: loaded, texts } = await openProjectFolder(dir);
    expect(Object.keys(loaded.documents.flows)).toEqual(['good']);
    expect(loaded.damaged.sort()).toEqual(['flows/cut.json', 'flows/deep.json']);
    expect(loaded.fileProblems.find((p) => p.path === 'flows/deep.json')?.message).toMatch(
      /more than 64 levels deep \(line 1, column \d+\)/,
    );
    expect(texts.has('flows/deep.json')).toBe(false);
  });
});

describe('packing through the reader', () => {
  it('packs the site, flows and models byte for byte, in a stable order', async () => {
    const dir = project({ 'models/m.json': '{"id":"m"}', 'sites/away.json': '{"id":"away","name":"Away"}' });
    const { projectId, files } = await collectSiteFiles(dir, 'home');
    expect(projectId).toBe('p');
    expect(Object.keys(files)).toEqual([
      'fieldgraph.json',
      'sites/home.json',
      'flows/good.json',
      'models/m.json',
    ]);
    expect(Buffer.from(files['models/m.json']!).toString()).toBe('{"id":"m"}');
  });

  it('refuses a damaged flow instead of packing without it, and names the file and the fix', async () => {
    const error = await rejection(collectSiteFiles(project({ 'flows/cut.json': '{"id":"cut",' }), 'home'));
    expect(error.code).toBe('package.invalid_input');
    expect(error.message).toMatch(
      /^flows\/cut\.json: The file is not valid JSON.*Fix the JSON.*then pack again\.$/,
    );
    const noSite = await rejection(collectSiteFiles(project(), 'shed'));
    expect(noSite.message).toBe('The project has no site "shed". Sites: home.');
  });
});

describe('the gateway reading a project', () => {
  it('runs what opens, logs each damaged file with its fix, and puts library models behind the project’s', async () => {
    const warnings: Array<Record<string, unknown>> = [];
    const log = {
      warn: (_message: string, fields: Record<string, unknown>) => warnings.push(fields),
    } as unknown as Logger;
    const dir = project({
      'flows/deep.json': deep,
      'models/shelly-plus-1.json': '{"id":"shelly-plus-1","own":true}',
    });
    const set = await loadProjectFlowSet(dir, log);
    expect(set.flows).toEqual([{ id: 'good', name: 'Good', nodes: [], edges: [] }]);
    expect(warnings).toEqual([expect.objectContaining({ path: 'flows/deep.json', fix: expect.any(String) })]);
    const models = set.models as Array<{ id: string; own?: boolean }>;
    expect(models.filter((m) => m.id === 'shelly-plus-1')).toEqual([{ id: 'shelly-plus-1', own: true }]);
    expect(models.length).toBeGreaterThan(10);
    const error = await rejection(loadProjectFlowSet(join(root, 'nowhere'), log));
    expect(error.code).toBe('gateway.project_unreadable');
  });
});
