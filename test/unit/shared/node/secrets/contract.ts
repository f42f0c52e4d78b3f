import { expect, it } from 'vitest';
import type { SecretStore } from '../../../../../shared/node/secrets';

/** The behaviour every SecretStore must have; each implementation's test file runs it. */
export const secretStoreContract = (
  make: () => Promise<{ store: SecretStore; reopen: () => SecretStore; fileText: () => string }>,
) => {
  it('stores, replaces, lists (names only) and deletes values, and they survive a reopen', async () => {
    const { store, reopen } = await make();
    expect(await store.get('site/demo/wifi')).toBeUndefined();
    await store.set('site/demo/wifi', 'first');
    await store.set('site/demo/wifi', 'correct horse battery staple');
    await store.set('site/demo/broker', 'mqtt-pass');
    expect(await store.get('site/demo/wifi')).toBe('correct horse battery staple');
    expect(await store.list()).toEqual(['site/demo/broker', 'site/demo/wifi']);
    const again = reopen();
    expect(await again.get('site/demo/broker')).toBe('mqtt-pass');
    await again.delete('site/demo/broker');
    await again.delete('site/demo/never-set');
    expect(await reopen().list()).toEqual(['site/demo/wifi']);
  });

  it('never writes a value in clear text', async () => {
    const { store, fileText } = await make();
    await store.set('site/demo/wifi', 'plain-text-canary-42');
    expect(fileText()).not.toContain('plain-text-canary-42');
  });

  it('refuses malformed reference names with secrets.bad_ref', async () => {
    const { store } = await make();
    await expect(store.set('../etc/passwd', 'x')).rejects.toMatchObject({ code: 'secrets.bad_ref' });
    await expect(store.get('')).rejects.toMatchObject({ code: 'secrets.bad_ref' });
  });
};
