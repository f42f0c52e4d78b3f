import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../../../../shared/core/package/bytes';
import { MANIFEST_FILE, SECRETS_FILE } from '../../../../../shared/core/package/manifest';
import { sealSecrets } from '../../../../../shared/core/package/seal';
import { noSecrets, openRunningSecrets } from '../../../../../shared/node/gateway/secrets';
import { createLogger } from '../../../../../shared/node/log';
import { installerKey } from '../../../../helpers/packages';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const gateway = x25519.keygen();
const VALUE = 'pw-Unit-9931';

/** A version folder holding a manifest and, unless `to` is null, secrets sealed to `to`. */
const versionDir = (to: Uint8Array | null) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-gw-secrets-'));
  dirs.push(dir);
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify({ packageId: 'p', version: 7 }));
  if (to) {
    const sealed = sealSecrets({ 'shelly/admin': VALUE }, to, {
      packageId: 'p',
      version: 7,
      signingSecretKey: installerKey.secretKey,
    });
    writeFileSync(join(dir, SECRETS_FILE), JSON.stringify(sealed));
  }
  return dir;
};

const recordingLog = () => {
  const lines: string[] = [];
  return { lines, log: createLogger('test', 'debug', (line) => lines.push(line)) };
};

describe('the running version’s secrets', () => {
  it('opens with the gateway key and resolves by reference; logs names only', () => {
    const { lines, log } = recordingLog();
    const secrets = openRunningSecrets(versionDir(gateway.publicKey), toHex(gateway.secretKey), log);
    expect(secrets.resolve('shelly/admin', 'device shelly1')).toBe(VALUE);
    expect(secrets.names()).toEqual(['shelly/admin']);
    expect(secrets.problem).toBeUndefined();
    expect(() => secrets.resolve('other', 'device d2')).toThrow(
      expect.objectContaining({
        code: 'gateway.secret_unavailable',
        message: expect.stringMatching(/does not carry/),
      }),
    );
    expect(lines.join('\n')).toContain('shelly/admin');
    expect(lines.join('\n')).not.toContain(VALUE);
    expect(JSON.stringify(secrets)).not.toContain(VALUE);
  });

  it('a seal for another gateway leaves every lookup failing with the reason, reported once per reference', () => {
    const { lines, log } = recordingLog();
    const secrets = openRunningSecrets(versionDir(x25519.keygen().publicKey), toHex(gateway.secretKey), log);
    expect(secrets.problem).toMatch(/not to this gateway/);
    for (let i = 0; i < 3; i++)
      expect(() => secrets.resolve('shelly/admin', 'device shelly1')).toThrow(
        expect.objectContaining({
          code: 'gateway.secret_unavailable',
          message: expect.stringMatching(
            /device shelly1 needs the secret "shelly\/admin", but .* do not open/,
          ),
        }),
      );
    expect(lines.filter((l) => l.includes('needs a secret'))).toHaveLength(1);
    expect(lines.some((l) => l.includes('cannot open'))).toBe(true);
  });

  it('a version without secrets.sealed, or a project folder, has none', () => {
    const { log } = recordingLog();
    const none = openRunningSecrets(versionDir(null), toHex(gateway.secretKey), log);
    expect(none.names()).toEqual([]);
    expect(none.problem).toBeUndefined();
    expect(() => noSecrets(log).resolve('x', 'device d')).toThrow(/runs a project folder/);
  });
});
