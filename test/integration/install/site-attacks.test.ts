/**
 * The attack pass on a site, as a regression suite: each hole found around the signed-package
 * path is attacked again against real processes — a `fieldgraph gateway` process on mosquitto,
 * the app's services behind the real web server (WebSocket API) — and every time the installed
 * version, the app's pinned keys and the site's secrets are checked untouched.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { x25519 } from '@noble/curves/ed25519.js';
import type { MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import type { FieldgraphApi } from '../../../shared/core/api';
import { createDispatcher } from '../../../shared/core/api/dispatch';
import { createEventHub } from '../../../shared/core/api/events';
import { signRequest, signStatus } from '../../../shared/core/gateway';
import { buildPackage } from '../../../shared/core/package/build';
import { toHex, utf8 } from '../../../shared/core/package/bytes';
import { encodeKey, sign } from '../../../shared/core/package/keys';
import { openSecrets, type SealedSecrets } from '../../../shared/core/package/seal';
import { readZip } from '../../../shared/core/package/zip';
import { collectSiteFiles } from '../../../shared/node/deploy/collect';
import { mqttGatewayTarget } from '../../../shared/node/deploy/mqtt';
import { silentLogger } from '../../../shared/node/log';
import { appVersion, rendererDir } from '../../../shared/node/paths';
import { createServices } from '../../../shared/node/services';
import { startWebServer } from '../../../shared/node/web/server';
import { createWsClient, type WebSocketLike } from '../../../renderer/src/api/ws-client';
import { useCleanups } from '../../helpers/cleanups';
import { freePort, startMosquitto } from '../../helpers/mosquitto';
import { installerKey, repack, testKey } from '../../helpers/packages';
import { flow, writeProject } from '../gateway/fixtures';
import { connectClient, nextJson, rpc, trustedInstaller, waitFor } from '../gateway/helpers';
import { spawnGateway, type GatewayProcess } from '../gateway/process';

const cleanups = useCleanups();
const GW = 'site-gw';
const WIFI_REF = 'site/home/wifi';
const WIFI = 'wifi-Pa55-7c1e';
const TOKEN = 'deploy-token-4f2a';
const direct = <T>(
  result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } },
) => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
};

/** The app's services behind the real web server, reached over its WebSocket API. */
const startApp = async () => {
  const dataDir = cleanups.tempDir('fg-attack-app-');
  const hub = createEventHub();
  const dispatch = createDispatcher(createServices({ runtime: 'web', dataDir, hub, log: silentLogger }));
  const server = await startWebServer({ dispatch, hub, log: silentLogger, rendererDir, port: 0 });
  const client = createWsClient({
    url: `ws://127.0.0.1:${server.port}/api?token=${server.token}`,
    createSocket: (url) =>
      new WebSocket(url, { origin: `http://127.0.0.1:${server.port}` }) as unknown as WebSocketLike,
  });
  cleanups.push(async () => {
    client.close();
    await server.close();
  });
  const api: FieldgraphApi = client.api;
  direct(await api.secrets.unlock({ passphrase: 'attack-suite-passphrase' }));
  direct(await api.secrets.set({ ref: WIFI_REF, value: WIFI }));
  return { api, dataDir, key: direct(await api.deploy.key({})) };
};

/** A project whose site needs the Wi-Fi password (a secret reference, sealed on deploy). */
const writeSiteProject = (payload: string): string => {
  const dir = writeProject(cleanups.tempDir('fg-attack-proj-'), [
    flow(
      'hello',
      [
        ['t', 'trigger.gateway-started'],
        ['pub', 'action.mqtt-publish', { topic: 'site/hello', payload: JSON.stringify(payload) }],
      ],
      [['t', 'pub']],
    ),
  ]);
  const sitePath = join(dir, 'sites', 'home.json');
  const site = JSON.parse(readFileSync(sitePath, 'utf8')) as Record<string, unknown>;
  writeFileSync(
    sitePath,
    JSON.stringify({ ...site, wifi: { ssid: 'SiteNet', password: { secret: WIFI_REF } } }),
  );
  return dir;
};

interface Site {
  brokerUrl: string;
  app: Awaited<ReturnType<typeof startApp>>;
  gw: GatewayProcess;
  gwData: string;
  watchDir: string;
  httpPort: number;
  probe: MqttClient;
}

const startSite = async (): Promise<Site> => {
  const m = await startMosquitto();
  cleanups.push(() => m.stop());
  const app = await startApp();
  const gwData = cleanups.tempDir('fg-attack-gw-');
  const watchDir = cleanups.tempDir('fg-attack-usb-');
  const httpPort = await freePort();
  const gw = await spawnGateway(
    [
      '--id',
      GW,
      '--broker',
      m.url,
      '--data',
      gwData,
      '--trust',
      app.key.publicKey,
      '--trust',
      trustedInstaller,
      '--http',
      String(httpPort),
      '--watch',
      watchDir,
    ],
    [],
    { FIELDGRAPH_GATEWAY_TOKEN: TOKEN },
  );
  cleanups.push(gw.kill);
  await gw.online();
  const probe = await connectClient(m.url);
  cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
  return { brokerUrl: m.url, app, gw, gwData, watchDir, httpPort, probe };
};

const installed = async (site: Site) =>
  (await rpc(site.probe, GW, 'installed')).value as {
    committed: number | null;
    highest: number;
    previous: number[];
  };

const deployOverMqtt = async (site: Site, project: string) =>
  direct(
    await site.app.api.deploy.run({
      projectDir: project,
      site: 'home',
      targets: [{ kind: 'mqtt-gateway', brokerUrl: site.brokerUrl, gatewayId: GW }],
    }),
  );

const gatewaySealingSecret = (site: Site): Uint8Array =>
  Buffer.from(
    (JSON.parse(readFileSync(join(site.gwData, 'identity.json'), 'utf8')) as { secretKey: string }).secretKey,
    'hex',
  );

/** Package bytes signed by the test installer key, with `edit` applied to the manifest before it is signed. */
const signedPackage = (
  version: number,
  files: Record<string, Uint8Array>,
  edit?: (m: Record<string, unknown>) => void,
) => {
  const bytes = buildPackage({
    packageId: 'attack-home',
    site: 'home',
    version,
    created: new Date(Date.now() - 60_000).toISOString(),
    expires: new Date(Date.now() + 86_400_000).toISOString(),
    target: { kind: 'gateway', id: GW },
    engine: `>=${appVersion} <99.0.0`,
    files,
    signingKey: installerKey,
  }).bytes;
  if (!edit) return bytes;
  return repack(bytes, (entries) => {
    const manifest = JSON.parse(
      Buffer.from(entries.find((e) => e.name === 'manifest.json')!.data).toString(),
    ) as Record<string, unknown>;
    edit(manifest);
    const manifestBytes = utf8(JSON.stringify(manifest));
    const sig = {
      alg: 'ed25519',
      key: encodeKey('ed25519', installerKey.publicKey),
      signature: toHex(sign(manifestBytes, installerKey.secretKey)),
    };
    return entries.map((e) =>
      e.name === 'manifest.json'
        ? { ...e, data: manifestBytes }
        : e.name === 'manifest.sig'
          ? { ...e, data: utf8(JSON.stringify(sig)) }
          : e,
    );
  });
};

/** The files of a one-flow project as the app packs them. */
const helloFiles = async (payload: string): Promise<Record<string, Uint8Array>> =>
  (
    await collectSiteFiles(
      writeProject(cleanups.tempDir('fg-attack-pkg-'), [
        flow(
          'hello',
          [
            ['t', 'trigger.gateway-started'],
            ['pub', 'action.mqtt-publish', { topic: 'site/hello', payload: JSON.stringify(payload) }],
          ],
          [['t', 'pub']],
        ),
      ]),
      'home',
    )
  ).files;

describe('attacks on a site: the installed version, the pinned keys and the secrets stay untouched', () => {
  it('1. a status published by anyone never replaces the gateway key the app seals to', async () => {
    const site = await startSite();
    const { api, dataDir } = site.app;
    const paired = direct(await api.deploy.pair({ brokerUrl: site.brokerUrl, gatewayId: GW }));
    expect(site.gw.output()).toContain(paired.gatewayFingerprint);
    const pins = readFileSync(join(dataDir, 'gateway-keys.json'), 'utf8');
    const attacker = x25519.keygen();
    const attackerHex = toHex(attacker.publicKey);
    const stick = cleanups.tempDir('fg-attack-stick-');
    const sealedTo = (dir: string): SealedSecrets => {
      const file = readdirSync(dir).find((n) => n.endsWith('.fgpkg'))!;
      return JSON.parse(
        Buffer.from(readZip(readFileSync(join(dir, file))).get('secrets.sealed')!).toString(),
      ) as SealedSecrets;
    };

    // (a) An unsigned retained status naming the attacker's key: ignored; the package for the
    // stick is sealed to the real gateway, and only it opens it.
    site.probe.publish(
      `fieldgraph/v1/gw/${GW}/status`,
      JSON.stringify({ schemaVersion: 1, id: GW, state: 'online', publicKey: attackerHex }),
      { qos: 1, retain: true },
    );
    await nextJson(site.probe, `fieldgraph/v1/gw/${GW}/status`, (s) => s.publicKey === attackerHex);
    const listed = direct(await api.deploy.gateways({ brokerUrl: site.brokerUrl }));
    expect(listed.find((g) => g.id === GW)?.identity).toEqual({ state: 'unsigned' });
    const project = writeSiteProject('one');
    const toStick = direct(
      await api.deploy.run({
        projectDir: project,
        site: 'home',
        targets: [{ kind: 'usb', dir: stick, packageFor: { kind: 'gateway', id: GW } }],
      }),
    );
    expect(toStick.ok, JSON.stringify(toStick)).toBe(true);
    const sealed = sealedTo(stick);
    const manifest = JSON.parse(
      Buffer.from(
        readZip(
          readFileSync(
            join(
              stick,
              readdirSync(stick).find((n) => n.endsWith('.fgpkg'))!,
            ),
          ),
        ).get('manifest.json')!,
      ).toString(),
    ) as { packageId: string; version: number };
    expect(openSecrets(sealed, gatewaySealingSecret(site), manifest)).toEqual({ [WIFI_REF]: WIFI });
    expect(() => openSecrets(sealed, attacker.secretKey, manifest)).toThrow();
    expect(readFileSync(join(dataDir, 'gateway-keys.json'), 'utf8')).toBe(pins);

    // (b) A status signed by another identity: shown with both fingerprints, nothing sealed.
    const impostor = testKey(66);
    site.probe.publish(
      `fieldgraph/v1/gw/${GW}/status`,
      JSON.stringify(
        signStatus({ schemaVersion: 1, id: GW, state: 'online', publicKey: attackerHex }, impostor),
      ),
      { qos: 1, retain: true },
    );
    await nextJson(
      site.probe,
      `fieldgraph/v1/gw/${GW}/status`,
      (s) => typeof s.signature === 'string' && s.publicKey === attackerHex,
    );
    const changed = direct(await api.deploy.gateways({ brokerUrl: site.brokerUrl })).find(
      (g) => g.id === GW,
    )!;
    expect(changed.identity).toMatchObject({ state: 'changed', pinned: paired.gatewayFingerprint });
    expect(changed.identity!.fingerprint).not.toBe(paired.gatewayFingerprint);
    const refused = direct(
      await api.deploy.run({
        projectDir: project,
        site: 'home',
        targets: [{ kind: 'mqtt-gateway', brokerUrl: site.brokerUrl, gatewayId: GW }],
      }),
    );
    expect(refused.results[0]).toMatchObject({ ok: false, code: 'gateway.identity_changed' });
    expect(refused.results[0]!.message).toContain(paired.gatewayFingerprint);
    expect(refused.results[0]!.message).toContain(changed.identity!.fingerprint);
    expect(readFileSync(join(dataDir, 'gateway-keys.json'), 'utf8')).toBe(pins);
    expect((await installed(site)).committed).toBe(null);
    expect(readFileSync(join(dataDir, 'gateway-keys.json'), 'utf8')).not.toContain(WIFI);
  });

  it('2. an HTTP target takes its bearer token only from gateway/<id>/http-token', async () => {
    const site = await startSite();
    const seen: string[] = [];
    const catcher = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.end('{}');
    });
    await new Promise<void>((r) => catcher.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => catcher.close(() => r())));
    const url = `http://127.0.0.1:${(catcher.address() as { port: number }).port}`;
    const record = direct(
      await site.app.api.deploy.run({
        projectDir: writeProject(cleanups.tempDir('fg-attack-plain-'), [
          flow('hello', [['t', 'trigger.gateway-started']], []),
        ]),
        site: 'home',
        targets: [{ kind: 'http-gateway', url, gatewayId: GW, tokenRef: WIFI_REF }],
      }),
    );
    expect(record.results[0]).toMatchObject({ ok: false, code: 'deploy.invalid_target' });
    expect(record.results[0]!.message).toContain(`gateway/${GW}/http-token`);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([]);
    expect(JSON.stringify(record)).not.toContain(WIFI);
  });

  it('3. state-changing and site-data RPCs need a fresh signature by a trusted key', async () => {
    const site = await startSite();
    direct(await site.app.api.deploy.pair({ brokerUrl: site.brokerUrl, gatewayId: GW }));
    expect((await deployOverMqtt(site, writeSiteProject('v-a'))).ok).toBe(true);
    expect((await deployOverMqtt(site, writeSiteProject('v-b'))).ok).toBe(true);
    const before = await installed(site);
    expect(before.previous.length).toBe(1);

    // Anyone on the broker, the way mosquitto_pub would send it.
    for (const method of ['rollback', 'run', 'traces', 'trace', 'rotateKey', 'unpair', 'live'])
      expect((await rpc(site.probe, GW, method, {}, null)).error?.code, method).toMatch(
        /^gateway\.rpc_(unsigned|bad_request)$/,
      );
    expect(await rpc(site.probe, GW, 'rollback', {}, null)).toMatchObject({
      ok: false,
      error: { code: 'gateway.rpc_unsigned' },
    });
    expect(await rpc(site.probe, GW, 'run', { flowId: 'hello' }, null)).toMatchObject({
      ok: false,
      error: { code: 'gateway.rpc_unsigned' },
    });
    expect(await rpc(site.probe, GW, 'rollback', {}, testKey(77))).toMatchObject({
      ok: false,
      error: { code: 'gateway.rpc_untrusted_key' },
    });

    // Hand-made signed requests: stale, replayed, altered, meant for another gateway.
    const send = async (body: unknown, method = 'rollback') => {
      const id = randomBytes(4).toString('hex');
      const reply = nextJson<{ id: string; ok: boolean; error?: { code: string } }>(
        site.probe,
        `fieldgraph/v1/gw/${GW}/rpc/result`,
        (r) => r.id === id,
      );
      await new Promise((r) => setTimeout(r, 50));
      site.probe.publish(
        `fieldgraph/v1/gw/${GW}/rpc/${method}`,
        JSON.stringify({ id, ...(body as object) }),
        { qos: 1 },
      );
      return reply;
    };
    const auth = (at: Date, gatewayId = GW, args: Record<string, unknown> = {}) =>
      signRequest(installerKey, {
        gatewayId,
        method: 'rollback',
        args,
        nonce: randomBytes(16).toString('hex'),
        at: at.toISOString(),
      });
    expect(await send({ args: {}, auth: auth(new Date(Date.now() - 10 * 60_000)) })).toMatchObject({
      error: { code: 'gateway.rpc_stale' },
    });
    expect(await send({ args: {}, auth: auth(new Date(), 'other-gw') })).toMatchObject({
      error: { code: 'gateway.rpc_bad_signature' },
    });
    expect(await send({ args: { extra: 1 }, auth: auth(new Date()) })).toMatchObject({ ok: false });
    expect(await installed(site)).toEqual(before);

    const good = auth(new Date());
    expect(await send({ args: {}, auth: good })).toMatchObject({ ok: true });
    const after = await installed(site);
    expect(after.committed).toBe(before.previous[0]);
    expect(await send({ args: {}, auth: good })).toMatchObject({ error: { code: 'gateway.rpc_replayed' } });
    expect(await installed(site)).toEqual(after);
    // The highest version installed still guards against older packages.
    expect(after.highest).toBe(before.highest);
  });

  it('4. a FIFO in the watched folder never freezes the gateway', async () => {
    const site = await startSite();
    const refusals: string[] = [];
    site.probe.on('message', (topic, payload) => {
      if (topic === `fieldgraph/v1/gw/${GW}/deploy/result`) refusals.push(payload.toString());
    });
    await site.probe.subscribeAsync(`fieldgraph/v1/gw/${GW}/deploy/result`, { qos: 1 });
    execFileSync('mkfifo', [join(site.watchDir, 'stuck.fgpkg')]);
    mkdirSync(join(site.watchDir, 'dir.fgpkg'));
    await new Promise((r) => setTimeout(r, 3_000));
    const started = Date.now();
    const http = (await (
      await fetch(`http://127.0.0.1:${site.httpPort}/v1/status`, { signal: AbortSignal.timeout(3_000) })
    ).json()) as { ok: boolean };
    expect(http.ok).toBe(true);
    expect((await rpc(site.probe, GW, 'status')).ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
    await waitFor(
      () => refusals.some((r) => r.includes('stuck.fgpkg') && r.includes('not a regular file')),
      10_000,
      'the FIFO refused',
    );
    // The folder still installs a real package.
    writeFileSync(join(site.watchDir, 'real.fgpkg'), signedPackage(5, await helloFiles('usb')));
    await waitFor(async () => (await installed(site)).committed === 5, 15_000, 'the package from the folder');
  });

  it('5. uploads are refused on their headers: no token, or too large, costs the gateway no memory', async () => {
    const site = await startSite();
    const rss = async () =>
      (
        (await (await fetch(`http://127.0.0.1:${site.httpPort}/v1/status`)).json()) as {
          value: { rssMb: number };
        }
      ).value.rssMb;
    const before = await rss();
    const upload = (headers: Record<string, string>, declare: boolean, SIZE = 60 * 1024 * 1024) =>
      new Promise<number>((resolve) => {
        let sent = 0;
        const body = new Readable({
          read() {
            if (sent >= SIZE) return void this.push(null);
            sent += 1024 * 1024;
            this.push(Buffer.alloc(1024 * 1024));
          },
        });
        const req = request(
          {
            host: '127.0.0.1',
            port: site.httpPort,
            method: 'POST',
            path: '/v1/packages',
            headers: { ...headers, ...(declare ? { 'content-length': String(SIZE) } : {}) },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        // A connection dropped while the client still sends counts as refused too.
        req.on('error', () => resolve(-1));
        body.pipe(req);
      });
    const unauthenticated = await Promise.all(Array.from({ length: 6 }, (_, i) => upload({}, i % 2 === 0)));
    for (const status of unauthenticated) expect([401, -1]).toContain(status);
    expect(unauthenticated.filter((s) => s === 401).length).toBeGreaterThan(0);
    // With the token, a declared size past the one cap is refused before the body is read.
    expect(await upload({ authorization: `Bearer ${TOKEN}` }, true, 65 * 1024 * 1024)).toBe(413);
    const after = await rss();
    expect(after - before, `RSS ${before} → ${after} MB`).toBeLessThan(40);
    expect((await installed(site)).committed).toBe(null);

    // --http PORT without an address listens on loopback only.
    const table = readFileSync('/proc/net/tcp', 'utf8');
    const portHex = site.httpPort.toString(16).toUpperCase().padStart(4, '0');
    const listening = table.split('\n').filter((l) => l.includes(`:${portHex} 00000000:0000 0A`));
    expect(listening.length).toBe(1);
    expect(listening[0]).toContain(`0100007F:${portHex}`);
  });

  it('6. a manifest with an impossible date, an unsafe version, or a flow that does not load never commits', async () => {
    const site = await startSite();
    const target = mqttGatewayTarget({ url: site.brokerUrl }, GW);
    const first = await target.deliver(signedPackage(2, await helloFiles('two')), {
      timeoutMs: 20_000,
    });
    expect(first.gateways[0]).toMatchObject({ ok: true, step: 'committed', running: 2 });
    const before = await installed(site);

    const badDate = signedPackage(3, await helloFiles('three'), (m) => (m.expires = '2020-13-45T99:99:99Z'));
    expect((await target.deliver(badDate, { timeoutMs: 20_000 })).gateways[0]).toMatchObject({
      ok: false,
      step: 'rejected',
      code: 'package.invalid_manifest',
      running: 2,
    });
    const unsafe = signedPackage(4, await helloFiles('four'), (m) => (m.version = 2 ** 53 + 2));
    expect((await target.deliver(unsafe, { timeoutMs: 20_000 })).gateways[0]).toMatchObject({
      ok: false,
      step: 'rejected',
      code: 'package.invalid_manifest',
      running: 2,
    });
    const notJson = signedPackage(5, {
      ...(await helloFiles('five')),
      'flows/broken.json': utf8('{"id": "broken", nodes: ['),
    });
    expect((await target.deliver(notJson, { timeoutMs: 20_000 })).gateways[0]).toMatchObject({
      ok: false,
      step: 'rolled_back',
      code: 'install.health_check_failed',
      running: 2,
    });
    const now = await installed(site);
    expect(now.committed).toBe(2);
    expect(now.previous).toEqual(before.previous);
    expect(existsSync(join(site.gwData, 'install'))).toBe(true);
  });
});
