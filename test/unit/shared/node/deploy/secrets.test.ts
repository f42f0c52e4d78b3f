import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../../../../shared/core/package/bytes';
import { openSecrets, sealSecrets } from '../../../../../shared/core/package/seal';
import { signStatus, type GatewayStatus } from '../../../../../shared/core/gateway';
import { encodeKey } from '../../../../../shared/core/package/keys';
import { openGatewayPinBook } from '../../../../../shared/node/deploy/pins';
import { sealedSecretsFor } from '../../../../../shared/node/deploy/secrets';
import { sealingKeyFingerprint as keyFingerprint } from '../../../../../shared/core/gateway';
import type { SecretStore } from '../../../../../shared/node/secrets';
import { installerKey, testKey } from '../../../../helpers/packages';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const keyBook = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-keys-'));
  dirs.push(dir);
  return { path: join(dir, 'gateway-keys.json'), book: openGatewayPinBook(join(dir, 'gateway-keys.json')) };
};

/** The gateway's identity key, and another gateway's (or an attacker's). */
const identity = testKey(7);
const impostor = testKey(8);
const identityText = encodeKey('ed25519', identity.publicKey);
const statusBy = (key: typeof identity, publicKey: string): GatewayStatus =>
  signStatus({ schemaVersion: 1, id: 'gw1', state: 'online', publicKey }, key);

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
  pins: keyBook().book,
  ...overrides,
});

describe('sealing a site’s secrets for one gateway', () => {
  it('seals exactly the referenced values to the gateway key the app has seen', async () => {
    const { book } = keyBook();
    book.pin('gw1', identityText, gatewayHex);
    const secrets = await sealedSecretsFor(request({ pins: book }));
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
    book.pin('gw1', identityText, gatewayHex);
    const error = await sealedSecretsFor(request({ pins: book, store: memoryStore({}) })).catch((e) => e);
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

  it('refuses a package for a gateway the app never paired with', async () => {
    const { book } = keyBook();
    await expect(sealedSecretsFor(request({ pins: book }))).rejects.toMatchObject({
      code: 'gateway.not_paired',
    });
  });

  it('never seals to a key from a status the pinned identity did not sign', async () => {
    const { path, book } = keyBook();
    book.pin('gw1', identityText, gatewayHex);
    const before = readFileSync(path, 'utf8');
    const attacker = toHex(x25519.keygen().publicKey);
    // Unsigned (a forged retained status): ignored, the pinned key is used.
    const unsigned: GatewayStatus = { schemaVersion: 1, id: 'gw1', state: 'online', publicKey: attacker };
    const sealedTo = await sealedSecretsFor(request({ pins: book, liveStatus: async () => unsigned }));
    expect(toHex(sealedTo!.gatewayPublicKey)).toBe(gatewayHex);
    // Signed by another identity: refused with both fingerprints, nothing sealed, the pin kept.
    const error = await sealedSecretsFor(
      request({ pins: book, liveStatus: async () => statusBy(impostor, attacker) }),
    ).catch((e) => e);
    expect(error).toMatchObject({ code: 'gateway.identity_changed' });
    expect(error.details.pinned).not.toBe(error.details.announced);
    expect(error.message).toContain(error.details.pinned);
    expect(error.message).toContain(error.details.announced);
    expect(readFileSync(path, 'utf8')).toBe(before);
    // Signed by the pinned identity: its new sealing key is used and kept.
    const rekeyed = toHex(x25519.keygen().publicKey);
    const fresh = await sealedSecretsFor(
      request({ pins: book, liveStatus: async () => statusBy(identity, rekeyed) }),
    );
    expect(toHex(fresh!.gatewayPublicKey)).toBe(rekeyed);
    expect(book.get('gw1')?.publicKey).toBe(rekeyed);
  });

  it('refuses when the key does not match the fingerprint the site file pins', async () => {
    const { book } = keyBook();
    book.pin('gw1', identityText, gatewayHex);
    const other = toHex(x25519.keygen().publicKey);
    const pinnedOther = site({ gateways: [{ id: 'gw1', fingerprint: keyFingerprint(other) }] });
    await expect(sealedSecretsFor(request({ pins: book, siteFile: pinnedOther }))).rejects.toMatchObject({
      code: 'deploy.gateway_key_mismatch',
    });
    const pinnedRight = site({
      gateways: [{ id: 'gw1', fingerprint: keyFingerprint(gatewayHex).toUpperCase() }],
    });
    expect(await sealedSecretsFor(request({ pins: book, siteFile: pinnedRight }))).toBeDefined();
  });

  it('keeps only public keys in the pin book', () => {
    const { path, book } = keyBook();
    book.pin('gw1', identityText, gatewayHex);
    expect(book.get('gw1')).toMatchObject({ identity: identityText, publicKey: gatewayHex });
    expect(book.get('gw2')).toBeUndefined();
    expect(readFileSync(path, 'utf8')).not.toContain(toHex(gateway.secretKey));
  });
});
