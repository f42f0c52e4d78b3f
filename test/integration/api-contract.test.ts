import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, eventNames, methodList } from '../../shared/core/api';
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

  it('keeps concurrent calls apart', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => h.api.app.ping({ echo: `call-${i}` })),
    );
    results.forEach((r, i) => expect(r).toMatchObject({ ok: true, value: { echo: `call-${i}` } }));
  });
});
