import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, type ProjectValidator } from '../../../shared/core/project';
import { createProjectStore, createRecoveryArea, type ProjectSummary } from '../../../shared/node/project';
import { buildProjectChild } from '../../helpers/project-child';
import { libraryValidation, projectFixturesDir } from '../../helpers/project-fixtures';

let base: string;
let child: { script: string; dir: string };
let validate: ProjectValidator;
beforeAll(async () => {
  validate = await libraryValidation();
  base = mkdtempSync(join(tmpdir(), 'fg-store-'));
  chmodSync(base, 0o755); // the no-permission test runs a child as another user
  child = await buildProjectChild();
});
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
  rmSync(child.dir, { recursive: true, force: true });
});

let n = 0;
const setup = (fixture?: string) => {
  const dir = join(base, `p${++n}`);
  if (fixture) cpSync(join(projectFixturesDir, fixture), dir, { recursive: true });
  const recoveryDir = join(base, `r${n}`);
  const events: (ProjectSummary | null)[] = [];
  const make = () =>
    createProjectStore({
      recovery: createRecoveryArea(recoveryDir),
      autosaveMs: 0,
      validate,
      onChange: (s) => events.push(s),
    });
  return { dir, recoveryDir, events, store: make(), make };
};
const read = (path: string) => readFileSync(path, 'utf8');

describe('project store on a real folder', () => {
  it('creates a project with the folder layout and writes pretty, key-sorted, stable files', async () => {
    const { dir, store, events } = setup();
    const created = await store.create(dir, 'Corner Shop');
    expect(created).toMatchObject({
      id: 'corner-shop',
      name: 'Corner Shop',
      dirty: false,
      readOnly: false,
      problems: [],
    });
    expect(readdirSync(dir).sort()).toEqual(['fieldgraph.json', 'flows', 'models', 'sites']);
    expect(JSON.parse(read(join(dir, 'fieldgraph.json')))).toMatchObject({
      schemaVersion: CURRENT_SCHEMA_VERSION,
      roles: [],
    });

    store.putDocument('sites', 'shop', { rooms: [], name: 'Shop', gateways: [], devices: [], bindings: [] });
    expect(store.summary()?.dirty).toBe(true);
    await store.save();
    expect(read(join(dir, 'sites', 'shop.json'))).toBe(
      '{\n  "bindings": [],\n  "devices": [],\n  "gateways": [],\n  "id": "shop",\n  "name": "Shop",\n  "rooms": []\n}\n',
    );
    const mtime = statSync(join(dir, 'sites', 'shop.json')).mtimeMs;
    store.putDocument('sites', 'shop', {
      id: 'shop',
      name: 'Shop',
      rooms: [],
      devices: [],
      bindings: [],
      gateways: [],
    });
    await store.save();
    // Same content, same bytes: the file is not even rewritten.
    expect(statSync(join(dir, 'sites', 'shop.json')).mtimeMs).toBe(mtime);
    expect(events.at(-1)).toMatchObject({ dirty: false, counts: { sites: 1 } });

    await expect(store.create(dir, 'Again')).rejects.toMatchObject({ code: 'project.already_exists' });
    store.deleteDocument('sites', 'shop');
    await store.save();
    expect(existsSync(join(dir, 'sites', 'shop.json'))).toBe(false);
    await store.close();
    expect(events.at(-1)).toBeNull();
  });

  it('re-checks the content after every edit, and keeps file problems until the file is replaced', async () => {
    const { dir, store, events } = setup(`v${CURRENT_SCHEMA_VERSION}`);
    writeFileSync(join(dir, 'flows', 'broken.json'), '{');
    expect((await store.open(dir)).problems.map((p) => p.code)).toEqual(['project.malformed_json']);
    const site = store.getDocument('sites', 'workshop')!;
    const devices = site.devices as { model: string }[];
    devices[0].model = 'no-such-model';
    store.putDocument('sites', 'workshop', site);
    // A burst of edits is checked once, shortly after; the change event then carries the problems.
    await expect.poll(() => events.at(-1)?.problems.map((p) => p.code)).toContain('site.unknown_model');
    expect(store.checkedSummary()!.problems.map((p) => [p.code, p.path])).toEqual([
      ['project.malformed_json', 'flows/broken.json'],
      ['site.unknown_model', 'sites/workshop.json: devices.0.model'],
      ['site.role_mismatch', 'sites/workshop.json: bindings.0'],
    ]);
    devices[0].model = 'tasmota-relay';
    store.putDocument('sites', 'workshop', site);
    store.putDocument('flows', 'broken', {
      id: 'broken',
      name: 'Fixed',
      schemaVersion: 1,
      nodes: [],
      edges: [],
      roles: [],
      runMode: { mode: 'single', max: 1 },
    });
    expect(store.checkedSummary()!.problems.map((p) => p.code)).toEqual(['project.malformed_json']);
    await store.save();
    expect(store.checkedSummary()!.problems).toEqual([]);
  });

  it('refuses plain secrets and ids that cannot be file names', async () => {
    const { dir, store } = setup();
    await store.create(dir, 'Secrets');
    expect(() => store.putDocument('sites', 'a', { wifi: { ssid: 'x', password: 'hunter22' } })).toThrow(
      expect.objectContaining({ code: 'project.secret_in_file' }),
    );
    expect(() => store.putDocument('sites', '../escape', {})).toThrow(
      expect.objectContaining({ code: 'project.bad_document_id' }),
    );
    store.putDocument('sites', 'a', { wifi: { ssid: 'x', password: { secret: 'site/a/wifi' } } });
    await store.save();
    expect(read(join(dir, 'sites', 'a.json'))).toContain('"secret": "site/a/wifi"');
  });

  it('opens a v1 project migrated in memory and writes the current format on save', async () => {
    const { dir, store } = setup('v1');
    const opened = await store.open(dir);
    expect(opened).toMatchObject({ schemaVersion: 1, dirty: true, problems: [] });
    expect(opened.migrations).toHaveLength(CURRENT_SCHEMA_VERSION - 1);
    await store.save();
    const current = join(projectFixturesDir, `v${CURRENT_SCHEMA_VERSION}`);
    for (const rel of ['fieldgraph.json', 'sites/workshop.json', 'flows/lights.json']) {
      expect(JSON.parse(read(join(dir, rel))), rel).toEqual(JSON.parse(read(join(current, rel))));
    }
  });

  it('reports a malformed file, a 50 MB file and a symlink out of the folder by path, opens the rest, and never touches them', async () => {
    const { dir, store } = setup(`v${CURRENT_SCHEMA_VERSION}`);
    writeFileSync(join(dir, 'flows', 'broken.json'), '{ "id": "broken", ');
    mkdirSync(join(dir, 'models'), { recursive: true });
    writeFileSync(join(dir, 'models', 'huge.json'), '');
    truncateSync(join(dir, 'models', 'huge.json'), 50 * 1024 * 1024);
    writeFileSync(join(base, `outside-${n}.json`), '{"id": "stolen"}');
    symlinkSync(join(base, `outside-${n}.json`), join(dir, 'sites', 'stolen.json'));
    const opened = await store.open(dir);
    const byPath = Object.fromEntries(opened.problems.map((p) => [p.path, p.code]));
    expect(byPath).toEqual({
      'flows/broken.json': 'project.malformed_json',
      'models/huge.json': 'project.file_too_large',
      'sites/stolen.json': 'project.symlink_outside',
    });
    expect(opened.counts).toMatchObject({ sites: 1, flows: 1, models: 0 });
    store.rename('Renamed');
    await store.save();
    expect(read(join(dir, 'flows', 'broken.json'))).toBe('{ "id": "broken", ');
    expect(statSync(join(dir, 'models', 'huge.json')).size).toBe(50 * 1024 * 1024);
    expect(read(join(base, `outside-${n}.json`))).toBe('{"id": "stolen"}');
  });

  it('does not write through a document folder that links outside the project', async () => {
    const { dir, store } = setup(`v${CURRENT_SCHEMA_VERSION}`);
    const elsewhere = join(base, `elsewhere-${n}`);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(dir, 'models'));
    const opened = await store.open(dir);
    expect(opened.problems).toEqual([
      expect.objectContaining({ code: 'project.symlink_outside', path: 'models/' }),
    ]);
    store.putDocument('models', 'm', { id: 'm' });
    await expect(store.save()).rejects.toMatchObject({ code: 'project.symlink_outside' });
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('opens a project from a newer Fieldgraph read-only and refuses to change or save it', async () => {
    const { dir, store } = setup(`v${CURRENT_SCHEMA_VERSION}`);
    const meta = JSON.parse(read(join(dir, 'fieldgraph.json')));
    writeFileSync(
      join(dir, 'fieldgraph.json'),
      JSON.stringify({ ...meta, schemaVersion: CURRENT_SCHEMA_VERSION + 1 }),
    );
    const opened = await store.open(dir);
    expect(opened.readOnly).toBe(true);
    expect(opened.problems).toEqual([
      expect.objectContaining({ code: 'project.newer_version', severity: 'warning' }),
    ]);
    expect(() => store.rename('x')).toThrow(expect.objectContaining({ code: 'project.read_only' }));
    await expect(store.save()).rejects.toMatchObject({ code: 'project.read_only' });
  });

  it('explains a folder that is missing or is not a project', async () => {
    const { dir, store } = setup();
    await expect(store.open(join(dir, 'nowhere'))).rejects.toMatchObject({ code: 'project.not_found' });
    mkdirSync(dir);
    await expect(store.open(dir)).rejects.toMatchObject({
      code: 'project.not_found',
      message: expect.stringContaining('fieldgraph.json'),
    });
    writeFileSync(join(dir, 'fieldgraph.json'), '[1,');
    await expect(store.open(dir)).rejects.toMatchObject({
      code: 'project.invalid',
      details: { problems: [expect.objectContaining({ code: 'project.malformed_json' })] },
    });
  });

  it('offers autosaved work on the next open, restores it, and drops it after a save', async () => {
    const { dir, store, make } = setup();
    await store.create(dir, 'Recover me');
    store.putDocument('flows', 'morning', { id: 'morning', nodes: [] });
    await store.autosaveNow();
    store.dispose(); // the process "dies" without saving

    const next = make();
    const opened = await next.open(dir);
    expect(opened.recovery).not.toBeNull();
    expect(opened.counts.flows).toBe(0);
    const restored = await next.restoreRecovery();
    expect(restored).toMatchObject({ dirty: true, recovery: null, counts: { flows: 1 } });
    await next.save();
    await next.close();
    expect((await make().open(dir)).recovery).toBeNull();
  });

  it('does not offer autosaved work that the files already hold', async () => {
    const { dir, store, make, recoveryDir } = setup();
    await store.create(dir, 'Same');
    store.putDocument('flows', 'a', { id: 'a' });
    await store.autosaveNow();
    // Save, but put the snapshot back as if the process died before removing it.
    const snapshot = readdirSync(recoveryDir).map((f) => [f, read(join(recoveryDir, f))]);
    await store.save();
    for (const [f, text] of snapshot) writeFileSync(join(recoveryDir, f), text);
    expect((await make().open(dir)).recovery).toBeNull();
    expect(readdirSync(recoveryDir)).toEqual([]);
  });

  it('refuses to close or open over unsaved changes unless told to discard them', async () => {
    const { dir, store } = setup();
    await store.create(dir, 'Busy');
    store.rename('Busier');
    await expect(store.close()).rejects.toMatchObject({ code: 'project.unsaved_changes' });
    await expect(store.open(dir)).rejects.toMatchObject({ code: 'project.unsaved_changes' });
    await store.close(true);
    expect(store.summary()).toBeNull();
  });

  it('a save without write permission fails naming the file and keeps every good file', async () => {
    const { dir, store, recoveryDir } = setup(`v${CURRENT_SCHEMA_VERSION}`);
    await store.open(dir);
    store.putDocument('sites', 'main', { id: 'main', name: 'Main' });
    await store.save();
    await store.close();
    const before = Object.fromEntries(
      ['fieldgraph.json', 'sites/main.json', 'sites/workshop.json'].map((f) => [f, read(join(dir, f))]),
    );
    mkdirSync(recoveryDir, { recursive: true });
    chmodSync(recoveryDir, 0o777);
    for (const d of [dir, join(dir, 'sites'), join(dir, 'flows')]) chmodSync(d, 0o555);
    try {
      // Root ignores permission bits, so the saving process runs as "nobody" when we are root.
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const run = spawnSync(process.execPath, [child.script, 'save-once', dir, recoveryDir], {
        encoding: 'utf8',
        ...asNobody,
      });
      expect(run.stdout, run.stderr).toMatch(/^{/);
      const [opened, result] = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      // Opening already warns that saving will fail.
      expect(opened).toEqual({ openedWith: ['project.not_writable'] });
      expect(result).toMatchObject({
        ok: false,
        code: 'project.write_failed',
        details: { path: 'sites/main.json', reason: 'EACCES' },
      });
      expect(result.message).toMatch(/no write permission/);
    } finally {
      for (const d of [dir, join(dir, 'sites'), join(dir, 'flows')]) chmodSync(d, 0o755);
    }
    for (const [f, text] of Object.entries(before)) expect(read(join(dir, f)), f).toBe(text);
    expect(readdirSync(join(dir, 'sites')).sort()).toEqual(['main.json', 'workshop.json']);
  });
});
