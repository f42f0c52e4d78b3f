import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../../shared/core/api/dispatch';
import { createEventHub } from '../../../../shared/core/api/events';
import { loadLibrary, loadProjectModels } from '../../../../shared/node/library/load';
import { createLibraryService } from '../../../../shared/node/services/library';
import type { ServiceContext } from '../../../../shared/node/services/context';

const work = mkdtempSync(join(tmpdir(), 'fg-library-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const project = (name: string, files: Record<string, string>) => {
  const dir = join(work, name);
  mkdirSync(join(dir, 'models'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, 'models', file), text);
  return dir;
};

describe('loading models from disk', () => {
  it('reports malformed, oversized and escaping files by path and loads the rest', async () => {
    const lib = await loadLibrary();
    const dir = project('bad', {
      'broken.json': '{"id": "x",',
      'deep.json': `{"id":"deep","title":"Deep","protocols":["mqtt"],"implements":{},"x":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      'good.json': JSON.stringify({ id: 'good-relay', title: 'Good', protocols: ['mqtt'], implements: {} }),
      'dimmer@9.json': JSON.stringify({ id: 'dimmer@9', title: 'D9', extends: ['dimmer@9'] }),
    });
    writeFileSync(join(work, 'outside.json'), '{}');
    symlinkSync(join(work, 'outside.json'), join(dir, 'models', 'link.json'));
    writeFileSync(join(dir, 'models', 'huge.json'), '');
    truncateSync(join(dir, 'models', 'huge.json'), 50 * 1024 * 1024);
    const loaded = await loadProjectModels(dir, lib);
    const byFile = Object.fromEntries(loaded.problems.map((p) => [p.file, p.message]));
    expect(byFile['models/broken.json']).toMatch(/^is not valid JSON \(line 1, column \d+\)/);
    expect(byFile['models/deep.json']).toMatch(/^nests arrays and objects more than 64 levels deep/);
    expect(byFile['models/huge.json']).toMatch(/is 50\.0 MB; model files are at most 1 MB/);
    expect(byFile['models/link.json']).toMatch(/symbolic link to .*outside the folder/);
    expect(byFile['models/dimmer@9.json']).toMatch(/extend each other in a circle: dimmer@9 → dimmer@9/);
    expect(loaded.models.map((m) => m.id)).toEqual(['good-relay']);
    expect(loaded.catalog.models.has('tasmota-relay')).toBe(true);
    expect(loaded.catalog.capabilities.has('dimmer@9')).toBe(false);
  });

  it('lets a project override a library model and add capabilities', async () => {
    const lib = await loadLibrary();
    const dir = project('override', {
      'tasmota-relay.json': JSON.stringify({
        id: 'tasmota-relay',
        title: 'Our relay',
        protocols: ['mqtt'],
        implements: {},
      }),
      'garage-door@1.json': JSON.stringify({
        id: 'garage-door@1',
        title: 'Garage door',
        extends: ['cover@1'],
      }),
    });
    const loaded = await loadProjectModels(dir, lib);
    expect(loaded.problems).toEqual([]);
    expect(loaded.catalog.models.get('tasmota-relay')!.title).toBe('Our relay');
    expect(loaded.catalog.capabilities.get('garage-door@1')!.extends).toEqual(['cover@1']);
    expect((await loadProjectModels(join(work, 'no-such-project'), lib)).problems).toEqual([]);
  });
});

describe('the library API', () => {
  const ctx = {
    runtime: 'web',
    dataDir: work,
    hub: createEventHub(() => {}),
    log: console,
  } as unknown as ServiceContext;
  const dispatch = createDispatcher({ library: createLibraryService(ctx) } as never, { checkResults: true });
  const call = (method: string, args: unknown) => dispatch(method, args, { transport: 'direct' });

  it('lists and gets entries with results that match the contract', async () => {
    const list = await call('library.list', {});
    expect(list.ok).toBe(true);
    const value = (list as { value: { capabilities: { id: string }[]; deviceModels: { id: string }[] } })
      .value;
    expect(value.capabilities.length).toBeGreaterThanOrEqual(20);
    const cap = await call('library.get', { id: 'color-light@1' });
    expect(cap).toMatchObject({
      ok: true,
      value: {
        kind: 'capability',
        lineage: ['color-light@1', 'dimmer@1', 'switch@1'],
        file: 'capabilities/color-light@1.json',
      },
    });
    const model = await call('library.get', { id: 'shelly-plus-1pm' });
    expect(model).toMatchObject({
      ok: true,
      value: { kind: 'deviceModel', source: 'builtin', model: { id: 'shelly-plus-1pm' } },
    });
  });

  it('proposes models and devices for a role, best first', async () => {
    const r = await call('library.candidates', {
      capability: 'switch@1',
      alsoRequires: ['power-meter@1'],
      devices: [
        { id: 'plug', name: 'Plug', model: 'shelly-plus-1pm', identity: {}, variables: { prefix: 'p' } },
        { id: 'relay', name: 'Relay', model: 'tasmota-relay', identity: {}, variables: { topic: 'r' } },
      ],
    });
    expect(r.ok).toBe(true);
    const value = (
      r as { value: { models: { model: string; score: number }[]; devices: { device: string }[] } }
    ).value;
    expect(value.models.map((c) => `${c.model} ${c.score}`)).toEqual([
      'mqtt-json-device 1',
      'shelly-plus-1pm 1',
      'mqtt-json-device 0.5',
    ]);
    expect(value.devices).toEqual([
      {
        device: 'plug',
        model: 'shelly-plus-1pm',
        implementation: 'switch',
        score: 1,
        reason: 'implements switch@1',
      },
    ]);
    expect(await call('library.candidates', { capability: 'teleporter@1' })).toMatchObject({
      ok: false,
      error: { code: 'library.not_found' },
    });
  });

  it('exports a model as a Thing Description', async () => {
    const r = await call('library.thingDescription', {
      id: 'tasmota-relay',
      broker: 'mqtt://10.0.0.1:1883',
      variables: { topic: 'hall' },
    });
    expect(JSON.stringify(r)).toContain('cmnd/hall/POWER');
    expect(await call('library.thingDescription', { id: 'switch@1' })).toMatchObject({
      ok: false,
      error: { code: 'library.not_found' },
    });
    expect(await call('library.thingDescription', { id: 'tasmota-relay', broker: 'http://x' })).toMatchObject(
      {
        ok: false,
        error: { code: 'api.invalid_arguments' },
      },
    );
  });

  it('answers library.not_found with a way forward, and includes project models when asked', async () => {
    expect(await call('library.get', { id: 'swich@1' })).toMatchObject({
      ok: false,
      error: { code: 'library.not_found', message: expect.stringContaining('fieldgraph library list') },
    });
    const dir = project('api', {
      'desk-lamp.json': JSON.stringify({
        id: 'desk-lamp',
        title: 'Desk lamp',
        protocols: ['mqtt'],
        implements: {
          s: { capability: 'switch@1', properties: { on: { write: { kind: 'mqtt', topic: 'lamp/set' } } } },
        },
      }),
    });
    expect(await call('library.get', { id: 'desk-lamp', projectDir: dir })).toMatchObject({
      ok: true,
      value: { source: 'project', file: 'models/desk-lamp.json', capabilities: ['switch@1'] },
    });
  });
});

describe('library.documents', () => {
  const ctx = { runtime: 'web', dataDir: work, hub: createEventHub(() => {}), log: console } as never;
  const lamp = {
    id: 'desk-lamp',
    title: 'Desk lamp',
    protocols: ['mqtt'],
    implements: {
      s: { capability: 'garage-door@1', properties: { on: { write: { kind: 'mqtt', topic: 'lamp/set' } } } },
    },
  };
  const door = { id: 'garage-door@1', title: 'Garage door', extends: ['switch@1'] };
  const withOpen = (documents: { file: string; value: unknown }[] | null) =>
    createDispatcher(
      {
        library: createLibraryService(ctx, {
          openProjectModels: () => documents && { path: '/p/hall', modelsRevision: 7, documents },
        }),
      } as never,
      { checkResults: true },
    );

  it('is the built-in library as its files hold it when no project is open', async () => {
    const r = await withOpen(null)('library.documents', {}, { transport: 'direct' });
    const builtin = await loadLibrary();
    expect(r).toEqual({
      ok: true,
      value: {
        builtin: { capabilities: builtin.capabilities, models: builtin.models },
        project: null,
        problems: builtin.problems,
      },
    });
  });

  it('adds the open project’s valid models and capabilities, and names each document left out', async () => {
    const r = await withOpen([
      { file: 'models/desk-lamp.json', value: lamp },
      { file: 'models/garage-door@1.json', value: door },
      { file: 'models/broken.json', value: { ...lamp, id: 'broken', protocols: 'mqtt' } },
      {
        file: 'models/orphan.json',
        value: { ...lamp, id: 'orphan', implements: { s: { capability: 'nope@1' } } },
      },
    ])('library.documents', {}, { transport: 'direct' });
    expect(r.ok).toBe(true);
    const value = (
      r as { value: { project: Record<string, unknown>; problems: { file?: string; severity: string }[] } }
    ).value;
    expect(value.project).toEqual({
      path: '/p/hall',
      modelsRevision: 7,
      capabilities: [door],
      models: [lamp],
    });
    const files = new Set(value.problems.filter((p) => p.severity === 'error').map((p) => p.file));
    expect(files).toEqual(new Set(['models/broken.json', 'models/orphan.json']));
  });

  it('takes an empty object, as every method does', async () => {
    expect(await withOpen(null)('library.documents', null, { transport: 'direct' })).toMatchObject({
      ok: false,
      error: { code: 'api.invalid_arguments' },
    });
  });
});
