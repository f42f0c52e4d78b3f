/**
 * The `deploy` service area delivering over HTTP to the real gateway process (`--http`, token in
 * FIELDGRAPH_GATEWAY_TOKEN), with the token read from a real encrypted-file secret store by its
 * reference: listing by typed address, preview, progress, history, a refused token that leaves
 * the running version alone, a missing token named with its fix, and rollback.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayTokenRef } from '../../../shared/core/api/areas/deploy';
import { createEventHub } from '../../../shared/core/api/events';
import { createLogger } from '../../../shared/node/log';
import { createDeployService } from '../../../shared/node/services/deploy';
import { createEncryptedFileSecretStore } from '../../../shared/node/secrets';
import { freePort, startMosquitto } from '../../helpers/mosquitto';
import { flow, writeProject } from '../gateway/fixtures';
import { spawnGateway } from '../gateway/process';
import { useCleanups } from '../../helpers/cleanups';

const direct = { transport: 'direct' } as const;
const cleanups = useCleanups();
const tempDir = (prefix: string) => cleanups.tempDir(prefix);

const TOKEN = 'gw-http-token-5f1e9c0a7d';

const hello = (payload: string) =>
  flow(
    'hello',
    [
      ['t', 'trigger.gateway-started'],
      ['pub', 'action.mqtt-publish', { topic: 'site/hello', payload: JSON.stringify(payload) }],
    ],
    [['t', 'pub']],
  );

/** The service with a real encrypted secrets file and a log that keeps every line. */
const makeService = (dataDir: string) => {
  const hub = createEventHub(() => {});
  const progress: Array<{ step: string; gateway?: string; target: string }> = [];
  hub.subscribe(
    (event, payload) => event === 'onDeployProgress' && progress.push(payload as (typeof progress)[number]),
  );
  const logLines: string[] = [];
  const secrets = createEncryptedFileSecretStore({
    path: join(dataDir, 'secrets.json'),
    passphrase: 'pw',
    kdf: { N: 1024, r: 8, p: 1 },
  });
  const service = createDeployService(
    { runtime: 'web', dataDir, hub, log: createLogger('test', 'debug', (l) => logLines.push(l)) },
    { secrets },
  );
  return { service, secrets, progress, logLines };
};

describe('deploy service over HTTP', () => {
  it('finds the gateway by its address, previews, deploys with the stored token, refuses a wrong one, rolls back over the broker', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const dataDir = tempDir('fg-deploy-http-');
    const { service, secrets, progress, logLines } = makeService(dataDir);
    const key = await service.key({}, direct);

    const port = await freePort();
    const httpUrl = `http://127.0.0.1:${port}`;
    const gw = await spawnGateway(
      [
        '--id',
        'http1',
        '--broker',
        m.url,
        '--http',
        `127.0.0.1:${port}`,
        '--data',
        tempDir('fg-http-gw-'),
        '--trust',
        key.publicKey.slice('ed25519:'.length),
      ],
      [],
      { FIELDGRAPH_GATEWAY_TOKEN: TOKEN },
    );
    cleanups.push(gw.kill);
    await gw.online();

    const ref = gatewayTokenRef('http1');
    expect(ref).toBe('gateway/http1/http-token');
    const listed = await service.gateways({ httpUrls: [`${httpUrl}/`] }, direct);
    expect(listed).toEqual([
      expect.objectContaining({
        id: 'http1',
        state: 'online',
        foundBy: ['http'],
        httpUrl,
        tokenRef: ref,
        tokenStored: false,
        running: null,
        previous: [],
      }),
    ]);
    // Its status is signed by an identity this app has not pinned: listing shows it, pins nothing.
    expect(listed[0]!.identity).toEqual({
      state: 'unpaired',
      fingerprint: expect.stringMatching(/^[0-9a-f]{4}(:[0-9a-f]{4}){7}$/),
    });
    expect(existsSync(join(dataDir, 'gateway-keys.json'))).toBe(false);
    // Pairing (over the broker) pins it; the key is then kept for USB packages and listed as paired.
    const paired = await service.pair({ brokerUrl: m.url, gatewayId: 'http1' }, direct);
    expect(paired.gatewayFingerprint).toBe(listed[0]!.identity!.fingerprint);
    const pinned = JSON.parse(readFileSync(join(dataDir, 'gateway-keys.json'), 'utf8')) as {
      gateways: Record<string, { publicKey: string; identity: string }>;
    };
    expect(pinned.gateways.http1?.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect((await service.gateways({ httpUrls: [httpUrl] }, direct))[0]!.identity).toMatchObject({
      state: 'paired',
      pinned: paired.gatewayFingerprint,
    });

    const project = writeProject(tempDir('fg-http-proj-'), [hello('one')]);
    const spec = { kind: 'http-gateway', url: httpUrl, gatewayId: 'http1', tokenRef: ref } as const;

    // No token stored yet: the target fails with the reference and the fix; nothing is sent.
    const missing = await service.run({ projectDir: project, site: 'home', targets: [spec] }, direct);
    expect(missing).toMatchObject({ ok: false, results: [{ ok: false, code: 'deploy.invalid_target' }] });
    expect(missing.results[0]!.message).toContain(`"${ref}"`);
    expect(missing.results[0]!.message).toMatch(/store the gateway's token/);

    await secrets.set(ref, TOKEN);
    expect((await service.gateways({ httpUrls: [httpUrl] }, direct))[0]).toMatchObject({ tokenStored: true });
    expect(
      await service.preview(
        { projectDir: project, site: 'home', gatewayIds: ['http1'], httpUrls: { http1: httpUrl } },
        direct,
      ),
    ).toEqual([
      { gatewayId: 'http1', running: null, added: ['hello'], changed: [], removed: [], unchanged: [] },
    ]);

    const first = await service.run({ projectDir: project, site: 'home', targets: [spec] }, direct);
    expect(first.ok, JSON.stringify(first)).toBe(true);
    expect(first.results[0]).toMatchObject({
      target: `gateway http1 via ${httpUrl}/v1/packages`,
      gateways: [{ gateway: 'http1', ok: true, step: 'committed', running: first.version }],
    });
    expect(progress.filter((p) => p.gateway === 'http1').map((p) => p.step)).toEqual([
      'connecting',
      'sent',
      'committed',
    ]);
    expect((await service.gateways({ httpUrls: [httpUrl] }, direct))[0]).toMatchObject({
      running: first.version,
    });

    // The preview compares with the file list the history kept for the running version.
    writeFileSync(join(project, 'flows', 'hello.json'), JSON.stringify(hello('two')));
    const [changed] = await service.preview(
      { projectDir: project, site: 'home', gatewayIds: ['http1'], httpUrls: { http1: httpUrl } },
      direct,
    );
    expect(changed).toEqual({
      gatewayId: 'http1',
      running: first.version,
      added: [],
      changed: ['hello'],
      removed: [],
      unchanged: [],
    });

    // A wrong token: refused with the reference to fix, and the gateway keeps what it runs.
    await secrets.set(ref, 'not-the-token');
    const refused = await service.run({ projectDir: project, site: 'home', targets: [spec] }, direct);
    expect(refused).toMatchObject({ ok: false, results: [{ ok: false, code: 'deploy.upload_failed' }] });
    expect(refused.results[0]!.message).toMatch(/refused the deploy token/);
    expect(refused.results[0]!.message).toContain(`"${ref}"`);
    expect((await service.gateways({ httpUrls: [httpUrl] }, direct))[0]).toMatchObject({
      running: first.version,
    });

    await secrets.set(ref, TOKEN);
    const second = await service.run({ projectDir: project, site: 'home', targets: [spec] }, direct);
    expect(second.ok, JSON.stringify(second)).toBe(true);
    expect((await service.history({}, direct)).map((h) => [h.id, h.ok])).toEqual([
      [second.id, true],
      [refused.id, false],
      [first.id, true],
      [missing.id, false],
    ]);

    // Rollback is an MQTT RPC: over HTTP alone the service says what to do instead.
    await expect(service.rollback({ gatewayId: 'http1' }, direct)).rejects.toMatchObject({
      code: 'deploy.invalid_target',
      message: expect.stringMatching(/no rollback.*Enter the broker/),
    });
    // Found by its address and its retained status: one gateway, rolled back over the broker.
    const both = await service.gateways({ brokerUrl: m.url, httpUrls: [httpUrl] }, direct);
    expect(both).toEqual([
      expect.objectContaining({
        id: 'http1',
        foundBy: ['mqtt', 'http'],
        running: second.version,
        previous: [first.version],
      }),
    ]);
    expect(await service.rollback({ brokerUrl: m.url, gatewayId: 'http1' }, direct)).toMatchObject({
      running: first.version,
    });

    // The token value is nowhere the app keeps or shows things.
    const everything = [
      JSON.stringify(await service.history({}, direct)),
      JSON.stringify(progress),
      JSON.stringify(both),
      readFileSync(join(dataDir, 'deploy-history.json'), 'utf8'),
      logLines.join('\n'),
      readFileSync(join(dataDir, 'secrets.json'), 'utf8'),
    ].join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(gw.output()).not.toContain(TOKEN);
  });

  it('names an address where no gateway answers', async () => {
    const { service } = makeService(tempDir('fg-deploy-http-'));
    const url = `http://127.0.0.1:${await freePort()}`;
    await expect(service.gateways({ httpUrls: [url] }, direct)).rejects.toMatchObject({
      code: 'deploy.unreachable',
      message: expect.stringContaining(`No gateway answers at ${url}/`),
    });
    await expect(service.gateways({ httpUrls: ['mqtt://127.0.0.1:1883'] }, direct)).rejects.toMatchObject({
      code: 'deploy.invalid_target',
    });
  });
});
