/**
 * One contract suite for every deploy target: the package arrives intact, progress is
 * reported, and an unreachable target fails with deploy.unreachable — plus what only
 * gateway targets do (install, refuse with the gateway's reason code).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPackage } from '../../../shared/core/package/verify';
import { httpGatewayTarget } from '../../../shared/node/deploy/http';
import { mqttGatewayTarget, mqttGroupTarget } from '../../../shared/node/deploy/mqtt';
import { s3Target } from '../../../shared/node/deploy/s3';
import type { PackageTarget } from '../../../shared/core/package/manifest';
import type { DeployProgress, DeployTarget } from '../../../shared/node/deploy/target';
import { usbTarget } from '../../../shared/node/deploy/usb';
import { freePort, startMosquitto, type Mosquitto } from '../../helpers/mosquitto';
import { NOW, installerKey, makePackage, testKey } from '../../helpers/packages';
import { makeTls, startTestGateway, tlsListener, type TestGateway, type TlsFiles } from './harness';

interface Harness {
  readonly name: string;
  /** A target that reaches the far end. */
  target(): Promise<DeployTarget>;
  /** A target whose far end is not there. */
  unreachable(): Promise<DeployTarget>;
  /** True when the far end now holds exactly these bytes (or installed them). */
  holds(bytes: Uint8Array, version: number): Promise<boolean>;
  /** Gateways install and can refuse. */
  readonly installs: boolean;
}

let broker: Mosquitto;
let tls: TlsFiles;
let tlsPort: number;
const gateways: TestGateway[] = [];
const dirs: string[] = [];
let s3: S3rver;
let s3Client: S3Client;
const TOKEN = 'deploy-token-for-tests';

const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  tls = makeTls();
  const listener = await tlsListener(tls);
  tlsPort = listener.port;
  broker = await startMosquitto(listener.lines);
  const s3Port = await freePort();
  s3 = new S3rver({
    port: s3Port,
    address: '127.0.0.1',
    silent: true,
    directory: temp('fg-s3-'),
    configureBuckets: [{ name: 'packages', configs: [] }],
  });
  await s3.run();
  s3Client = new S3Client({
    endpoint: `http://127.0.0.1:${s3Port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});

afterAll(async () => {
  for (const g of gateways.splice(0)) await g.stop();
  await broker?.stop();
  await s3?.close();
  s3Client?.destroy();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (tls) rmSync(tls.dir, { recursive: true, force: true });
});

const gatewayHolds = (gw: () => TestGateway) => async (_bytes: Uint8Array, version: number) =>
  gw().installer.state().committed === version && gw().installer.store.reverify(version).length === 0;

let counter = 0;
const nextId = () => `gw-c${++counter}`;
/** Whom the next package is addressed to (set by the harness that makes the target). */
let addressee: PackageTarget = { kind: 'gateway', id: 'gw-1' };
const pkg = (overrides: Parameters<typeof makePackage>[0] = {}) =>
  makePackage({ target: addressee, ...overrides });

const harnesses: Harness[] = (() => {
  let mqttGw: TestGateway;
  let groupGw: TestGateway;
  let tlsGw: TestGateway;
  let httpGw: TestGateway;
  let usbDir: string;
  let key = '';
  return [
    {
      name: 'gateway over MQTT',
      installs: true,
      async target() {
        mqttGw = await startTestGateway({ id: nextId(), brokerUrl: broker.url });
        gateways.push(mqttGw);
        addressee = { kind: 'gateway', id: mqttGw.id };
        return mqttGatewayTarget({ url: broker.url }, mqttGw.id);
      },
      unreachable: async () =>
        mqttGatewayTarget({ url: `mqtt://127.0.0.1:${await freePort()}`, connectTimeoutMs: 1500 }, 'gw-x'),
      holds: gatewayHolds(() => mqttGw),
    },
    {
      name: 'fleet group over MQTT',
      installs: true,
      async target() {
        groupGw = await startTestGateway({ id: nextId(), brokerUrl: broker.url, groups: [`g${counter}`] });
        gateways.push(groupGw);
        addressee = { kind: 'group', id: `g${counter}` };
        return mqttGroupTarget({ url: broker.url }, `g${counter}`, [groupGw.id]);
      },
      unreachable: async () =>
        mqttGroupTarget({ url: `mqtt://127.0.0.1:${await freePort()}`, connectTimeoutMs: 1500 }, 'g', 1),
      holds: gatewayHolds(() => groupGw),
    },
    {
      name: 'cloud broker over TLS with a client certificate',
      installs: true,
      async target() {
        tlsGw = await startTestGateway({ id: nextId(), brokerUrl: broker.url });
        gateways.push(tlsGw);
        addressee = { kind: 'gateway', id: tlsGw.id };
        return mqttGatewayTarget(
          {
            url: `mqtts://127.0.0.1:${tlsPort}`,
            tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey },
          },
          tlsGw.id,
        );
      },
      // A certificate from a CA the broker does not know: the TLS handshake fails.
      unreachable: async () =>
        mqttGatewayTarget(
          {
            url: `mqtts://127.0.0.1:${tlsPort}`,
            connectTimeoutMs: 1500,
            tls: { ca: tls.ca, cert: tls.otherCert, key: tls.otherKey },
          },
          'gw-x',
        ),
      holds: gatewayHolds(() => tlsGw),
    },
    {
      name: 'gateway over HTTP',
      installs: true,
      async target() {
        httpGw = await startTestGateway({ id: nextId(), http: { token: TOKEN } });
        gateways.push(httpGw);
        addressee = { kind: 'gateway', id: httpGw.id };
        return httpGatewayTarget(`http://127.0.0.1:${httpGw.http!.port}`, TOKEN, httpGw.id);
      },
      unreachable: async () => httpGatewayTarget(`http://127.0.0.1:${await freePort()}`, TOKEN),
      holds: gatewayHolds(() => httpGw),
    },
    {
      name: 'USB folder',
      installs: false,
      async target() {
        usbDir = join(temp('fg-usb-'), 'stick');
        return usbTarget(usbDir);
      },
      unreachable: async () => {
        const file = join(temp('fg-usb-'), 'not-a-dir');
        writeFileSync(file, 'x');
        return usbTarget(join(file, 'stick'));
      },
      async holds(bytes, version) {
        const copy = readFileSync(join(usbDir, `site-plant-v${version}.fgpkg`));
        verifyPackage(copy, { trusted: [installerKey.publicKey], now: NOW });
        return (
          Buffer.compare(copy, Buffer.from(bytes)) === 0 &&
          readFileSync(join(usbDir, 'README.txt'), 'utf8').includes(`Version:  ${version}`)
        );
      },
    },
    {
      name: 'S3-compatible storage via a presigned PUT URL',
      installs: false,
      async target() {
        key = `site-plant/${nextId()}.fgpkg`;
        return s3Target(
          await getSignedUrl(s3Client, new PutObjectCommand({ Bucket: 'packages', Key: key }), {
            expiresIn: 300,
          }),
        );
      },
      unreachable: async () =>
        s3Target(`http://127.0.0.1:${await freePort()}/packages/x.fgpkg?X-Amz-Signature=abc`),
      async holds(bytes) {
        const object = await s3Client.send(new GetObjectCommand({ Bucket: 'packages', Key: key }));
        const got = await object.Body!.transformToByteArray();
        const hash = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
        return hash(got) === hash(bytes);
      },
    },
  ];
})();

describe.each(harnesses)('deploy target contract: $name', (harness) => {
  it('delivers the package intact and reports progress', async () => {
    const target = await harness.target();
    const bytes = pkg({ version: 2 });
    const steps: DeployProgress[] = [];
    const outcome = await target.deliver(bytes, { onProgress: (p) => steps.push(p), timeoutMs: 15_000 });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true });
    expect(outcome.target).toBe(target.label);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((s) => s.target === target.label)).toBe(true);
    expect(await harness.holds(bytes, 2)).toBe(true);
    if (harness.installs) {
      expect(outcome.gateways).toHaveLength(1);
      expect(outcome.gateways[0]).toMatchObject({ ok: true, step: 'committed', version: 2, running: 2 });
    }
  });

  it('fails with deploy.unreachable when the far end is not there', async () => {
    const target = await harness.unreachable();
    await expect(target.deliver(pkg({ version: 2 }), { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: 'deploy.unreachable',
    });
  });

  it.runIf(harness.installs)('reports the gateway refusing a package, with the reason code', async () => {
    const target = await harness.target();
    const outcome = await target.deliver(pkg({ version: 3, signingKey: testKey(9) }), { timeoutMs: 15_000 });
    expect(outcome.ok).toBe(false);
    expect(outcome.gateways[0]).toMatchObject({
      ok: false,
      step: 'rejected',
      code: 'package.untrusted_key',
      running: null,
    });
  });
});

describe('labels never carry credentials', () => {
  it('redacts passwords and presigned query strings', () => {
    expect(mqttGatewayTarget({ url: 'mqtt://user:secret@127.0.0.1:1883' }, 'gw').label).not.toContain(
      'secret',
    );
    expect(s3Target('http://127.0.0.1:9/b/k?X-Amz-Signature=deadbeef').label).not.toContain('deadbeef');
  });
});
