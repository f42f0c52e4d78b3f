/**
 * A site broker that takes only clients with a certificate from its CA (mosquitto with
 * `require_certificate true`): the app's every operation on a gateway — pairing, listing,
 * preview, deploy, rollback — presents the client certificate stored for that broker, and so
 * do `fieldgraph keys rotate` and the gateway itself with --ca/--cert/--cert-key. Without a certificate, or with one
 * from another CA, nothing gets through and the error says what to do.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokerTlsRefs } from '../../../shared/core/api/areas/deploy';
import { createEventHub } from '../../../shared/core/api/events';
import { createDeployService } from '../../../shared/node/services/deploy';
import { createEncryptedFileSecretStore } from '../../../shared/node/secrets';
import { keysCommand } from '../../../cli/commands/keys';
import { startMosquitto } from '../../helpers/mosquitto';
import { useCleanups } from '../../helpers/cleanups';
import { writeSigningKeyFiles } from '../../../shared/node/keys/files';
import { installerKey } from '../../helpers/packages';
import { flow, writeProject } from '../gateway/fixtures';
import { trustedInstaller } from '../gateway/helpers';
import { spawnGateway } from '../gateway/process';
import { makeTls, quietLog, tlsListener } from './harness';

const direct = { transport: 'direct' } as const;
const cleanups = useCleanups();

const hello = (payload: string) =>
  flow(
    'hello',
    [
      ['t', 'trigger.gateway-started'],
      ['pub', 'action.mqtt-publish', { topic: 'site/hello', payload: JSON.stringify(payload) }],
    ],
    [['t', 'pub']],
  );

describe('a site broker that requires client certificates', () => {
  it('pairs, lists, previews, deploys, rolls back and rotates keys with the stored certificate', async () => {
    const tls = makeTls();
    cleanups.push(() => rmSync(tls.dir, { recursive: true, force: true }));
    const listener = await tlsListener(tls);
    const broker = await startMosquitto(listener.lines);
    cleanups.push(() => broker.stop());
    const tlsUrl = `mqtts://127.0.0.1:${listener.port}`;

    const files = cleanups.tempDir('fg-tls-files-');
    for (const [name, text] of [
      ['ca.pem', tls.ca],
      ['client.pem', tls.clientCert],
      ['client.key', tls.clientKey],
    ] as const)
      writeFileSync(join(files, name), text);
    const tlsFiles = [
      '--ca',
      join(files, 'ca.pem'),
      '--cert',
      join(files, 'client.pem'),
      '--cert-key',
      join(files, 'client.key'),
    ];

    // The gateway, too, reaches the broker over TLS with its certificate.
    const gw = await spawnGateway([
      '--id',
      'tls1',
      '--broker',
      tlsUrl,
      ...tlsFiles,
      '--data',
      cleanups.tempDir('fg-tls-gw-'),
      '--pair',
      '5',
      '--trust',
      trustedInstaller,
    ]);
    cleanups.push(gw.kill);
    await gw.online();

    const dataDir = cleanups.tempDir('fg-tls-app-');
    const secrets = createEncryptedFileSecretStore({
      path: join(dataDir, 'secrets.json'),
      passphrase: 'pw',
      kdf: { N: 1024, r: 8, p: 1 },
    });
    const service = createDeployService(
      { runtime: 'web', dataDir, hub: createEventHub(() => {}), log: quietLog() },
      { secrets },
    );
    await service.key({}, direct);
    const refs = brokerTlsRefs(tlsUrl);
    expect(refs).toEqual({
      ca: `broker/127.0.0.1_${listener.port}/tls-ca`,
      cert: `broker/127.0.0.1_${listener.port}/tls-cert`,
      key: `broker/127.0.0.1_${listener.port}/tls-key`,
    });

    // Only the CA: the broker checks us and finds no certificate.
    await secrets.set(refs.ca, tls.ca);
    await expect(service.pair({ brokerUrl: tlsUrl, gatewayId: 'tls1' }, direct)).rejects.toMatchObject({
      code: 'deploy.unreachable',
      message: expect.stringContaining('certificates'),
    });
    // A certificate without its key is named as such before anything is sent.
    await secrets.set(refs.cert, tls.clientCert);
    await expect(service.gateways({ brokerUrl: tlsUrl }, direct)).rejects.toMatchObject({
      code: 'deploy.invalid_target',
      message: expect.stringContaining(refs.key),
    });
    // A certificate from another CA.
    await secrets.set(refs.cert, tls.otherCert);
    await secrets.set(refs.key, tls.otherKey);
    await expect(service.gateways({ brokerUrl: tlsUrl }, direct)).rejects.toMatchObject({
      code: 'deploy.unreachable',
    });

    await secrets.set(refs.cert, tls.clientCert);
    await secrets.set(refs.key, tls.clientKey);
    const paired = await service.pair({ brokerUrl: tlsUrl, gatewayId: 'tls1' }, direct);
    expect(gw.output()).toContain(paired.gatewayFingerprint);
    const listed = await service.gateways({ brokerUrl: tlsUrl }, direct);
    expect(listed).toEqual([
      expect.objectContaining({
        id: 'tls1',
        state: 'online',
        running: null,
        identity: expect.objectContaining({ state: 'paired' }),
      }),
    ]);

    const project = writeProject(cleanups.tempDir('fg-tls-proj-'), [hello('one')]);
    const target = { kind: 'mqtt-gateway', brokerUrl: tlsUrl, gatewayId: 'tls1' } as const;
    const first = await service.run({ projectDir: project, site: 'home', targets: [target] }, direct);
    expect(first.ok, JSON.stringify(first)).toBe(true);
    writeFileSync(join(project, 'flows', 'hello.json'), JSON.stringify(hello('two')));
    const [preview] = await service.preview(
      { projectDir: project, site: 'home', brokerUrl: tlsUrl, gatewayIds: ['tls1'] },
      direct,
    );
    expect(preview).toMatchObject({ running: first.version, changed: ['hello'] });
    const second = await service.run({ projectDir: project, site: 'home', targets: [target] }, direct);
    expect(second.ok, JSON.stringify(second)).toBe(true);
    expect(await service.rollback({ brokerUrl: tlsUrl, gatewayId: 'tls1' }, direct)).toMatchObject({
      running: first.version,
    });

    // The CLI rotates a gateway's installer key over the same TLS listener.
    writeSigningKeyFiles(join(files, 'old'), installerKey);
    const rotate = (out: string, ...tlsArgs: string[]) =>
      keysCommand.run([
        'rotate',
        '--key',
        join(files, 'old', 'signing.key'),
        '--out',
        join(files, out),
        '--mqtt',
        tlsUrl,
        '--gateway',
        'tls1',
        ...tlsArgs,
      ]);
    // Without a client certificate the broker refuses the connection.
    await expect(rotate('refused', '--ca', join(files, 'ca.pem'))).resolves.toBe(1);
    expect(await rotate('new', ...tlsFiles)).toBe(0);
  }, 180_000);
});
