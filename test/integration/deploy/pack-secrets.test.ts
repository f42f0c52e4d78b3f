/**
 * `fieldgraph pack` and the site's secrets: packing a site whose devices log in with a secret
 * warns when the package does not carry it, and seals it with --seal-to/--secrets so the
 * gateway's key opens it. Runs the commands in-process on real files.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keysCommand } from '../../../cli/commands/keys';
import { packCommand } from '../../../cli/commands/pack';
import { toHex } from '../../../shared/core/package/bytes';
import { SECRETS_FILE } from '../../../shared/core/package/manifest';
import { openSecrets, type SealedSecrets } from '../../../shared/core/package/seal';
import { readZip } from '../../../shared/core/package/zip';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const setup = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-pack-sec-'));
  dirs.push(dir);
  const project = join(dir, 'project');
  mkdirSync(join(project, 'sites'), { recursive: true });
  writeFileSync(
    join(project, 'fieldgraph.json'),
    JSON.stringify({ schemaVersion: 1, id: 'p', name: 'P', roles: [] }),
  );
  writeFileSync(
    join(project, 'sites', 'home.json'),
    JSON.stringify({
      id: 'home',
      name: 'Home',
      rooms: [],
      devices: [
        {
          id: 'shelly1',
          name: 'S',
          model: 'shelly-plus-1pm',
          identity: {},
          auth: { password: { secret: 'shelly/pw' } },
        },
      ],
      bindings: [],
      gateways: [],
    }),
  );
  vi.spyOn(console, 'log').mockImplementation(() => {});
  expect(await keysCommand.run(['generate', '--out', join(dir, 'keys')])).toBe(0);
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  const pack = (...extra: string[]) =>
    packCommand.run([
      project,
      '--site',
      'home',
      '--gateway',
      'gw1',
      '--key',
      join(dir, 'keys', 'signing.key'),
      ...extra,
    ]);
  return { dir, pack, errors };
};

describe('fieldgraph pack and site secrets', () => {
  it('warns, naming the reference and field, when the package would not carry a secret the site uses', async () => {
    const { dir, pack, errors } = await setup();
    expect(await pack('--out', join(dir, 'plain.fgpkg'))).toBe(0);
    expect(errors.mock.calls.flat().join('\n')).toMatch(
      /does not carry "shelly\/pw" \(devices\[shelly1\]\.auth\.password\); seal them with --seal-to/,
    );
  });

  it('seals the given values to the gateway key without a warning', async () => {
    const { dir, pack, errors } = await setup();
    const gateway = x25519.keygen();
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ 'shelly/pw': 'pw-123-Abc' }));
    const out = join(dir, 'sealed.fgpkg');
    expect(
      await pack('--out', out, '--seal-to', toHex(gateway.publicKey), '--secrets', join(dir, 'secrets.json')),
    ).toBe(0);
    expect(errors).not.toHaveBeenCalled();
    const zip = readZip(readFileSync(out));
    const manifest = JSON.parse(Buffer.from(zip.get('manifest.json')!).toString()) as {
      packageId: string;
      version: number;
    };
    const sealed = JSON.parse(Buffer.from(zip.get(SECRETS_FILE)!).toString()) as SealedSecrets;
    expect(openSecrets(sealed, gateway.secretKey, manifest)).toEqual({ 'shelly/pw': 'pw-123-Abc' });
    expect(readFileSync(out).includes('pw-123-Abc')).toBe(false);
  });
});
