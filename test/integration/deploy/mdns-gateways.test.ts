/**
 * The Deploy view's gateway list with real mDNS packets: two namespaces joined by a veth pair
 * (a gateway box and the installer's laptop). Gateways announce `_fieldgraph._tcp` in one; the
 * app's services run in the other, their discovery session browsing mDNS and the deploy area
 * listing from it, merged with the retained MQTT status, then deploying over HTTP to the address
 * mDNS gave, with the token from the secret store.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { gatewayTokenRef } from '../../../shared/core/api/areas/deploy';
import { toHex } from '../../../shared/core/package/bytes';
import { ensureInstallerKey } from '../../../shared/node/keys/installer-key';
import { useNodePackageCrypto } from '../../../shared/node/keys/node-crypto';
import { createEncryptedFileSecretStore } from '../../../shared/node/secrets';
import { canCreateNetns, createTwoHosts } from '../../helpers/netns';
import { bundleRunner } from '../discovery/mdns-harness';
import { flow, writeProject } from '../gateway/fixtures';
import { spawnGateway, type GatewayProcess } from '../gateway/process';
import { useCleanups } from '../../helpers/cleanups';

const cleanups = useCleanups();
const tempDir = (prefix: string) => cleanups.tempDir(prefix);
const track = (gw: GatewayProcess) => {
  cleanups.push(gw.kill);
  return gw;
};

const PASSPHRASE = 'netns-secrets';
const TOKEN = 'netns-http-token-7c1d';
const GW_ADDRESS = '169.254.78.1';
const LAPTOP_ADDRESS = '169.254.78.2';

/** The gateway box and the laptop, removed after the test. */
const twoHosts = (): { gateway: string; laptop: string } => {
  const hosts = createTwoHosts('169.254.78');
  cleanups.push(hosts.destroy);
  return { gateway: hosts.gateway.ns, laptop: hosts.laptop.ns };
};

interface Listed {
  id: string;
  state: string;
  foundBy: string[];
  version?: string;
  fingerprint?: string;
  addresses: string[];
  httpUrl?: string;
  tokenStored: boolean;
  running: number | null;
}

describe.skipIf(!canCreateNetns())('Deploy gateways found by mDNS inside network namespaces', () => {
  it('lists gateways the app discovery hears, merges them with the MQTT status, and deploys over the HTTP port mDNS gave', async () => {
    const hosts = twoHosts();
    const dataDir = tempDir('fg-mdns-deploy-');
    // The app's secret store, as the runner will open it: the installer key and the gateway's token.
    useNodePackageCrypto();
    const secrets = createEncryptedFileSecretStore({
      path: join(dataDir, 'secrets.json'),
      passphrase: PASSPHRASE,
      kdf: { N: 1024, r: 8, p: 1 },
    });
    const installer = await ensureInstallerKey(secrets);
    await secrets.set(gatewayTokenRef('ns-gw'), TOKEN);

    const inGatewayNs = ['ip', 'netns', 'exec', hosts.gateway];
    const gw = track(
      await spawnGateway(
        [
          '--id',
          'ns-gw',
          '--embedded-broker',
          '1883',
          '--http',
          // The endpoint serves the site only when told to: --http alone listens on loopback.
          `${GW_ADDRESS}:8080`,
          '--data',
          tempDir('fg-mdns-gw-'),
          '--mdns-interface',
          GW_ADDRESS,
          '--trust',
          toHex(installer.publicKey),
        ],
        inGatewayNs,
        { FIELDGRAPH_GATEWAY_TOKEN: TOKEN },
      ),
    );
    // A second box without --http: its SRV port is its embedded broker, which is no HTTP endpoint.
    const plain = track(
      await spawnGateway(
        [
          '--id',
          'ns-plain',
          '--embedded-broker',
          '1884',
          '--data',
          tempDir('fg-mdns-gw2-'),
          '--mdns-interface',
          GW_ADDRESS,
        ],
        inGatewayNs,
      ),
    );
    // A third box on the first one's broker, its HTTP endpoint on loopback (the default): neither
    // its mDNS record nor its retained status may offer that endpoint to another machine.
    const local = track(
      await spawnGateway(
        [
          '--id',
          'ns-local',
          '--broker',
          'mqtt://127.0.0.1:1883',
          '--http',
          '8082',
          '--data',
          tempDir('fg-mdns-gw3-'),
          '--mdns-interface',
          GW_ADDRESS,
        ],
        inGatewayNs,
      ),
    );
    await Promise.all([gw.online(), plain.online(), local.online()]);
    expect(local.output()).toMatch(/does not listen on the announced interface, so the site cannot reach it/);
    const fingerprint = /key ([0-9a-f:]+)\)/.exec(gw.output())?.[1];
    expect(fingerprint).toBeDefined();

    const project = writeProject(tempDir('fg-mdns-proj-'), [
      flow(
        'hello',
        [
          ['t', 'trigger.gateway-started'],
          ['pub', 'action.mqtt-publish', { topic: 'site/hello', payload: '"hi"' }],
        ],
        [['t', 'pub']],
      ),
    ]);
    const runner = await bundleRunner(join(import.meta.dirname, 'mdns-deploy-runner.ts'));
    cleanups.push(() => runner.dispose());
    const child = runToEnd(
      ['ip', 'netns', 'exec', hosts.laptop, process.execPath, runner.file],
      [dataDir, LAPTOP_ADDRESS, `mqtt://${GW_ADDRESS}:1883`, project, 'ns-gw', '3'],
      { FIELDGRAPH_SECRETS_PASSPHRASE: PASSPHRASE },
    );
    cleanups.push(() => child.stop());
    const lines = await child.lines;
    const answer = <T>(key: string): T => {
      const line = lines.find((l) => key in l);
      if (!line)
        throw new Error(`the runner printed no "${key}": ${JSON.stringify(lines)}\n${child.stderr()}`);
      return line[key] as T;
    };

    const mdns = answer<Listed[]>('mdns');
    expect(mdns.find((g) => g.id === 'ns-gw')).toMatchObject({
      state: 'online',
      foundBy: ['mdns'],
      fingerprint,
      addresses: [GW_ADDRESS],
      httpUrl: `http://${GW_ADDRESS}:8080`,
      tokenStored: true,
      running: null,
    });
    // Heard over mDNS, but its announced port answers no HTTP: nothing to deploy to over HTTP.
    const plainListed = mdns.find((g) => g.id === 'ns-plain');
    expect(plainListed).toMatchObject({ foundBy: ['mdns'], addresses: [GW_ADDRESS] });
    expect(plainListed?.httpUrl).toBeUndefined();

    const localListed = mdns.find((g) => g.id === 'ns-local');
    expect(localListed).toMatchObject({ foundBy: ['mdns'], addresses: [GW_ADDRESS] });
    expect(localListed?.httpUrl).toBeUndefined();

    const merged = answer<Listed[]>('merged');
    // Its retained status names port 8082 on 127.0.0.1: not an address for the laptop.
    const localMerged = merged.find((g) => g.id === 'ns-local');
    expect(localMerged).toMatchObject({ state: 'online', foundBy: ['mdns', 'mqtt'] });
    expect(localMerged?.httpUrl).toBeUndefined();
    expect(merged.find((g) => g.id === 'ns-gw')).toMatchObject({
      state: 'online',
      foundBy: ['mdns', 'mqtt'],
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      fingerprint,
      httpUrl: `http://${GW_ADDRESS}:8080`,
      running: null,
    });
    expect(merged.filter((g) => g.id === 'ns-gw')).toHaveLength(1);

    const run = answer<{
      ok: boolean;
      version: number;
      results: Array<{ target: string; gateways: unknown[] }>;
    }>('run');
    expect(run.ok, JSON.stringify(run)).toBe(true);
    expect(run.results[0]).toMatchObject({
      target: `gateway ns-gw via http://${GW_ADDRESS}:8080/v1/packages`,
      gateways: [{ gateway: 'ns-gw', ok: true, step: 'committed', running: run.version }],
    });
    expect(answer<string[]>('steps')).toEqual(['connecting', 'sent', 'committed']);
    expect(answer<Listed[]>('after').find((g) => g.id === 'ns-gw')).toMatchObject({ running: run.version });
  });
});

/** Runs a command to its end, collecting its stdout JSON lines. */
const runToEnd = (command: string[], args: string[], env: Record<string, string>) => {
  const [bin, ...prefix] = command;
  const child = spawn(bin!, [...prefix, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const collected: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      collected.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      stderr += `${line}\n`;
    }
  });
  const lines = new Promise<Array<Record<string, unknown>>>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(collected);
    });
  });
  return {
    lines,
    stderr: () => stderr,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
};
