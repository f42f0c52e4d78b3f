/**
 * Pairing from the app over the site broker: while the gateway's pairing window is open it
 * trusts the installer key it is sent and both sides show the same fingerprint; once closed it
 * refuses, and packages signed by the paired key install.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEventHub } from '../../../shared/core/api/events';
import { createEngineRunner } from '../../../shared/node/gateway/engine-runner';
import { attachInstaller } from '../../../shared/node/gateway/install/attach';
import { startGateway } from '../../../shared/node/gateway/runtime';
import { appVersion } from '../../../shared/node/paths';
import { createEncryptedFileSecretStore } from '../../../shared/node/secrets';
import { createDeployService } from '../../../shared/node/services/deploy';
import { startMosquitto } from '../../helpers/mosquitto';
import { flow, writeProject } from '../gateway/fixtures';
import { quietLog } from './harness';
import { useCleanups } from '../../helpers/cleanups';

const direct = { transport: 'direct' } as const;
const cleanups = useCleanups();
const tempDir = (prefix: string) => cleanups.tempDir(prefix);

const gatewayWithPairing = async (brokerUrl: string, id: string, pairingUntil: number) => {
  const log = quietLog();
  const gateway = await startGateway({
    id,
    broker: { url: brokerUrl },
    dataDir: tempDir('fg-pair-gw-'),
    log,
    createRunner: (set, io) => createEngineRunner(set, io, id),
  });
  cleanups.push(() => gateway.stop());
  const attached = await attachInstaller(gateway, { engineVersion: appVersion, pairingUntil, log });
  cleanups.push(() => attached.close());
  return { gateway, attached };
};

describe('pairing a gateway from the app', () => {
  it('trusts the installer key while pairing is open, shows the same fingerprint on both sides, then deploys', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const dataDir = tempDir('fg-pair-app-');
    const secrets = createEncryptedFileSecretStore({
      path: join(dataDir, 'secrets.json'),
      passphrase: 'pw',
      kdf: { N: 1024, r: 8, p: 1 },
    });
    const service = createDeployService(
      { runtime: 'web', dataDir, hub: createEventHub(() => {}), log: quietLog() },
      { secrets },
    );

    const open = await gatewayWithPairing(m.url, 'pair-open', Date.now() + 60_000);
    const closed = await gatewayWithPairing(m.url, 'pair-closed', Date.now() - 1);
    const key = await service.key({}, direct);

    const paired = await service.pair({ brokerUrl: m.url, gatewayId: 'pair-open' }, direct);
    expect(paired).toEqual({
      fingerprint: key.fingerprint,
      gatewayFingerprint: open.gateway.identityFingerprint,
    });
    expect(open.attached.trust.read().trusted.map((k) => k.fingerprint)).toEqual([key.fingerprint]);
    await expect(service.pair({ brokerUrl: m.url, gatewayId: 'pair-closed' }, direct)).rejects.toMatchObject({
      code: 'deploy.rejected',
      details: { code: 'keys.pairing_closed' },
    });
    expect(closed.attached.trust.read().trusted).toEqual([]);

    const project = writeProject(tempDir('fg-pair-proj-'), [
      flow('hello', [['t', 'trigger.gateway-started']], []),
    ]);
    const record = await service.run(
      {
        projectDir: project,
        site: 'home',
        targets: [
          { kind: 'mqtt-gateway', brokerUrl: m.url, gatewayId: 'pair-open' },
          { kind: 'mqtt-gateway', brokerUrl: m.url, gatewayId: 'pair-closed' },
        ],
      },
      direct,
    );
    expect(record.results[0]!.gateways[0]).toMatchObject({ ok: true, step: 'committed' });
    expect(record.results[1]!.gateways[0]).toMatchObject({ ok: false, code: 'package.untrusted_key' });
  });
});
