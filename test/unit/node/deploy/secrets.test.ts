import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../../../shared/core/package/bytes';
import { openSecrets, sealSecrets } from '../../../../shared/core/package/seal';
import { openGatewayKeyBook, sealedSecretsFor } from '../../../../shared/node/deploy/secrets';
import { keyFingerprint } from '../../../../shared/node/gateway/identity';
import type { SecretStore } from '../../../../shared/node/secrets';
import { installerKey } from '../../../helpers/packages';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const keyBook = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-keys-'));
  dirs.push(dir);
  return { path: join(dir, 'gateway-keys.json'), book: openGatewayKeyBook(join(dir, 'gateway-keys.json')) };
};

/** The SecretStore interface over a Map (the encrypted-file store is tested on its own). */
const memoryStore = (values: Record<string, string>): SecretStore => {
  const map = new Map(Object.entries(values));
  return {
    kind: 'encrypted-file',
    get: async (ref) => map.get(ref),
    set: async (ref, value) => void map.set(ref, value),
    delete: async (ref) => void map.delete(ref),
    list: async () => [...map.keys()].sort(),
  };
};

const gateway = x25519.keygen();
const gatewayHex = toHex(gateway.publicKey);
const site = (extra: Record<string, unknown> = {}) =>
  utf8(
    JSON.stringify({
      id: 'home',
      name: 'Home',
      rooms: [],
      wifi: { ssid: 'Net', password: { secret: 'site/home/wifi' } },
      devices: [
        {
          id: 'shelly1',
          name: 'Shelly',
          model: 'shelly-plus-1pm',
          identity: {},
          auth: { password: { secret: 'shelly/admin' } },
        },
      ],
      bindings: [],
      gateways: [],
      ...extra,
    }),
  );
const request = (overrides: Partial<Parameters<typeof sealedSecretsFor>[0]> = {}) => ({
  siteFile: site(),
  siteId: 'home',
  store: memoryStore({ 'site/home/wifi': 'wifi-pass', 'shelly/admin': 'sh-pass', unrelated: 'no' }),
  packageFor: { kind: 'gateway', id: 'gw1' } as const,
  targetLabel: 'USB folder /media/stick',
  ...overrides,
});

describe('sealing a site’s secrets for one gateway', () => {
  it('seals exactly the referenced values to the gateway key the app has seen', async () => {
    const { book } = keyBook();
    book.remember('gw1', gatewayHex);
    const secrets = await sealedSecretsFor(request({ keys: book }));
    expect(secrets?.values).toEqual({ 'site/home/wifi': 'wifi-pass', 'shelly/admin': 'sh-pass' });
    expect(toHex(secrets!.gatewayPublicKey)).toBe(gatewayHex);
    const bind = { packageId: 'p', version: 1 };
    const sealed = sealSecrets(secrets!.values, secrets!.gatewayPublicKey, {
      ...bind,
      signingSecretKey: installerKey.secretKey,
    });
    expect(openSecrets(sealed, gateway.secretKey, bind)).toEqual(secrets!.values);
  });

  it('packs nothing extra for a site without references, whatever the target', async () => {
    const plain = utf8(JSON.stringify({ id: 'home', devices: [], wifi: { ssid: 'Net' } }));
    expect(await sealedSecretsFor(request({ siteFile: plain, packageFor: { kind: 'group', id: 'g' } }))).toBe(
      undefined,
    );
  });

  it('names every missing reference and the field that uses it, and how to store it', async () => {
    const { book } = keyBook();
    book.remember('gw1', gatewayHex);
    const error = await sealedSecretsFor(request({ keys: book, store: memoryStore({}) })).catch((e) => e);
    expect(error).toMatchObject({
      code: 'deploy.secret_missing',
      details: { missing: ['shelly/admin', 'site/home/wifi'] },
    });
    expect(error.message).toContain('"shelly/admin" (devices[shelly1].auth.password)');
    expect(error.message).toContain('secrets.set');
  });

  it('refuses a group package when the site uses secrets, rather than ship devices that cannot log in', async () => {
    const error = await sealedSecretsFor(request({ packageFor: { kind: 'group', id: 'lobby' } })).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: 'deploy.gateway_key_unknown' });
    expect(error.message).toMatch(/group "lobby".*each gateway/);
  });

  it('refuses a package for a gateway whose key it has never seen', async () => {
    const { book } = keyBook();
    await expect(sealedSecretsFor(request({ keys: book }))).rejects.toMatchObject({
      code: 'deploy.gateway_key_unknown',
    });
  });

  it('refuses when the key does not match the fingerprint the site file pins', async () => {
    const { book } = keyBook();
    book.remember('gw1', gatewayHex);
    const other = toHex(x25519.keygen().publicKey);
    const pinnedOther = site({ gateways: [{ id: 'gw1', fingerprint: keyFingerprint(other) }] });
    await expect(sealedSecretsFor(request({ keys: book, siteFile: pinnedOther }))).rejects.toMatchObject({
      code: 'deploy.gateway_key_mismatch',
    });
    const pinnedRight = site({
      gateways: [{ id: 'gw1', fingerprint: keyFingerprint(gatewayHex).toUpperCase() }],
    });
    expect(await sealedSecretsFor(request({ keys: book, siteFile: pinnedRight }))).toBeDefined();
  });

  it('keeps only public keys in the key book', () => {
    const { path, book } = keyBook();
    book.remember('gw1', gatewayHex);
    expect(book.get('gw1')).toBe(gatewayHex);
    expect(book.get('gw2')).toBeUndefined();
    expect(readFileSync(path, 'utf8')).not.toContain(toHex(gateway.secretKey));
  });
});
