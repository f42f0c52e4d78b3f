import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../shared/core/api/dispatch';
import { createEventHub } from '../../../shared/core/api/events';
import { silentLogger } from '../../../shared/node/log';
import { createUnlockableSecretStore, type SecretStore } from '../../../shared/node/secrets';
import { createServices, type ServiceContext } from '../../../shared/node/services';

const work = mkdtempSync(join(tmpdir(), 'fg-secrets-svc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const services = (dataDir: string, extra: Partial<ServiceContext> = {}) => {
  const dispatch = createDispatcher(
    createServices({ runtime: 'web', dataDir, hub: createEventHub(), log: silentLogger, ...extra }),
    { checkResults: true },
  );
  return (method: string, args: unknown = {}) => dispatch(method, args, { transport: 'direct' });
};

describe('secrets through the dispatcher', () => {
  it('is locked until unlocked with the passphrase; stores by reference; never returns a value', async () => {
    const dataDir = join(work, 'a');
    const call = services(dataDir);
    expect(await call('secrets.status')).toEqual({
      ok: true,
      value: { kind: 'encrypted-file', unlocked: false, exists: false },
    });
    expect(await call('secrets.set', { ref: 'site/demo/wifi', value: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'secrets.locked' },
    });
    expect(await call('secrets.unlock', { passphrase: 'correct horse' })).toMatchObject({
      ok: true,
      value: { unlocked: true },
    });
    expect(await call('secrets.set', { ref: 'site/demo/wifi', value: 'wifi-canary-77' })).toEqual({
      ok: true,
      value: {},
    });
    expect(await call('secrets.list')).toEqual({ ok: true, value: ['site/demo/wifi'] });
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).not.toContain('wifi-canary-77');
    expect(JSON.stringify(await call('secrets.status'))).not.toContain('wifi-canary-77');

    // Another process: the same file, unlocked only by the right passphrase.
    const other = createUnlockableSecretStore(join(dataDir, 'secrets.json'));
    await expect(other.unlock('wrong')).rejects.toMatchObject({ code: 'secrets.wrong_passphrase' });
    expect((await other.status()).unlocked).toBe(false);
    await other.unlock('correct horse');
    expect(await other.get('site/demo/wifi')).toBe('wifi-canary-77');
  });

  it('uses the keychain store when the desktop app provides one', async () => {
    const values = new Map<string, string>();
    const keychain: SecretStore = {
      kind: 'os-keychain',
      get: async (ref) => values.get(ref),
      set: async (ref, value) => void values.set(ref, value),
      delete: async (ref) => void values.delete(ref),
      list: async () => [...values.keys()].sort(),
    };
    const call = services(join(work, 'b'), { secrets: keychain });
    expect(await call('secrets.status')).toEqual({
      ok: true,
      value: { kind: 'os-keychain', unlocked: true, exists: true },
    });
    await call('secrets.set', { ref: 'site/demo/broker', value: 'b' });
    expect(values.get('site/demo/broker')).toBe('b');
  });
});
