import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeKey } from '../../../shared/core/package/keys';
import { canCreateNetns, createTwoHosts } from '../../helpers/netns';
import { installerKey, testKey } from '../../helpers/packages';
import { freePort, startMosquitto } from '../../helpers/mosquitto';
import { flow, writeProject } from './fixtures';
import { connectClient, nextJson, rpc } from './helpers';
import { spawnGateway, type GatewayProcess } from './process';
import { useCleanups } from '../../helpers/cleanups';

const cleanups = useCleanups();
const tempDir = (prefix = 'fg-cli-') => cleanups.tempDir(prefix);
const track = (gw: GatewayProcess) => {
  cleanups.push(gw.kill);
  return gw;
};
const project = () =>
  writeProject(tempDir('fg-cli-proj-'), [
    flow(
      'hello',
      [
        ['t', 'trigger.gateway-started'],
        ['pub', 'action.mqtt-publish', { topic: 'site/hello', payload: '"hi"' }],
      ],
      [['t', 'pub']],
    ),
  ]);

describe('fieldgraph gateway as a process', () => {
  it('runs the project, and on SIGTERM stops cleanly with an offline status', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const probe = await connectClient(m.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    const hello = new Promise<string>((resolve) => {
      probe.on('message', (topic, payload) => topic === 'site/hello' && resolve(payload.toString()));
      probe.subscribe('site/hello');
    });
    const gw = track(
      await spawnGateway(['--id', 'cli1', '--broker', m.url, '--data', tempDir(), '--project', project()]),
    );
    await gw.online();
    expect(gw.output()).toMatch(/1 flows running/);
    expect(await hello).toBe('hi');
    const online = await nextJson<{ state: string; flows: unknown[] }>(probe, 'fieldgraph/v1/gw/cli1/status');
    expect(online).toMatchObject({ state: 'online', flows: [{ id: 'hello' }] });

    const offline = nextJson(probe, 'fieldgraph/v1/gw/cli1/status', (s) => s.state === 'offline');
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toEqual({ code: 0, signal: null });
    expect(await offline).toMatchObject({ state: 'offline', reason: 'shutdown' });
  });

  it('runs the package installer without --project, and leaves its Last Will when it dies without a word', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    // --trust takes the signing.pub file `keys generate` writes, like `verify --trust`.
    const keyDir = tempDir();
    writeFileSync(join(keyDir, 'signing.pub'), encodeKey('ed25519', installerKey.publicKey) + '\n');
    const gw = track(
      await spawnGateway([
        '--id',
        'cli2',
        '--broker',
        m.url,
        '--data',
        tempDir(),
        '--trust',
        join(keyDir, 'signing.pub'),
      ]),
    );
    await gw.online();
    const probe = await connectClient(m.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    await nextJson(probe, 'fieldgraph/v1/gw/cli2/status', (s) => s.state === 'online');
    // without --project the package installer is attached and answers on RPC
    expect((await rpc(probe, 'cli2', 'installed')).ok).toBe(true);
    // …and accepts signed calls from the key in that file.
    expect(await rpc(probe, 'cli2', 'traces', {})).toMatchObject({ ok: true });
    expect(await rpc(probe, 'cli2', 'traces', {}, testKey(9))).toMatchObject({
      ok: false,
      error: { code: 'gateway.rpc_untrusted_key' },
    });
    const offline = nextJson(probe, 'fieldgraph/v1/gw/cli2/status', (s) => s.state === 'offline');
    gw.child.kill('SIGKILL');
    expect(await offline).toMatchObject({ state: 'offline', reason: 'connection lost' });
    // retained: a client arriving later sees it too
    const late = await connectClient(m.url);
    cleanups.push(() => new Promise<void>((r) => late.end(true, {}, () => r())));
    expect(await nextJson(late, 'fieldgraph/v1/gw/cli2/status')).toMatchObject({ state: 'offline' });
  });

  it('explains what is wrong instead of crashing', async () => {
    const unreachable = track(
      await spawnGateway([
        '--id',
        'cli3',
        '--broker',
        `mqtt://127.0.0.1:${await freePort()}`,
        '--data',
        tempDir(),
      ]),
    );
    expect((await unreachable.exited).code).toBe(1);
    expect(unreachable.output()).toMatch(/cannot reach the MQTT broker .*--embedded-broker/s);

    const notProject = tempDir();
    writeFileSync(join(notProject, 'readme.txt'), 'not a project');
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const bad = track(
      await spawnGateway(['--id', 'cli3', '--broker', m.url, '--data', tempDir(), '--project', notProject]),
    );
    expect((await bad.exited).code).toBe(1);
    expect(bad.output()).toMatch(/not a Fieldgraph project/);
  });
});

const hasZeroconf = (): boolean => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import zeroconf'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

// Browses with python-zeroconf (Home Assistant's library): a third party must find our announcement.
const BROWSE = `
import sys, time, json
from zeroconf import Zeroconf, ServiceBrowser, ServiceListener
found = {}
class L(ServiceListener):
    def add_service(self, zc, type_, name):
        info = zc.get_service_info(type_, name, 3000)
        if info and info.properties:
            found[name] = {k.decode(): (v.decode() if v is not None else None) for k, v in info.properties.items()}
            found[name]['port'] = info.port
    def update_service(self, zc, type_, name): self.add_service(zc, type_, name)
    def remove_service(self, zc, type_, name): pass
zc = Zeroconf(interfaces=[sys.argv[1]])
ServiceBrowser(zc, '_fieldgraph._tcp.local.', L())
deadline = time.time() + 10
while time.time() < deadline and not found:
    time.sleep(0.2)
zc.close()
print(json.dumps(found))
`;

describe.skipIf(!canCreateNetns() || !hasZeroconf())('mDNS announcement', () => {
  it('announces _fieldgraph._tcp with id, version and key fingerprint on the interface it is given', async () => {
    const hosts = createTwoHosts('169.254.77');
    cleanups.push(hosts.destroy);
    const [gwNs, laptopNs] = [hosts.gateway.ns, hosts.laptop.ns];
    const dataDir = tempDir();
    const gw = track(
      await spawnGateway(
        [
          '--id',
          'site-gw',
          '--embedded-broker',
          '1883',
          '--data',
          dataDir,
          '--http',
          // On the announced interface: the SRV port names the HTTP endpoint only where the site
          // reaches it (--http alone listens on loopback, and then the broker's port is named).
          '169.254.77.1:8080',
          '--mdns-interface',
          '169.254.77.1',
        ],
        ['ip', 'netns', 'exec', gwNs],
      ),
    );
    await gw.online();
    const fingerprint = /key ([0-9a-f:]+)\)/.exec(gw.output())?.[1];
    const browsed = JSON.parse(
      execFileSync('ip', ['netns', 'exec', laptopNs, '/usr/bin/python3', '-c', BROWSE, '169.254.77.2'], {
        timeout: 30_000,
      }).toString(),
    ) as Record<string, Record<string, unknown>>;
    expect(browsed['fieldgraph-site-gw._fieldgraph._tcp.local.']).toEqual({
      id: 'site-gw',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      fp: fingerprint,
      port: 8080,
    });
    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
  });
});
