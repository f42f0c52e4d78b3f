/**
 * Device credentials end to end, with real parts: the password of a virtual Shelly Plus 1PM
 * (SHA-256 digest auth on) is kept in a real encrypted-file SecretStore, the app's deploy
 * service seals it to the real `fieldgraph gateway` process's key over mosquitto, and a flow on
 * the gateway switches the Shelly on over HTTP RPC with that login. The password must appear in
 * clear nowhere: not in the package bytes, the gateway's data folder, its log or the app's data.
 * A missing, foreign-sealed or wrong password fails clearly and the gateway keeps running.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { gatewayTokenRef } from '../../../shared/core/api/areas/deploy';
import { createEventHub } from '../../../shared/core/api/events';
import { buildPackage } from '../../../shared/core/package/build';
import { SECRETS_FILE } from '../../../shared/core/package/manifest';
import { openSecrets, type SealedSecrets } from '../../../shared/core/package/seal';
import { readZip } from '../../../shared/core/package/zip';
import { collectSiteFiles } from '../../../shared/node/deploy/collect';
import { mqttGatewayTarget } from '../../../shared/node/deploy/mqtt';
import { ensureInstallerKey } from '../../../shared/node/keys/installer-key';
import { appVersion } from '../../../shared/node/paths';
import { createEncryptedFileSecretStore, type SecretStore } from '../../../shared/node/secrets';
import { createDeployService } from '../../../shared/node/services/deploy';
import { startVirtualShelly, type VirtualShelly } from '../../../shared/node/sim/virtual-shelly';
import { freePort, startMosquitto } from '../../helpers/mosquitto';
import { flow } from '../gateway/fixtures';
import { connectClient, rpc, trustedInstaller, waitFor } from '../gateway/helpers';
import { spawnGateway, type GatewayProcess } from '../gateway/process';
import { quietLog } from './harness';
import { useCleanups } from '../../helpers/cleanups';

const direct = { transport: 'direct' } as const;
const PASSWORD = 'Sh3lly-digest-Pw-7Qx';
const WRONG = 'not-the-Pw-Zx81';
const REF = 'site/home/shelly1';
const GATEWAY = 'sec1';

const cleanups = useCleanups();
const tempDir = (prefix: string) => cleanups.tempDir(prefix);

/** A project whose one role `light` is a Shelly Plus 1PM reached over HTTP RPC with a login. */
const writeShellyProject = (dir: string, shelly: VirtualShelly): string => {
  mkdirSync(join(dir, 'flows'), { recursive: true });
  mkdirSync(join(dir, 'sites'), { recursive: true });
  const json = (path: string, value: unknown) => writeFileSync(join(dir, path), JSON.stringify(value));
  json('fieldgraph.json', {
    schemaVersion: 1,
    id: 'secrets',
    name: 'Secrets',
    roles: [{ id: 'light', capability: 'switch@1' }],
  });
  json('sites/home.json', {
    id: 'home',
    name: 'Home',
    rooms: [],
    devices: [
      {
        id: 'shelly1',
        name: 'Hall light',
        model: 'shelly-plus-1pm',
        identity: {},
        variables: { host: new URL(shelly.url).host },
        auth: { password: { secret: REF } },
      },
    ],
    bindings: [{ role: 'light', device: 'shelly1' }],
    gateways: [{ id: GATEWAY }],
  });
  const on = flow(
    'on',
    [
      ['t', 'trigger.manual'],
      ['on', 'action.set-property', { role: 'light', property: 'on', value: 'true' }],
    ],
    [['t', 'on']],
    undefined,
    ['light'],
  );
  json('flows/on.json', on);
  return dir;
};

/** Every file under `dir`, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

/** True when `secret` appears in `bytes` as UTF-8 text or as hex of that text. */
const holdsInClear = (bytes: Uint8Array | string, secret: string): boolean => {
  const buffer = Buffer.from(bytes);
  return buffer.includes(secret) || buffer.includes(Buffer.from(secret).toString('hex'));
};

interface Site {
  shelly: VirtualShelly;
  secrets: SecretStore;
  service: ReturnType<typeof createDeployService>;
  appData: string;
  gwData: string;
  gw: GatewayProcess;
  probe: MqttClient;
  brokerUrl: string;
  project: string;
  /** Package bytes the service sent to the gateway, in order. */
  sent: Buffer[];
}

const startSite = async (extraArgs: string[] = [], env: Record<string, string> = {}): Promise<Site> => {
  const m = await startMosquitto();
  cleanups.push(() => m.stop());
  const shelly = await startVirtualShelly({ id: 'shellyplus1pm-sec001', password: PASSWORD });
  cleanups.push(() => shelly.stop());
  const appData = tempDir('fg-sec-app-');
  const secrets = createEncryptedFileSecretStore({
    path: join(appData, 'secrets.json'),
    passphrase: 'installer passphrase',
    kdf: { N: 1024, r: 8, p: 1 },
  });
  const service = createDeployService(
    { runtime: 'web', dataDir: appData, hub: createEventHub(() => {}), log: quietLog() },
    { secrets },
  );
  const key = await service.key({}, direct);
  const gwData = tempDir('fg-sec-gw-');
  // Debug level: every line the gateway can log is in the output the test searches.
  const gw = await spawnGateway(
    [
      '--id',
      GATEWAY,
      '--broker',
      m.url,
      '--data',
      gwData,
      '--trust',
      key.publicKey.slice('ed25519:'.length),
      '--trust',
      trustedInstaller,
      ...extraArgs,
    ],
    [],
    { FIELDGRAPH_LOG: 'debug', ...env },
  );
  cleanups.push(gw.kill);
  await gw.online();
  const probe = await connectClient(m.url);
  cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
  const sent: Buffer[] = [];
  probe.on(
    'message',
    (topic, payload) => topic === `fieldgraph/v1/gw/${GATEWAY}/deploy` && sent.push(payload),
  );
  await probe.subscribeAsync(`fieldgraph/v1/gw/${GATEWAY}/deploy`, { qos: 1 });
  const project = writeShellyProject(tempDir('fg-sec-proj-'), shelly);
  // Secrets are sealed only to a gateway whose identity the app pinned by pairing.
  await service.pair({ brokerUrl: m.url, gatewayId: GATEWAY }, direct);
  return { shelly, secrets, service, appData, gwData, gw, probe, brokerUrl: m.url, project, sent };
};

const deploy = (site: Site) =>
  site.service.run(
    {
      projectDir: site.project,
      site: 'home',
      targets: [{ kind: 'mqtt-gateway', brokerUrl: site.brokerUrl, gatewayId: GATEWAY }],
    },
    direct,
  );

/** Runs the `on` flow through the gateway's `run` RPC and returns its finished trace. */
const runOn = async (site: Site) => {
  const started = await rpc(site.probe, GATEWAY, 'run', { flowId: 'on' });
  expect(started, site.gw.output()).toMatchObject({ ok: true });
  const runId = (started.value as { runId: string }).runId;
  let trace: { outcome: string; error?: { nodeId: string; message: string } } | undefined;
  await waitFor(
    async () => {
      const reply = await rpc(site.probe, GATEWAY, 'trace', { runId });
      trace = reply.ok ? (reply.value as typeof trace) : undefined;
      return trace !== undefined && trace.outcome !== 'running';
    },
    15_000,
    `the trace of run ${runId}`,
  );
  return trace!;
};

describe('device secrets sealed on deploy', () => {
  it('switches a digest-protected Shelly on from a flow, and the password is in clear nowhere', async () => {
    const site = await startSite();
    await site.secrets.set(REF, PASSWORD);

    const record = await deploy(site);
    expect(record.ok, JSON.stringify(record)).toBe(true);
    expect(record.results[0]!.gateways[0]).toMatchObject({ gateway: GATEWAY, ok: true, step: 'committed' });
    expect(site.sent).toHaveLength(1);
    expect([...readZip(site.sent[0]!).keys()]).toContain(SECRETS_FILE);

    expect(site.shelly.state.output).toBe(false);
    const trace = await runOn(site);
    expect(trace, site.gw.output()).toMatchObject({ outcome: 'finished' });
    expect(site.shelly.state.output).toBe(true);
    expect(site.gw.output()).toContain(REF);

    // A clean stop writes traces, state and outbox to the data folder; then every byte is searched.
    site.gw.child.kill('SIGTERM');
    expect((await site.gw.exited).code).toBe(0);
    for (const bytes of site.sent) expect(holdsInClear(bytes, PASSWORD)).toBe(false);
    const gatewayFiles = filesUnder(site.gwData);
    expect(gatewayFiles.some((f) => f.endsWith(SECRETS_FILE))).toBe(true);
    for (const file of [...gatewayFiles, ...filesUnder(site.appData)])
      expect(holdsInClear(readFileSync(file), PASSWORD), file).toBe(false);
    expect(holdsInClear(site.gw.output(), PASSWORD)).toBe(false);
  });

  it('explains a missing, foreign-sealed or wrong password, and the gateway keeps running', async () => {
    const site = await startSite();

    // Not in the store: the app refuses to ship, naming the reference and the field.
    const missing = await deploy(site);
    expect(missing).toMatchObject({ ok: false, results: [{ ok: false, code: 'deploy.secret_missing' }] });
    expect(missing.results[0]!.message).toContain(`"${REF}" (devices[shelly1].auth.password)`);
    expect(site.sent).toHaveLength(0);

    // Sealed to some other gateway's key: installed, but the seal does not open here.
    await site.secrets.set(REF, PASSWORD);
    const { files } = await collectSiteFiles(site.project, 'home');
    const foreign = buildPackage({
      packageId: 'secrets-home',
      site: 'home',
      version: 1000,
      created: new Date(Date.now() - 60_000).toISOString(),
      expires: new Date(Date.now() + 86_400_000).toISOString(),
      target: { kind: 'gateway', id: GATEWAY },
      engine: `>=${appVersion} <99.0.0`,
      files,
      secrets: { values: { [REF]: PASSWORD }, gatewayPublicKey: x25519.keygen().publicKey },
      signingKey: await ensureInstallerKey(site.secrets),
    }).bytes;
    const installed = await mqttGatewayTarget({ url: site.brokerUrl }, GATEWAY).deliver(foreign, {
      timeoutMs: 20_000,
    });
    expect(installed.gateways[0], site.gw.output()).toMatchObject({
      ok: true,
      running: 1000,
      message: expect.stringMatching(/sealed secrets do not open on this gateway/),
    });
    const unopened = await runOn(site);
    expect(unopened).toMatchObject({ outcome: 'failed', error: { nodeId: 'on' } });
    expect(unopened.error!.message).toContain(`device shelly1 needs the secret "${REF}"`);
    expect(unopened.error!.message).toMatch(/do not open on this gateway/);
    expect(site.gw.output()).toMatch(/carries secrets this gateway cannot open/);

    // The wrong password: sealed and opened fine, refused by the device.
    await site.secrets.set(REF, WRONG);
    expect((await deploy(site)).ok).toBe(true);
    const refused = await runOn(site);
    expect(refused).toMatchObject({ outcome: 'failed' });
    expect(refused.error!.message).toMatch(new RegExp(`device shelly1 refused the login "admin".*"${REF}"`));
    expect(site.shelly.state.output).toBe(false);

    // Still running and answering; the right password, deployed again, works at once.
    expect(site.gw.child.exitCode).toBe(null);
    expect(await rpc(site.probe, GATEWAY, 'status')).toMatchObject({ ok: true, value: { state: 'online' } });
    await site.secrets.set(REF, PASSWORD);
    expect((await deploy(site)).ok).toBe(true);
    expect(await runOn(site)).toMatchObject({ outcome: 'finished' });
    expect(site.shelly.state.output).toBe(true);

    // A rollback runs the previous version with that version's own secrets: the wrong password again.
    expect(await rpc(site.probe, GATEWAY, 'rollback')).toMatchObject({ ok: true });
    expect(await runOn(site)).toMatchObject({
      outcome: 'failed',
      error: { message: expect.stringMatching(/refused the login/) },
    });

    const log = site.gw.output();
    for (const value of [PASSWORD, WRONG]) expect(holdsInClear(log, value)).toBe(false);
    for (const file of filesUnder(site.gwData))
      for (const value of [PASSWORD, WRONG])
        expect(holdsInClear(readFileSync(file), value), file).toBe(false);
  });

  it('seals for a gateway reached over HTTP and a USB package addressed to it, and refuses a group package', async () => {
    const port = await freePort();
    const token = 'gateway-token-Qm4';
    const site = await startSite(['--http', `127.0.0.1:${port}`], { FIELDGRAPH_GATEWAY_TOKEN: token });
    await site.secrets.set(REF, PASSWORD);
    await site.secrets.set(gatewayTokenRef(GATEWAY), token);
    const usb = tempDir('fg-sec-usb-');

    const record = await site.service.run(
      {
        projectDir: site.project,
        site: 'home',
        targets: [
          {
            kind: 'http-gateway',
            url: `http://127.0.0.1:${port}`,
            gatewayId: GATEWAY,
            tokenRef: gatewayTokenRef(GATEWAY),
          },
          { kind: 'mqtt-group', brokerUrl: site.brokerUrl, group: 'lobby', expect: [GATEWAY] },
          { kind: 'usb', dir: usb, packageFor: { kind: 'gateway', id: GATEWAY } },
        ],
      },
      direct,
    );
    const [http, group, stick] = record.results;
    expect(http, JSON.stringify(record)).toMatchObject({ ok: true, gateways: [{ step: 'committed' }] });
    expect(group).toMatchObject({ ok: false, code: 'deploy.gateway_key_unknown' });
    expect(group!.message).toMatch(/group "lobby".*Deploy to each gateway/);
    expect(stick).toMatchObject({ ok: true });

    expect(await runOn(site)).toMatchObject({ outcome: 'finished' });
    expect(site.shelly.state.output).toBe(true);

    // The stick's package opens with this gateway's key (the one the app read over HTTP), and only with it.
    const [file] = readdirSync(usb).filter((n) => n.endsWith('.fgpkg'));
    const bytes = readFileSync(join(usb, file!));
    expect(holdsInClear(bytes, PASSWORD)).toBe(false);
    const zip = readZip(bytes);
    const sealed = JSON.parse(Buffer.from(zip.get(SECRETS_FILE)!).toString()) as SealedSecrets;
    const identity = JSON.parse(readFileSync(join(site.gwData, 'identity.json'), 'utf8')) as {
      secretKey: string;
    };
    const manifest = JSON.parse(Buffer.from(zip.get('manifest.json')!).toString()) as {
      packageId: string;
      version: number;
    };
    expect(
      openSecrets(sealed, Buffer.from(identity.secretKey, 'hex'), {
        packageId: manifest.packageId,
        version: manifest.version,
      }),
    ).toEqual({ [REF]: PASSWORD });
  });
});
