import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../../shared/core/package/bytes';
import { generateSealingKey } from '../../../shared/core/package/keys';
import { readInstalledSecrets } from '../../../shared/node/gateway/install/secrets';
import {
  createInstaller,
  type InstallReport,
  type InstallRuntime,
} from '../../../shared/node/gateway/install/installer';
import { NOW, installerKey, makePackage } from '../../helpers/packages';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fg-install-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const pkg = (version: number) =>
  makePackage({ version, files: { 'flows/main.json': utf8(`{"id":"main","v":${version}}\n`) } });

const make = (runtime?: InstallRuntime, reports: InstallReport[] = []) =>
  createInstaller({
    root: join(root, 'install'),
    gatewayId: 'gw-1',
    engineVersion: '1.0.0',
    trust: () => ({ trusted: [installerKey.publicKey], revoked: [] }),
    now: () => NOW,
    keep: 2,
    runtime,
    report: (r) => reports.push(r),
  });

describe('installer', () => {
  it('stages, switches, starts, checks health and commits, reporting each step', async () => {
    const reports: InstallReport[] = [];
    const started: Array<number | null> = [];
    const installer = make(
      { start: async (_dir, v) => void started.push(v), healthCheck: async () => true },
      reports,
    );
    const result = await installer.install(pkg(1), 'http');
    expect(result).toMatchObject({ ok: true, step: 'committed', version: 1, running: 1 });
    expect(reports.map((r) => r.step)).toEqual([
      'received',
      'verified',
      'staged',
      'switched',
      'started',
      'healthy',
      'committed',
    ]);
    expect(reports.at(-1)).toMatchObject({ final: true, ok: true, gateway: 'gw-1', source: 'http' });
    expect(started).toEqual([1]);
    expect(readlinkSync(join(root, 'install', 'current'))).toBe('versions/1');
    expect(readFileSync(join(root, 'install', 'current', 'flows', 'main.json'), 'utf8')).toContain('"v":1');
    expect(installer.store.reverify(1)).toEqual([]);
  });

  it('keeps N previous versions and prunes older ones', async () => {
    const installer = make();
    for (const v of [1, 2, 3, 4, 5]) expect((await installer.install(pkg(v), 'mqtt')).ok).toBe(true);
    expect(installer.state()).toMatchObject({ committed: 5, previous: [4, 3], highest: 5 });
    expect(existsSync(installer.store.versionDir(2))).toBe(false);
    expect(existsSync(installer.store.versionDir(3))).toBe(true);
  });

  it('rolls back on its own when the health check fails', async () => {
    let healthy = true;
    const started: Array<number | null> = [];
    const installer = make({
      start: async (_d, v) => void started.push(v),
      healthCheck: async () => healthy,
    });
    await installer.install(pkg(1), 'mqtt');
    healthy = false;
    const result = await installer.install(pkg(2), 'mqtt');
    expect(result).toMatchObject({
      ok: false,
      step: 'rolled_back',
      code: 'install.health_check_failed',
      running: 1,
    });
    expect(started).toEqual([1, 2, 1]);
    expect(installer.state()).toMatchObject({ committed: 1, highest: 1 });
    expect(existsSync(installer.store.versionDir(2))).toBe(false);
    expect(installer.state().history.at(-1)).toMatchObject({ version: 2, outcome: 'rolled_back' });
  });

  it('rolls back when the new version fails to start', async () => {
    const installer = make({
      start: async (_d, v) => {
        if (v === 2) throw new Error('flow "main" has an unknown node kind');
      },
      healthCheck: async () => true,
    });
    await installer.install(pkg(1), 'mqtt');
    const result = await installer.install(pkg(2), 'mqtt');
    expect(result).toMatchObject({
      ok: false,
      step: 'rolled_back',
      code: 'install.start_failed',
      running: 1,
    });
    expect(result.message).toContain('unknown node kind');
  });

  it('rolls back on request to the previous version, and refuses when there is none', async () => {
    const installer = make();
    await expect(installer.rollback()).rejects.toMatchObject({ code: 'install.nothing_to_roll_back' });
    await installer.install(pkg(1), 'mqtt');
    await installer.install(pkg(2), 'mqtt');
    expect(await installer.rollback()).toMatchObject({ ok: true, running: 1 });
    expect(installer.state()).toMatchObject({ committed: 1, highest: 2, previous: [] });
    // The rolled-back version cannot come back as is: only a newer one installs.
    expect(await installer.install(pkg(2), 'mqtt')).toMatchObject({ code: 'package.downgrade' });
    expect(await installer.install(pkg(3), 'mqtt')).toMatchObject({ ok: true, running: 3 });
  });

  it('answers a re-sent copy of the installed package with "unchanged"', async () => {
    const installer = make();
    const bytes = pkg(1);
    await installer.install(bytes, 'group');
    expect(await installer.install(bytes, 'group')).toMatchObject({
      ok: true,
      step: 'unchanged',
      running: 1,
    });
  });

  it('re-creates unpacked files a power cut lost, from the durable package file', async () => {
    const installer = make();
    await installer.install(pkg(1), 'mqtt');
    writeFileSync(join(installer.store.versionDir(1), 'flows', 'main.json'), '');
    rmSync(join(installer.store.versionDir(1), 'manifest.sig'));
    expect(installer.store.reverify(1).length).toBeGreaterThan(0);
    const again = make();
    expect(again.store.reverify(1)).toEqual([]);
    expect(readFileSync(join(again.store.versionDir(1), 'flows', 'main.json'), 'utf8')).toContain('"v":1');
  });

  it('keeps sealed secrets sealed on disk and opens them with the gateway key only', async () => {
    const installer = make();
    const gatewayKey = generateSealingKey();
    const bytes = makePackage({
      version: 1,
      secrets: { values: { wifi: 'hunter22' }, gatewayPublicKey: gatewayKey.publicKey },
    });
    expect(await installer.install(bytes, 'mqtt')).toMatchObject({ ok: true });
    const dir = installer.store.versionDir(1);
    expect(readFileSync(join(dir, 'secrets.sealed'), 'utf8')).not.toContain('hunter22');
    expect(readInstalledSecrets(dir, toHex(gatewayKey.secretKey))).toEqual({ wifi: 'hunter22' });
    expect(() => readInstalledSecrets(dir, toHex(generateSealingKey().secretKey))).toThrow(
      expect.objectContaining({ code: 'package.secrets_unreadable' }),
    );
  });

  it('repairs a half-finished install when it starts again', async () => {
    const installer = make();
    await installer.install(pkg(1), 'mqtt');
    // What a crash right after the switch leaves: version 2 staged and current pointing at it, not committed.
    installer.store.stage(2, pkg(2), new Map([['manifest.json', utf8('{}')]]));
    installer.store.switchTo(2);
    const again = make();
    expect(again.store.currentVersion()).toBe(1);
    expect(existsSync(again.store.versionDir(2))).toBe(false);
    expect(again.store.reverify(1)).toEqual([]);
  });
});
