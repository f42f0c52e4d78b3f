import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FieldgraphError } from '../../shared/core/errors';
import { encodeKey } from '../../shared/core/package/keys';
import { readPublicKey } from '../../shared/node/keys/files';
import { brokerTlsFromFiles } from '../../shared/node/deploy/broker';
import { createEngineRunner } from '../../shared/node/gateway/engine-runner';
import type { AttachedInstaller } from '../../shared/node/gateway/install/attach';
import { loadProjectFlowSet } from '../../shared/node/gateway/project';
import { startGateway, type Gateway, type GatewayOptions } from '../../shared/node/gateway/runtime';
import { createLogger } from '../../shared/node/log';
import { appVersion } from '../../shared/node/paths';
import { UsageError, type Command } from '../command';

const portArg = (flag: string, text: string): number => {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 0 || port > 65535) {
    throw new UsageError(`${flag} must be a port number from 0 to 65535, not ${JSON.stringify(text)}.`);
  }
  return port;
};

const brokerArg = (text: string): { url: string; username?: string; password?: string } => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--broker must be a URL like mqtt://192.168.1.10:1883, not ${JSON.stringify(text)}.`,
    );
  }
  if (!['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new UsageError(
      `--broker must start with mqtt://, mqtts://, ws:// or wss://, not ${url.protocol}//.`,
    );
  }
  // Credentials come from the URL or the environment; they never reach the logs.
  const username = decodeURIComponent(url.username) || process.env.FIELDGRAPH_BROKER_USERNAME || undefined;
  const password = decodeURIComponent(url.password) || process.env.FIELDGRAPH_BROKER_PASSWORD || undefined;
  url.username = '';
  url.password = '';
  return { url: url.toString().replace(/\/$/, ''), username, password };
};

/** `--http PORT` or `--http HOST:PORT`. */
const httpArg = (text: string): { host: string; port: number } => {
  const match = /^(?:(.+):)?(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--http must be PORT or HOST:PORT, not ${JSON.stringify(text)}.`);
  // Loopback unless an address is given: the endpoint takes packages, so exposing it is a choice.
  return { host: match[1] ?? '127.0.0.1', port: portArg('--http', match[2]) };
};

/** `fieldgraph gateway`: the site runtime. */
export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'Run flows on this machine as the site gateway',
  usage: `Usage: fieldgraph gateway --id ID (--broker mqtt://HOST:PORT | --embedded-broker PORT) --data DIR
                          [--project DIR] [--trust PUBKEY …] [--group NAME …] [--http [HOST:]PORT]
                          [--watch DIR] [--mdns-interface IP] [--pair MINUTES]
                          [--ca FILE] [--cert FILE --cert-key FILE]

Connects to the site's MQTT broker (or starts its own), publishes a retained status on
fieldgraph/v1/gw/<ID>/status with a Last Will, answers RPC on fieldgraph/v1/gw/<ID>/rpc/<method>
(status, traces, trace, run, installed, rollback), and runs flows: the installed package, which
signed packages replace over MQTT (…/deploy), the fleet group topic, HTTP or the watched folder —
or, for development, the project folder given with --project (then no package is installed).
Stops cleanly on SIGTERM or Ctrl+C.

  --id ID                  this gateway's id (letters, digits, - and _)
  --broker URL             the site broker; credentials in the URL or in FIELDGRAPH_BROKER_USERNAME /
                           FIELDGRAPH_BROKER_PASSWORD
  --ca FILE                for mqtts:// and wss://: the CA that signed the broker's certificate (PEM)
  --cert FILE              this gateway's client certificate (PEM), with its key in --cert-key FILE
  --embedded-broker PORT   start an MQTT 3.1.1 broker on PORT (all interfaces) for a site without one
  --data DIR               where the gateway keeps its key, outbox, traces, state and packages
  --project DIR            run the flows of this project folder instead of the installed package
  --trust PUBKEY           an installer key to trust: the signing.pub file \`keys generate\` wrote, or
                           "ed25519:<hex>" (repeatable)
  --group NAME             a fleet group whose packages this gateway installs (repeatable)
  --http [HOST:]PORT       serve /v1/status, /v1/traces and, with FIELDGRAPH_GATEWAY_TOKEN set,
                           POST /v1/packages over HTTP (default host 127.0.0.1; give 0.0.0.0:PORT
                           or the site address to serve the network); the flows' endpoints below
                           /flows and the panel page at /panel
  --watch DIR              a folder to watch for packages (USB stick)
  --mdns-interface IP      announce _fieldgraph._tcp on the interface with this IPv4 address only
  --pair MINUTES           open a pairing window: for that long, the app may enrol its installer key
                           over the broker (both sides show the fingerprint to compare)`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        id: { type: 'string' },
        broker: { type: 'string' },
        'embedded-broker': { type: 'string' },
        data: { type: 'string' },
        project: { type: 'string' },
        trust: { type: 'string', multiple: true },
        group: { type: 'string', multiple: true },
        http: { type: 'string' },
        watch: { type: 'string' },
        'mdns-interface': { type: 'string' },
        pair: { type: 'string' },
        ca: { type: 'string' },
        cert: { type: 'string' },
        'cert-key': { type: 'string' },
      },
      strict: true,
    });
    if (!values.id) throw new UsageError('Give the gateway an id with --id.');
    if (!values.data) throw new UsageError('Say where the gateway keeps its data with --data DIR.');
    if (Boolean(values.broker) === Boolean(values['embedded-broker'])) {
      throw new UsageError('Give exactly one of --broker URL (the site broker) or --embedded-broker PORT.');
    }
    const mdnsInterface = values['mdns-interface'];
    if (mdnsInterface !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(mdnsInterface)) {
      throw new UsageError(
        `--mdns-interface must be the IPv4 address of an interface, not ${JSON.stringify(mdnsInterface)}.`,
      );
    }
    const pairMinutes = values.pair === undefined ? undefined : Number(values.pair);
    if (
      pairMinutes !== undefined &&
      !(Number.isInteger(pairMinutes) && pairMinutes >= 1 && pairMinutes <= 60)
    ) {
      throw new UsageError(
        `--pair takes a number of minutes from 1 to 60, not ${JSON.stringify(values.pair)}.`,
      );
    }
    // The same forms `verify --trust` takes: the signing.pub file `keys generate` wrote, or the key itself.
    const trust = (values.trust ?? []).map((given) => {
      try {
        return encodeKey('ed25519', readPublicKey(given));
      } catch (error) {
        throw new UsageError(`--trust ${JSON.stringify(given)}: ${(error as Error).message}`);
      }
    });
    let tls: ReturnType<typeof brokerTlsFromFiles>;
    try {
      tls = brokerTlsFromFiles({
        ca: { flag: '--ca', path: values.ca },
        cert: { flag: '--cert', path: values.cert },
        key: { flag: '--cert-key', path: values['cert-key'] },
      });
    } catch (error) {
      if (error instanceof FieldgraphError) throw new UsageError(error.message);
      throw error;
    }
    if (tls && !values.broker)
      throw new UsageError('--ca, --cert and --cert-key are for the site broker given with --broker.');
    const log = createLogger(`gateway:${values.id}`);
    const id = values.id;
    const options: GatewayOptions = {
      id,
      broker: values.broker
        ? { ...brokerArg(values.broker), ...(tls ? { tls } : {}) }
        : { embeddedPort: portArg('--embedded-broker', values['embedded-broker'] ?? '') },
      dataDir: resolve(values.data),
      trust,
      ...(values.http ? { http: httpArg(values.http) } : {}),
      ...(values.watch ? { watchDir: resolve(values.watch) } : {}),
      ...(mdnsInterface ? { mdnsInterface } : {}),
      log,
      createRunner: (set, io) => createEngineRunner(set, io, id),
    };

    // A rejection nobody awaited (a library's stray promise) is logged, not fatal: the flows and
    // their pending delays keep running. Uncaught exceptions still end the process, so a
    // supervisor restarts it from its durable state.
    process.on('unhandledRejection', (reason) =>
      log.error('a promise was rejected and nobody handled it; the gateway carries on', {
        error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason),
      }),
    );
    let gateway: Gateway | undefined;
    let installer: AttachedInstaller | undefined;
    try {
      const flowSet = values.project ? await loadProjectFlowSet(values.project, log) : undefined;
      gateway = await startGateway(options);
      if (flowSet) {
        await gateway.load(flowSet);
      } else {
        // Only a gateway that runs packages loads the installer (verification, unzip, receivers).
        const { attachInstaller } = await import('../../shared/node/gateway/install/attach');
        installer = await attachInstaller(gateway, {
          engineVersion: appVersion,
          groups: values.group ?? [],
          token: process.env.FIELDGRAPH_GATEWAY_TOKEN || undefined,
          ...(pairMinutes ? { pairingUntil: Date.now() + pairMinutes * 60_000 } : {}),
          log: log.child('install'),
        });
      }
    } catch (error) {
      await gateway?.stop();
      if (error instanceof FieldgraphError) {
        console.error(error.message);
        return 1;
      }
      throw error;
    }
    if (pairMinutes && installer) {
      console.log(
        `Pairing is open for ${pairMinutes} min: the app may enrol its installer key now. Compare the gateway fingerprint it shows with this gateway's identity ${gateway.identityFingerprint}.`,
      );
    }
    console.log(
      `Gateway ${id} is online at ${gateway.brokerUrl} (identity ${gateway.identityFingerprint}, sealing key ${gateway.fingerprint}); ${gateway.status().flows?.length ?? 0} flows running. Stop with Ctrl+C or SIGTERM.`,
    );
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
    // A supervisor waits for the process to end. Once seen: a gateway that took SIGTERM and
    // never ended (not reproduced since). Whatever holds it — a stop step that never settles, a
    // library's socket or timer left open — it ends anyway, saying what was still open.
    const endAnyway = (ms: number, what: string, code: number) =>
      setTimeout(() => {
        const open = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap');
        console.error(
          `Gateway ${id} ${what} (still open: ${open.join(', ') || 'nothing'}); ending the process.`,
        );
        process.exit(code);
      }, ms).unref();
    endAnyway(20_000, 'did not finish stopping within 20 s', 1);
    installer?.close();
    await gateway.stop();
    console.log(`Gateway ${id} stopped.`);
    endAnyway(3_000, 'stopped, but something kept the process running', 0);
    return 0;
  },
};
