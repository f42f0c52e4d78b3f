/**
 * The `deploy` service area against the real gateway process: the installer key, gateways
 * found by their retained status, the change preview, a deployment with progress events and
 * history, and rollback.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEventHub } from '../../../shared/core/api/events';
import { createDeployService } from '../../../shared/node/services/deploy';
import { createEncryptedFileSecretStore } from '../../../shared/node/secrets';
import { startMosquitto } from '../../helpers/mosquitto';
import { flow, writeProject } from '../gateway/fixtures';
import { spawnGateway } from '../gateway/process';
import { quietLog } from './harness';
import { useCleanups } from '../../helpers/cleanups';

/** How these tests call the service: directly, as the CLI would. */
const direct = { transport: 'direct' } as const;
const cleanups = useCleanups();
const tempDir = (prefix: string) => cleanups.tempDir(prefix);

const hello = (payload: string) =>
  flow(
    'hello',
    [
      ['t', 'trigger.gateway-started'],
      ['pub', 'action.mqtt-publish', { topic: 'site/hello', payload: JSON.stringify(payload) }],
    ],
    [['t', 'pub']],
  );

describe('deploy service', () => {
  it('previews, deploys with progress, records history and rolls back', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const dataDir = tempDir('fg-deploy-svc-');
    const hub = createEventHub(() => {});
    const progress: Array<{ step: string; gateway?: string }> = [];
    hub.subscribe(
      (event, payload) => event === 'onDeployProgress' && progress.push(payload as { step: string }),
    );
    const secrets = createEncryptedFileSecretStore({
      path: join(dataDir, 'secrets.json'),
      passphrase: 'pw',
      kdf: { N: 1024, r: 8, p: 1 },
    });
    const service = createDeployService({ runtime: 'web', dataDir, hub, log: quietLog() }, { secrets });

    const key = await service.key({}, direct);
    expect(key.fingerprint).toMatch(/^[0-9a-f]{4}(:[0-9a-f]{4}){7}$/);
    expect((await service.key({}, direct)).publicKey).toBe(key.publicKey);

    const gw = await spawnGateway([
      '--id',
      'svc1',
      '--broker',
      m.url,
      '--data',
      tempDir('fg-svc-gw-'),
      '--trust',
      key.publicKey.slice('ed25519:'.length),
    ]);
    cleanups.push(gw.kill);
    await gw.online();

    const gateways = await service.gateways({ brokerUrl: m.url }, direct);
    expect(gateways).toEqual([expect.objectContaining({ id: 'svc1', state: 'online', running: null })]);

    const project = writeProject(tempDir('fg-svc-proj-'), [hello('one')]);
    expect(
      await service.preview(
        { projectDir: project, site: 'home', brokerUrl: m.url, gatewayIds: ['svc1'] },
        direct,
      ),
    ).toEqual([
      { gatewayId: 'svc1', running: null, added: ['hello'], changed: [], removed: [], unchanged: [] },
    ]);

    const first = await service.run(
      {
        projectDir: project,
        site: 'home',
        targets: [{ kind: 'mqtt-gateway', brokerUrl: m.url, gatewayId: 'svc1' }],
      },
      direct,
    );
    expect(first.ok, JSON.stringify(first)).toBe(true);
    expect(first.results[0]!.gateways[0]).toMatchObject({
      gateway: 'svc1',
      ok: true,
      step: 'committed',
      running: first.version,
    });
    expect(progress.map((p) => p.step)).toEqual(
      expect.arrayContaining(['sent', 'received', 'verified', 'committed']),
    );

    writeFileSync(join(project, 'flows', 'hello.json'), JSON.stringify(hello('two')));
    const [preview] = await service.preview(
      {
        projectDir: project,
        site: 'home',
        brokerUrl: m.url,
        gatewayIds: ['svc1'],
      },
      direct,
    );
    expect(preview).toMatchObject({ running: first.version, changed: ['hello'], added: [] });

    await expect(service.rollback({ brokerUrl: m.url, gatewayId: 'svc1' }, direct)).rejects.toMatchObject({
      code: 'deploy.rejected',
    });
    const second = await service.run(
      {
        projectDir: project,
        site: 'home',
        targets: [{ kind: 'mqtt-gateway', brokerUrl: m.url, gatewayId: 'svc1' }],
      },
      direct,
    );
    expect(second.ok).toBe(true);
    expect(second.version).toBeGreaterThan(first.version);
    expect((await service.history({}, direct)).map((h) => h.id)).toEqual([second.id, first.id]);

    expect(await service.rollback({ brokerUrl: m.url, gatewayId: 'svc1' }, direct)).toMatchObject({
      running: first.version,
    });
    // The rollback is history like a delivery: what the gateway runs after it, for the same site.
    const [latest] = await service.history({}, direct);
    expect(latest).toMatchObject({ kind: 'rollback', ok: true, site: 'home', version: first.version });
  });

  it('reports an unreachable target as a failed result, not a crash', async () => {
    const dataDir = tempDir('fg-deploy-svc-');
    const secrets = createEncryptedFileSecretStore({
      path: join(dataDir, 'secrets.json'),
      passphrase: 'pw',
      kdf: { N: 1024, r: 8, p: 1 },
    });
    const service = createDeployService(
      { runtime: 'web', dataDir, hub: createEventHub(() => {}), log: quietLog() },
      { secrets },
    );
    const project = writeProject(tempDir('fg-svc-proj-'), [hello('one')]);
    const file = join(dataDir, 'not-a-folder');
    writeFileSync(file, 'x');
    const record = await service.run(
      {
        projectDir: project,
        site: 'home',
        targets: [{ kind: 'usb', dir: join(file, 'stick'), packageFor: { kind: 'group', id: 'home' } }],
      },
      direct,
    );
    expect(record).toMatchObject({ ok: false, results: [{ ok: false, code: 'deploy.unreachable' }] });
  });
});
