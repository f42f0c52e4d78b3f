/**
 * `fieldgraph gateways` against a real gateway process on mosquitto: its health before and after
 * a deploy (package, flows, the devices its flows use, the last deploy), a device going offline,
 * and the gateway itself turning offline through its Last Will when it is killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildPackage } from '../../../shared/core/package/build';
import { toHex } from '../../../shared/core/package/bytes';
import { collectSiteFiles } from '../../../shared/node/deploy/collect';
import { mqttGatewayTarget } from '../../../shared/node/deploy/mqtt';
import { appVersion } from '../../../shared/node/paths';
import { startVirtualTasmotaRelay } from '../../../shared/node/sim/virtual-tasmota';
import { useCleanups } from '../../helpers/cleanups';
import { startMosquitto } from '../../helpers/mosquitto';
import { installerKey } from '../../helpers/packages';
import { flow, writeProject } from '../gateway/fixtures';
import { connectClient, nextJson } from '../gateway/helpers';
import { spawnGateway } from '../gateway/process';

const cleanups = useCleanups();

const gatewaysJson = (url: string): Promise<{ gateways: Record<string, unknown>[] }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/fieldgraph.js', 'gateways', '--mqtt', url, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`fieldgraph gateways exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out) as { gateways: Record<string, unknown>[] });
      } catch (error) {
        reject(new Error(`not JSON: ${out} (${String(error)})`));
      }
    });
  });

describe('fieldgraph gateways', () => {
  it('reports online, engine, package, flows, devices and the last deploy; SIGKILL turns the gateway offline through its Last Will', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const relay = await startVirtualTasmotaRelay({ brokerUrl: broker.url, topic: 'relay1', telePeriod: 60 });
    let relayRunning = true;
    cleanups.push(() => relayRunning && relay.stop());
    const gw = await spawnGateway([
      '--id',
      'site-gw',
      '--broker',
      broker.url,
      '--data',
      cleanups.tempDir('fg-gws-data-'),
      '--trust',
      toHex(installerKey.publicKey),
    ]);
    cleanups.push(gw.kill);
    await gw.online();

    const before = await gatewaysJson(broker.url);
    expect(before).toEqual({
      gateways: [
        {
          id: 'site-gw',
          online: true,
          engine: appVersion,
          package: null,
          flows: { running: 0, failed: 0 },
          devices: { online: 0, offline: 0 },
          lastDeploy: null,
        },
      ],
    });

    const project = writeProject(cleanups.tempDir('fg-gws-proj-'), [
      flow(
        'hello',
        [
          ['t', 'trigger.gateway-started'],
          ['pub', 'action.mqtt-publish', { topic: 'site/hello', payload: '"hi"' }],
        ],
        [['t', 'pub']],
      ),
    ]);
    const { bytes } = buildPackage({
      packageId: 'site-home',
      site: 'home',
      version: 7,
      created: new Date(Date.now() - 60_000).toISOString(),
      expires: new Date(Date.now() + 86_400_000).toISOString(),
      target: { kind: 'gateway', id: 'site-gw' },
      engine: `>=${appVersion} <99.0.0`,
      files: (await collectSiteFiles(project, 'home')).files,
      signingKey: installerKey,
    });
    const delivered = await mqttGatewayTarget({ url: broker.url }, 'site-gw').deliver(bytes, {
      timeoutMs: 20_000,
    });
    expect(delivered.gateways[0], gw.output()).toMatchObject({ ok: true, running: 7 });

    // The relay the site binds says Online on its LWT: the gateway counts it once it has subscribed.
    await expect
      .poll(async () => (await gatewaysJson(broker.url)).gateways[0], { timeout: 15_000 })
      .toMatchObject({
        online: true,
        package: { id: 'site-home', version: 7 },
        flows: { running: 1, failed: 0 },
        devices: { online: 1, offline: 0 },
        lastDeploy: { ok: true, step: 'committed', version: 7, packageId: 'site-home', running: 7 },
      });

    // The relay goes away: the gateway's status says so within a few seconds.
    relayRunning = false;
    await relay.stop();
    await expect
      .poll(async () => (await gatewaysJson(broker.url)).gateways[0]?.devices, { timeout: 15_000 })
      .toEqual({ online: 0, offline: 1 });

    // SIGKILL: no goodbye. The broker publishes the Last Will, well within the keepalive.
    const watcher = await connectClient(broker.url);
    cleanups.push(() => watcher.endAsync(true));
    const offline = nextJson<{ state: string; reason?: string }>(
      watcher,
      'fieldgraph/v1/gw/site-gw/status',
      (s) => s.state === 'offline',
    );
    await watcher.subscribeAsync('fieldgraph/v1/gw/site-gw/status', { qos: 1 });
    const killedAt = Date.now();
    gw.child.kill('SIGKILL');
    const will = await offline;
    const took = Date.now() - killedAt;
    expect(will).toMatchObject({ state: 'offline', reason: 'connection lost' });
    // mqtt.js keeps the connection alive every 60 s; the broker must not wait longer than that.
    expect(took).toBeLessThan(60_000);
    const after = await gatewaysJson(broker.url);
    expect(after.gateways[0]).toMatchObject({
      id: 'site-gw',
      online: false,
      flows: { running: 0, failed: 0 },
      devices: { online: 0, offline: 0 },
    });
  });
});
