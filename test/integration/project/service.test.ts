import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterAll, describe, expect, it } from 'vitest';
import { contractEvents } from '../../../shared/core/api';
import { createDispatcher } from '../../../shared/core/api/dispatch';
import { createEventHub } from '../../../shared/core/api/events';
import { silentLogger } from '../../../shared/node/log';
import { createServices } from '../../../shared/node/services';

const work = mkdtempSync(join(tmpdir(), 'fg-project-svc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const events: unknown[] = [];
const hub = createEventHub();
hub.subscribe((event, payload) => event === 'onProjectChanged' && events.push(payload));
// Results are checked against the contract's schemas, so the UI gets exactly what it declares.
const dispatch = createDispatcher(
  createServices({ runtime: 'web', dataDir: join(work, 'data'), hub, log: silentLogger }),
  {
    checkResults: true,
  },
);
const call = async (method: string, args: unknown = {}) => {
  const result = await dispatch(method, args, { transport: 'direct' });
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value as Record<string, unknown>;
};

describe('project services through the dispatcher', () => {
  it('create, edit, save, close and reopen from the recent list, every result and event matching the contract', async () => {
    const path = join(work, 'shop');
    expect(await call('project.create', { path, name: 'Shop' })).toMatchObject({
      name: 'Shop',
      dirty: false,
    });
    await call('project.putDocument', {
      kind: 'sites',
      id: 'shop',
      document: { name: 'Shop', rooms: [], devices: [], bindings: [], gateways: [] },
    });
    expect(await call('project.getDocument', { kind: 'sites', id: 'shop' })).toMatchObject({ id: 'shop' });
    await call('project.putDocument', {
      kind: 'flows',
      id: 'b-flow',
      document: {
        name: 'B',
        schemaVersion: 1,
        nodes: [],
        edges: [],
        roles: [],
        runMode: { mode: 'single', max: 1 },
      },
    });
    await call('project.putDocument', {
      kind: 'flows',
      id: 'a-flow',
      document: {
        name: 'A',
        schemaVersion: 1,
        nodes: [],
        edges: [],
        roles: [],
        runMode: { mode: 'single', max: 1 },
      },
    });
    expect(await call('project.listDocuments', { kind: 'flows' })).toEqual(['a-flow', 'b-flow']);
    await call('project.setRoles', { roles: [{ id: 'till-light', capability: 'switch@1' }] });
    expect(await call('project.getMeta')).toMatchObject({
      name: 'Shop',
      roles: [{ id: 'till-light', capability: 'switch@1' }],
    });
    const unknown = await call('project.setRoles', {
      roles: [{ id: 'till-light', capability: 'nothing@1' }],
    });
    expect((await call('project.current')).problems).toEqual([
      expect.objectContaining({
        code: 'project.unknown_capability',
        path: 'fieldgraph.json: roles.0.capability',
      }),
    ]);
    expect(unknown).toMatchObject({ dirty: true });
    await call('project.setRoles', { roles: [{ id: 'till-light', capability: 'switch@1' }] });
    expect(await call('project.current')).toMatchObject({
      dirty: true,
      counts: { sites: 1, flows: 2 },
      problems: [],
    });
    await expect(call('project.close')).rejects.toMatchObject({ code: 'project.unsaved_changes' });
    expect(await call('project.save')).toMatchObject({ dirty: false });
    await call('project.close');
    expect(await call('project.current')).toBeNull();
    expect(await call('project.recent')).toEqual([expect.objectContaining({ path, name: 'Shop' })]);
    expect(await call('project.open', { path })).toMatchObject({
      counts: { sites: 1, flows: 2 },
      problems: [],
    });
    expect(events.length).toBeGreaterThan(4);
    for (const payload of events)
      expect(Value.Check(contractEvents.onProjectChanged.payload, payload)).toBe(true);
    await call('project.close');
  });

  it('suggests folders while a path is typed, flags projects, and says there is no native dialog', async () => {
    mkdirSync(join(work, 'sites-a'));
    mkdirSync(join(work, 'sites-b'));
    writeFileSync(join(work, 'sites-b', 'fieldgraph.json'), '{}');
    writeFileSync(join(work, 'sites-file'), '');
    expect(await call('project.suggestFolders', { input: join(work, 'sites-') })).toEqual([
      { path: join(work, 'sites-a'), isProject: false },
      { path: join(work, 'sites-b'), isProject: true },
    ]);
    expect(await call('project.pickFolder', { purpose: 'open' })).toEqual({ native: false, path: null });
  });

  it('refuses secrets in documents and explains unknown folders with catalogued codes', async () => {
    await expect(call('project.open', { path: join(work, 'nowhere') })).rejects.toMatchObject({
      code: 'project.not_found',
    });
    await call('project.create', { path: join(work, 'secretive'), name: 'Secretive' });
    await expect(
      call('project.putDocument', { kind: 'sites', id: 's', document: { broker: { password: 'hunter22' } } }),
    ).rejects.toMatchObject({ code: 'project.secret_in_file' });
    await call('project.close', { discardChanges: true });
  });
});
