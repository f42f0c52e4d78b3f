/**
 * End to end with the real `fieldgraph gateway` process: pack a project, deploy it over MQTT,
 * the gateway runs its flows; a tampered package is refused while it keeps running; the
 * `rollback` RPC brings back the previous version.
 */
import { describe, expect, it } from 'vitest';
import { buildPackage } from '../../../shared/core/package/build';
import { toHex } from '../../../shared/core/package/bytes';
import { fingerprint } from '../../../shared/core/package/keys';
import { makeRotation } from '../../../shared/core/package/rotation';
import type { PackageTarget } from '../../../shared/core/package/manifest';
import { mqttGatewayTarget, mqttGroupTarget } from '../../../shared/node/deploy/mqtt';
import { withGatewayClient } from '../../../shared/node/deploy/gateway-client';
import { collectSiteFiles } from '../../../shared/node/deploy/collect';
import { appVersion } from '../../../shared/node/paths';
import { startMosquitto } from '../../helpers/mosquitto';
import { installerKey, repack, testKey } from '../../helpers/packages';
import { flow, writeProject } from '../gateway/fixtures';
import type { GatewayStatus } from '../../../shared/core/gateway';
import { connectClient, nextJson, rpc } from '../gateway/helpers';
import { spawnGateway } from '../gateway/process';
import { useCleanups } from '../../helpers/cleanups';

const cleanups = useCleanups();
const tempDir = (prefix: string) => cleanups.tempDir(prefix);

const helloProject = (payload: string) =>
  writeProject(tempDir('fg-e2e-proj-'), [
    flow(
      'hello',
      [
        ['t', 'trigger.gateway-started'],
        ['pub', 'action.mqtt-publish', { topic: 'site/hello', payload: JSON.stringify(payload) }],
      ],
      [['t', 'pub']],
    ),
  ]);

const packProject = async (
  dir: string,
  version: number,
  target: PackageTarget = { kind: 'gateway', id: 'e2e1' },
  signingKey = installerKey,
) => {
  const { files } = await collectSiteFiles(dir, 'home');
  return buildPackage({
    packageId: 'test-home',
    site: 'home',
    version,
    created: new Date(Date.now() - 60_000).toISOString(),
    expires: new Date(Date.now() + 86_400_000).toISOString(),
    target,
    engine: `>=${appVersion} <99.0.0`,
    files,
    signingKey,
  }).bytes;
};

/**
 * A broker, a probe client collecting what the flows say on `site/hello`, and gateway e2e1 run
 * as its own process with `extra` arguments; `restart` kills it and starts it again on the same
 * data folder, as after a power cut.
 */
const startSite = async (extra: string[] = []) => {
  const m = await startMosquitto();
  cleanups.push(() => m.stop());
  const probe = await connectClient(m.url);
  cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
  const hellos: string[] = [];
  probe.on('message', (topic, payload) => topic === 'site/hello' && hellos.push(payload.toString()));
  await probe.subscribeAsync('site/hello');
  const args = ['--id', 'e2e1', ...extra, '--broker', m.url, '--data', tempDir('fg-e2e-data-')];
  const start = async () => {
    const gw = await spawnGateway([...args, '--trust', toHex(installerKey.publicKey)]);
    cleanups.push(gw.kill);
    await gw.online();
    return gw;
  };
  const site = { m, probe, hellos, gw: await start() };
  const restart = async () => {
    await site.gw.kill();
    site.gw = await start();
  };
  return Object.assign(site, { restart });
};

describe('deploying to the real gateway process', () => {
  it('installs and runs the package, refuses a tampered one, and rolls back on request, which its status still says after a restart', async () => {
    const site = await startSite();
    const { m, probe, hellos, gw } = site;

    const target = mqttGatewayTarget({ url: m.url }, 'e2e1');
    const v2 = await packProject(helloProject('v2'), 2);
    const first = await target.deliver(v2, { timeoutMs: 20_000 });
    expect(first.gateways[0], gw.output()).toMatchObject({ ok: true, step: 'committed', running: 2 });
    await expect.poll(() => hellos, { timeout: 10_000 }).toContain('v2');
    const status = await nextJson<{ source?: { kind: string; version?: number }; flows?: unknown[] }>(
      probe,
      'fieldgraph/v1/gw/e2e1/status',
      (s) => s.source?.version === 2,
      30_000,
    );
    expect(status).toMatchObject({ source: { kind: 'package', version: 2 }, flows: [{ id: 'hello' }] });

    const v3 = await packProject(helloProject('v3'), 3);
    const flipped = repack(v3, (entries) =>
      entries.map((e) =>
        e.name === 'flows/hello.json'
          ? { ...e, data: Buffer.from(Buffer.from(e.data).toString().replace('v3', 'v9')) }
          : e,
      ),
    );
    const refused = await target.deliver(flipped, { timeoutMs: 20_000 });
    expect(refused.gateways[0]).toMatchObject({
      ok: false,
      step: 'rejected',
      code: 'package.hash_mismatch',
      running: 2,
    });

    expect((await target.deliver(v3, { timeoutMs: 20_000 })).gateways[0]).toMatchObject({
      ok: true,
      running: 3,
    });
    await expect.poll(() => hellos, { timeout: 10_000 }).toContain('v3');

    const rolledBack = await rpc(probe, 'e2e1', 'rollback');
    expect(rolledBack).toMatchObject({ ok: true, value: { running: 2 } });
    const installed = await rpc(probe, 'e2e1', 'installed');
    expect(installed.value).toMatchObject({ committed: 2, highest: 3 });
    const rolledBackDeploy = {
      ok: true,
      version: 2,
      running: 2,
      message: 'Rolled back from version 3 to 2.',
    };
    // Waits are generous: on a loaded two-core machine a status can take seconds to come round.
    const live = await nextJson<GatewayStatus>(
      probe,
      'fieldgraph/v1/gw/e2e1/status',
      (s) => s.lastDeploy?.message !== undefined,
      30_000,
    );
    expect(live.lastDeploy).toMatchObject(rolledBackDeploy);

    // Restarted, it reads its last deploy from the install history: still the rollback.
    await site.restart();
    const restarted = await nextJson<GatewayStatus>(
      probe,
      'fieldgraph/v1/gw/e2e1/status',
      (s) => s.state === 'online' && s.startedAt !== live.startedAt,
      30_000,
    );
    expect(restarted.lastDeploy, site.gw.output()).toMatchObject({
      ...rolledBackDeploy,
      step: live.lastDeploy?.step,
    });
    expect(restarted.package).toMatchObject({ version: 2 });
  });

  it('as a member of a fleet group, installs the group package from its own deploy topic and from the group topic', async () => {
    const { m, hellos, gw } = await startSite(['--group', 'north']);
    const north: PackageTarget = { kind: 'group', id: 'north' };

    // Sent to the gateway itself (…/gw/e2e1/deploy), addressed to its group.
    const own = mqttGatewayTarget({ url: m.url }, 'e2e1');
    const first = await own.deliver(await packProject(helloProject('north-2'), 2, north), {
      timeoutMs: 20_000,
    });
    expect(first.gateways[0], gw.output()).toMatchObject({ ok: true, step: 'committed', running: 2 });
    await expect.poll(() => hellos, { timeout: 10_000 }).toContain('north-2');

    // Retained on the group topic.
    const group = mqttGroupTarget({ url: m.url }, 'north', ['e2e1']);
    const second = await group.deliver(await packProject(helloProject('north-3'), 3, north), {
      timeoutMs: 20_000,
    });
    expect(second.gateways[0], gw.output()).toMatchObject({ ok: true, step: 'committed', running: 3 });
    await expect.poll(() => hellos, { timeout: 10_000 }).toContain('north-3');

    // Another group's package on its own topic is still not its to install.
    const south = await own.deliver(
      await packProject(helloProject('south-4'), 4, { kind: 'group', id: 'south' }),
      {
        timeoutMs: 20_000,
      },
    );
    expect(south.gateways[0]).toMatchObject({ ok: false, code: 'package.wrong_target', running: 3 });
  });

  it('moves its trust to a new key on a rotation signed by the old one, and refuses the old key after', async () => {
    const { m } = await startSite();
    const next = testKey(42);
    const stranger = testKey(43);
    const rotated = await withGatewayClient(
      { brokerUrl: m.url, signingKey: installerKey },
      async (client) => {
        await expect(
          client.call('e2e1', 'rotateKey', {
            rotation: makeRotation(stranger, next.publicKey, new Date().toISOString()),
          }),
        ).rejects.toMatchObject({ code: 'deploy.rejected', details: { code: 'keys.bad_rotation' } });
        return client.call('e2e1', 'rotateKey', {
          rotation: makeRotation(installerKey, next.publicKey, new Date().toISOString()),
        });
      },
    );
    expect(rotated.trusted).toBe(fingerprint(next.publicKey));

    const target = mqttGatewayTarget({ url: m.url }, 'e2e1');
    const project = helloProject('rotated');
    const old = await target.deliver(await packProject(project, 2), { timeoutMs: 20_000 });
    expect(old.gateways[0]).toMatchObject({ ok: false, code: 'package.revoked_key' });
    const signedByNew = await packProject(project, 2, undefined, next);
    expect((await target.deliver(signedByNew, { timeoutMs: 20_000 })).gateways[0]).toMatchObject({
      ok: true,
      running: 2,
    });
  });
});
