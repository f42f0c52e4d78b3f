/**
 * Far ends for the deploy-target contract suite: real gateways (installer + receivers on a
 * real mosquitto or HTTP endpoint), a TLS broker with client certificates, s3rver, a folder.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../shared/node/log';
import { connectMqtt, type MqttLink } from '../../../shared/node/mqtt/link';
import { startGatewayHttp, type GatewayHttp } from '../../../shared/node/gateway/http';
import {
  createInstaller,
  type InstallRuntime,
  type Installer,
} from '../../../shared/node/gateway/install/installer';
import { listenForPackages, publishReport } from '../../../shared/node/gateway/install/receivers';
import { freePort } from '../../helpers/mosquitto';
import { NOW, installerKey } from '../../helpers/packages';

/** A quiet logger for far ends. */
export const quietLog = () => createLogger('test', 'error');

/** An installer-only gateway listening on a broker and/or HTTP. */
export interface TestGateway {
  readonly id: string;
  readonly installer: Installer;
  readonly link?: MqttLink;
  readonly http?: GatewayHttp;
  stop(): Promise<void>;
}

/** Starts a test gateway in its own temp folder. */
export const startTestGateway = async (options: {
  id: string;
  brokerUrl?: string;
  groups?: string[];
  http?: { token: string };
  runtime?: InstallRuntime;
  watchDir?: string;
  /** Trusted signing key (default: the test installer key). */
  trusted?: Uint8Array;
  now?: () => number;
  engineVersion?: string;
}): Promise<TestGateway> => {
  const root = mkdtempSync(join(tmpdir(), `fg-gw-${options.id}-`));
  const log = quietLog();
  const link = options.brokerUrl
    ? connectMqtt({
        url: options.brokerUrl,
        clientId: `test-gw-${options.id}-${process.pid}`,
        reconnectPeriodMs: 200,
      })
    : undefined;
  if (link) await link.ready(10_000);
  const http = options.http ? await startGatewayHttp('127.0.0.1', 0, log) : undefined;
  const installer = createInstaller({
    root: join(root, 'install'),
    gatewayId: options.id,
    groups: options.groups,
    engineVersion: options.engineVersion ?? '1.0.0',
    trust: () => ({ trusted: [options.trusted ?? installerKey.publicKey], revoked: [] }),
    now: options.now ?? (() => NOW),
    runtime: options.runtime,
    report: (report) => link && publishReport(link, report, log),
  });
  const stopReceivers = listenForPackages({
    installer,
    gatewayId: options.id,
    link,
    groups: options.groups,
    http,
    token: options.http?.token,
    watchDir: options.watchDir,
    watchIntervalMs: 100,
    log,
  });
  return {
    id: options.id,
    installer,
    link,
    http,
    async stop() {
      stopReceivers();
      await link?.end(true);
      await http?.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
};

/** CA, server and client certificates made with openssl, as PEM text and file paths. */
export interface TlsFiles {
  readonly dir: string;
  readonly caPath: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly ca: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly otherCert: string;
  readonly otherKey: string;
}

/** Makes a throwaway CA with a 127.0.0.1 server certificate and two client certificates (one from a foreign CA). */
export const makeTls = (): TlsFiles => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) => {
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    );
  };
  const leaf = (name: string, caName: string, ext?: string) => {
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    const extArgs: string[] = [];
    if (ext) {
      writeFileSync(join(dir, `${name}.ext`), ext);
      extArgs.push('-extfile', `${name}.ext`);
    }
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${caName}.crt`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.crt`,
      ...extArgs,
    );
  };
  ca('ca');
  ca('foreign');
  leaf('server', 'ca', 'subjectAltName=IP:127.0.0.1\n');
  leaf('client', 'ca');
  leaf('other', 'foreign');
  // mosquitto started as root drops to its own user, which must be able to read these throwaway files.
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caPath: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    ca: read('ca.crt'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    otherCert: read('other.crt'),
    otherKey: read('other.key'),
  };
};

/** A mosquitto config block for a TLS listener that requires client certificates. */
export const tlsListener = async (tls: TlsFiles): Promise<{ port: number; lines: string[] }> => {
  const port = await freePort();
  return {
    port,
    lines: [
      `listener ${port} 127.0.0.1`,
      `cafile ${tls.caPath}`,
      `certfile ${tls.serverCert}`,
      `keyfile ${tls.serverKey}`,
      'require_certificate true',
      'use_identity_as_username true',
    ],
  };
};
