/**
 * `fieldgraph gateway --pair MINUTES` opens the pairing window on a real gateway process: the
 * app's deploy service enrols its installer key over the broker and both sides agree on the
 * fingerprints; a gateway started without the flag refuses.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEventHub } from '../../../shared/core/api/events';
import { createEncryptedFileSecretStore } from '../../../shared/node/secrets';
import { createDeployService } from '../../../shared/node/services/deploy';
import { startMosquitto } from '../../helpers/mosquitto';
import { quietLog } from '../deploy/harness';
import { spawnGateway, type GatewayProcess } from './process';
import { useCleanups } from '../../helpers/cleanups';

const direct = { transport: 'direct' } as const;
const cleanups = useCleanups();
const tempDir = (prefix: string) => cleanups.tempDir(prefix);
const stopped = (gw: GatewayProcess) => async () => {
  if (gw.child.exitCode === null) gw.child.kill('SIGTERM');
  await gw.exited;
};

describe('fieldgraph gateway --pair', () => {
  it('lets the app enrol its key while the window is open, and only then', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const open = await spawnGateway([
      '--id',
      'gw-pair',
      '--broker',
      broker.url,
      '--data',
      tempDir('fg-gwp-'),
      '--pair',
      '5',
    ]);
    cleanups.push(stopped(open));
    const shut = await spawnGateway([
      '--id',
      'gw-nopair',
      '--broker',
      broker.url,
      '--data',
      tempDir('fg-gwn-'),
    ]);
    cleanups.push(stopped(shut));
    await open.online();
    await shut.online();
    expect(open.output()).toContain('Pairing is open for 5 min');

    const dataDir = tempDir('fg-gwp-app-');
    const secrets = createEncryptedFileSecretStore({
      path: join(dataDir, 'secrets.json'),
      passphrase: 'pw',
      kdf: { N: 1024, r: 8, p: 1 },
    });
    const service = createDeployService(
      { runtime: 'web', dataDir, hub: createEventHub(() => {}), log: quietLog() },
      { secrets },
    );
    const key = await service.key({}, direct);
    const paired = await service.pair({ brokerUrl: broker.url, gatewayId: 'gw-pair' }, direct);
    expect(paired.fingerprint).toBe(key.fingerprint);
    expect(open.output()).toContain(paired.gatewayFingerprint);
    await expect(
      service.pair({ brokerUrl: broker.url, gatewayId: 'gw-nopair' }, direct),
    ).rejects.toMatchObject({
      details: { code: 'keys.pairing_closed' },
    });
  });

  it('refuses a window that is not 1 to 60 minutes, as a usage error', () => {
    const r = spawnSync(
      process.execPath,
      [
        'bin/fieldgraph.js',
        'gateway',
        '--id',
        'gw-bad',
        '--embedded-broker',
        '0',
        '--data',
        tempDir('fg-gwb-'),
        '--pair',
        '0',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--pair takes a number of minutes from 1 to 60');
  });
});
