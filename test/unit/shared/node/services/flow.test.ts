import { describe, expect, it } from 'vitest';
import type { FieldgraphServices } from '../../../../../shared/core/api';
import { createDispatcher } from '../../../../../shared/core/api/dispatch';
import { createCatalogService, createFlowService } from '../../../../../shared/node/services/flow';

const dispatch = createDispatcher(
  { flow: createFlowService(), catalog: createCatalogService() } as unknown as FieldgraphServices,
  { checkResults: true },
);
const call = async (method: string, args: unknown) => {
  const result = await dispatch(method, args, { transport: 'direct' });
  return JSON.parse(JSON.stringify(result)) as { ok: boolean; value?: unknown; error?: { code: string } };
};

describe('flow and catalog API', () => {
  it('catalog.list gives every kind as plain data matching the contract', async () => {
    const result = await call('catalog.list', {});
    expect(result.ok).toBe(true);
    const entries = result.value as {
      kind: string;
      handles: unknown[];
      configSchema: { type: string };
      width: number;
    }[];
    expect(entries.length).toBeGreaterThanOrEqual(28);
    const kinds = entries.map((e) => e.kind);
    for (const k of [
      'trigger.cron',
      'trigger.sun',
      'logic.join',
      'logic.wait-event',
      'action.http-request',
      'action.stop',
    ]) {
      expect(kinds).toContain(k);
    }
    const ifEntry = entries.find((e) => e.kind === 'logic.if')!;
    expect(ifEntry.configSchema.type).toBe('object');
    expect(ifEntry.handles).toHaveLength(3);
    expect(ifEntry.width).toBeGreaterThan(0);
  });

  it('flow.validate returns coded problems, and rejects arguments that are not roles', async () => {
    const flow = {
      schemaVersion: 1,
      id: 'f',
      name: 'f',
      roles: [],
      runMode: { mode: 'single', max: 1 },
      nodes: [{ id: 'l', kind: 'action.log', config: {}, position: { x: 0, y: 0 } }],
      edges: [],
    };
    const result = await call('flow.validate', { flow, roles: [] });
    expect(result.ok).toBe(true);
    expect((result.value as { code: string }[]).map((p) => p.code)).toEqual(['flow.no_trigger']);
    expect((await call('flow.validate', { flow, roles: [{ name: 1 }] })).error?.code).toBe(
      'api.invalid_arguments',
    );
  });
});
