import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, eventNames, methodList } from '../../shared/core/api';
import { deskLamp } from '../helpers/library';
import { ipcHarness, webSocketHarness, type TransportHarness } from '../helpers/transports';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

// One suite, every transport: what the UI sees must not depend on how it is connected.
describe.each([
  ['websocket', webSocketHarness],
  ['ipc', ipcHarness],
] as const)('API contract over %s', (_name, makeHarness) => {
  let h: TransportHarness;
  beforeAll(async () => {
    h = await makeHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('exposes exactly one function per contract method and one subscribe function per event', () => {
    const api = h.api as unknown as Record<string, Record<string, unknown>>;
    expect(Object.keys(api).sort()).toEqual([...Object.keys(contract), 'events'].sort());
    for (const { area, verb } of methodList) expect(typeof api[area][verb]).toBe('function');
    for (const area of Object.keys(contract)) {
      expect(Object.keys(api[area]).sort()).toEqual(
        Object.keys(contract[area as keyof typeof contract]).sort(),
      );
    }
    expect(Object.keys(api.events).sort()).toEqual([...eventNames].sort());
  });

  it('answers app.info with the package version', async () => {
    const result = await h.api.app.info({});
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.version).toBe(version);
  });

  it('round-trips arguments and results', async () => {
    const result = await h.api.app.ping({ echo: 'héllo ✓' });
    expect(result).toMatchObject({ ok: true, value: { echo: 'héllo ✓' } });
  });

  it('rejects malformed arguments with api.invalid_arguments and the failing path', async () => {
    const wrongType = await h.api.app.ping({ echo: 42 } as unknown as { echo: string });
    expect(wrongType.ok).toBe(false);
    if (!wrongType.ok) {
      expect(wrongType.error.code).toBe('api.invalid_arguments');
      expect(wrongType.error.details).toMatchObject({
        problems: [expect.objectContaining({ path: '/echo' })],
      });
    }
    const tooLong = await h.api.app.ping({ echo: 'x'.repeat(5000) });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'api.invalid_arguments' } });
    const notAnObject = await h.api.app.ping(null as unknown as { echo: string });
    expect(notAnObject).toMatchObject({ ok: false, error: { code: 'api.invalid_arguments' } });
  });

  it('carries a service error as its catalogued code and message', async () => {
    const result = await h.api.app.ping({ echo: 'coded' });
    expect(result).toEqual({
      ok: false,
      error: { code: 'not_implemented', message: 'Ping is not implemented today.' },
    });
  });

  it('turns an unexpected error into code internal without leaking its text', async () => {
    const result = await h.api.app.ping({ echo: 'crash' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('internal');
      expect(JSON.stringify(result)).not.toContain('secret internals');
    }
  });

  it('delivers events with their payload only, and stops after unsubscribe', async () => {
    const seen: unknown[] = [];
    const off = h.api.events.onProjectChanged((payload) => seen.push(payload));
    h.emit('onProjectChanged', { path: '/tmp/p', dirty: true });
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toEqual({ path: '/tmp/p', dirty: true });
    off();
    h.emit('onProjectChanged', { path: null, dirty: false });
    await h.api.app.ping({ echo: 'flush' }); // an answered call proves the event had its chance to arrive
    expect(seen).toHaveLength(1);
  });

  it('serves the library documents: the built-in files, then the open project’s models/ with unsaved edits', async () => {
    const builtinIds = (folder: string) =>
      readdirSync(`resources/library/${folder}`)
        .filter((f) => f.endsWith('.json'))
        .map(
          (f) => (JSON.parse(readFileSync(`resources/library/${folder}/${f}`, 'utf8')) as { id: string }).id,
        )
        .sort();
    const closed = await h.api.library.documents({});
    if (!closed.ok) throw new Error(closed.error.message);
    expect(closed.value.project).toBeNull();
    // Every built-in file crosses whole (a capability file added later needs no code change).
    expect(closed.value.builtin.capabilities.map((c) => c.id).sort()).toEqual(builtinIds('capabilities'));
    expect(closed.value.builtin.models.map((m) => m.id).sort()).toEqual(builtinIds('models'));
    expect(closed.value.builtin.capabilities.find((c) => c.id === 'switch@1')).toEqual(
      JSON.parse(readFileSync('resources/library/capabilities/switch@1.json', 'utf8')),
    );

    const dir = mkdtempSync(join(tmpdir(), 'fg-contract-project-'));
    try {
      const created = await h.api.project.create({ path: join(dir, 'hall'), name: 'Hall' });
      if (!created.ok) throw new Error(created.error.message);
      const lamp = deskLamp;
      const put = await h.api.project.putDocument({ kind: 'models', id: 'desk-lamp', document: lamp });
      if (!put.ok) throw new Error(put.error.message);
      expect(put.value.modelsRevision).toBeGreaterThan(created.value.modelsRevision);
      await h.api.project.putDocument({
        kind: 'models',
        id: 'broken-lamp',
        document: { ...lamp, implements: { s: { capability: 'teleporter@1' } } },
      });
      const open = await h.api.library.documents({});
      if (!open.ok) throw new Error(open.error.message);
      const current = await h.api.project.current({});
      expect(open.value.project).toMatchObject({
        path: created.value.path,
        modelsRevision: current.ok ? current.value?.modelsRevision : -1,
        capabilities: [],
        models: [lamp],
      });
      expect(open.value.problems).toContainEqual(
        expect.objectContaining({ severity: 'error', file: 'models/broken-lamp.json' }),
      );
      // Editing a flow leaves the models where they were: the editor need not read them again.
      const flowEdit = await h.api.project.putDocument({
        kind: 'flows',
        id: 'f',
        document: { schemaVersion: 1, id: 'f', name: 'F', nodes: [], edges: [] },
      });
      expect(flowEdit.ok && flowEdit.value.modelsRevision).toBe(open.value.project?.modelsRevision);
      await h.api.project.close({ discardChanges: true });
      expect(await h.api.library.documents({})).toMatchObject({ ok: true, value: { project: null } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps concurrent calls apart', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => h.api.app.ping({ echo: `call-${i}` })),
    );
    results.forEach((r, i) => expect(r).toMatchObject({ ok: true, value: { echo: `call-${i}` } }));
  });
});
