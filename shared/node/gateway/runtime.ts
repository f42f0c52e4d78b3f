import { join } from 'node:path';
import { FieldgraphError } from '../../core/errors';
import { httpHostFor, signStatus } from '../../core/gateway';
import { decodeKey, fingerprint } from '../../core/package/keys';
import { openTrustStore, type TrustStore } from '../keys/trust';
import { startEmbeddedBroker, type EmbeddedBroker } from '../broker/embedded';
import type { Logger } from '../log';
import { connectMqtt, type MqttLink } from '../mqtt/link';
import { appVersion } from '../paths';
import { announceGateway, type Announcement } from './announce';
import type { GatewayHttp } from './http';
import { loadGatewayIdentity, type GatewayIdentity } from './identity';
import { openOutbox } from './outbox';
import { openRunningSecrets, type RunningSecrets } from './secrets';
import { startRpcServer, type RpcServer } from './rpc';
import type { FlowIo, FlowRunner, FlowRunnerFactory, FlowSet } from './runner';
import { createOutputSender, type OutputSender } from './sender';
import { openStateStore, type StateStore } from './state';
import { GATEWAY_ID_PATTERN, gatewayTopics, type GatewayStatus } from './topics';
import { createLiveStream } from './live';
import { openTraceStore, registerTraceMethods, type TraceBudgets, type TraceStore } from './traces';

const withoutCredentials = (url: string): string => {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
};

// Shutdown must finish even when the broker is gone: a QoS 1 publish would wait for it forever.
const withTimeout = (promise: Promise<unknown>, ms: number): Promise<void> =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });

// Allows `rate` events per second with bursts of up to `rate`; cheap enough to ask per run.
const tokenBucket = (rate: number) => {
  let tokens = rate;
  let last = Date.now();
  return {
    take(): boolean {
      if (rate <= 0) return false;
      const now = Date.now();
      tokens = Math.min(rate, tokens + ((now - last) * rate) / 1000);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
};

/** How to start a gateway; the CLI builds this from `fieldgraph gateway …`. */
export interface GatewayOptions {
  readonly id: string;
  /** The site broker, or a port for the embedded one. */
  readonly broker:
    | {
        readonly url: string;
        readonly username?: string;
        readonly password?: string;
        /** For `mqtts://` and `wss://`: the CA to check the broker with, and this gateway's client certificate and key (PEM). */
        readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
      }
    | { readonly embeddedPort: number; readonly host?: string };
  /** Where the gateway keeps its key, outbox, traces, durable state and installed packages. */
  readonly dataDir: string;
  /** Installer public keys (`ed25519:<hex>` or hex) trusted to sign packages and RPC requests, on top of the trust list. */
  readonly trust?: readonly string[];
  /** Serve status, traces and package upload over HTTP. */
  readonly http?: { readonly host: string; readonly port: number };
  /** A folder watched for packages (USB stick); read by the package installer. */
  readonly watchDir?: string;
  /** Announce `_fieldgraph._tcp` on this IPv4 interface; no announcement without it. */
  readonly mdnsInterface?: string;
  readonly traceBudgets?: TraceBudgets;
  /** At most this many traces per second are published live on `…/traces` (default 20; 0 = none). */
  readonly liveTracesPerSecond?: number;
  readonly log: Logger;
  /** Turns a FlowSet into running flows. */
  readonly createRunner: FlowRunnerFactory;
}

/** A running gateway; `load` is the seam through which project folders and installed packages become running flows. */
export interface Gateway {
  readonly id: string;
  readonly options: GatewayOptions;
  /** Fingerprint of the X25519 sealing key. */
  readonly fingerprint: string;
  readonly publicKey: string;
  /** The Ed25519 identity (`ed25519:<hex>`) that signs the status and RPC replies, and its fingerprint. */
  readonly identity: string;
  readonly identityFingerprint: string;
  /** The installer keys this gateway trusts (trust.json in the data folder plus --trust). */
  readonly trust: TrustStore;
  readonly brokerUrl: string;
  /** Installed packages live here (owned by the package installer). */
  readonly installDir: string;
  readonly link: MqttLink;
  readonly rpc: RpcServer;
  readonly http?: GatewayHttp;
  readonly traces: TraceStore;
  readonly state: StateStore;
  readonly output: OutputSender;
  /** Stops what runs now (keeping its durable state) and starts `set` in its place. */
  load(set: FlowSet): Promise<void>;
  /** Opens the sealed secrets of an installed version with this gateway's key (kept in memory only). */
  openSecrets(versionDir: string): RunningSecrets;
  /** The status document as published (without its signature). */
  status(): Omit<GatewayStatus, 'signature' | 'identity'>;
  /** Publishes the retained status again (after a load, or when something in it changed). */
  publishStatus(): Promise<void>;
  /**
   * What the installer says about the installed package and the last install or rollback; the
   * status carries it from now on (published again by the caller or the next change).
   */
  noteInstall(info: Pick<GatewayStatus, 'package' | 'lastDeploy'>): void;
  /** Clean shutdown: flows stop, state and traces are written, status goes offline, broker closes. */
  stop(): Promise<void>;
}

/**
 * Starts a gateway: identity, broker (site or embedded), retained status with a Last Will, RPC,
 * HTTP, mDNS, outbox replay. It runs nothing until `load()` is called. Fails with
 * `broker.unreachable` when the site broker cannot be reached within `connectTimeoutMs`.
 */
export const startGateway = async (options: GatewayOptions, connectTimeoutMs = 15_000): Promise<Gateway> => {
  const { id, log } = options;
  if (!GATEWAY_ID_PATTERN.test(id)) {
    throw new FieldgraphError(
      'gateway.invalid_options',
      `The gateway id "${id}" cannot be used: use 1–64 letters, digits, "-" or "_", starting with a letter or digit.`,
    );
  }
  const identity: GatewayIdentity = loadGatewayIdentity(options.dataDir);
  const trust = openTrustStore(
    join(options.dataDir, 'trust.json'),
    (options.trust ?? []).map((hex) =>
      decodeKey('ed25519', hex.startsWith('ed25519:') ? hex : `ed25519:${hex}`),
    ),
  );
  const topics = gatewayTopics(id);
  const startedMs = Date.now();
  const startedAt = new Date(startedMs).toISOString();
  const signed = (status: Omit<GatewayStatus, 'signature' | 'identity'>): string =>
    JSON.stringify(signStatus(status, identity.signing));
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        log.warn('shutdown step failed', { error: String(error) });
      }
    }
  };

  try {
    let embedded: EmbeddedBroker | undefined;
    let brokerUrl: string;
    if ('embeddedPort' in options.broker) {
      embedded = await startEmbeddedBroker({ port: options.broker.embeddedPort, host: options.broker.host });
      const broker = embedded;
      cleanups.push(() => broker.close());
      brokerUrl = embedded.url;
      log.info('embedded broker listening', { url: brokerUrl });
    } else {
      // Credentials in the URL go to the client only; everything shown or logged is redacted.
      brokerUrl = withoutCredentials(options.broker.url);
    }

    const offline = signed({ schemaVersion: 1, id, state: 'offline', reason: 'connection lost', startedAt });
    const link = connectMqtt({
      url: 'url' in options.broker ? options.broker.url : brokerUrl,
      clientId: `fieldgraph-gw-${id}`,
      protocolVersion: 4,
      username: 'url' in options.broker ? options.broker.username : undefined,
      password: 'url' in options.broker ? options.broker.password : undefined,
      ...('url' in options.broker && options.broker.tls ? { tls: options.broker.tls } : {}),
      will: { topic: topics.status, payload: offline, qos: 1, retain: true },
      onHandlerError: (error, topic) =>
        log.error('a message handler failed; the gateway carries on', {
          topic,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    });
    cleanups.push(() => link.end(true));
    try {
      await link.ready(connectTimeoutMs);
    } catch (error) {
      throw new FieldgraphError(
        'broker.unreachable',
        `The gateway cannot reach the MQTT broker at ${brokerUrl} (${(error as Error).message}). Check --broker, or start the embedded broker with --embedded-broker PORT.`,
      );
    }
    log.info('connected to broker', { url: brokerUrl });

    const traces = openTraceStore(join(options.dataDir, 'traces'), options.traceBudgets);
    cleanups.push(() => traces.close());
    const state = openStateStore(join(options.dataDir, 'state'), 50, (error) =>
      log.warn('flow state could not be read or written', { error: String(error) }),
    );
    cleanups.push(() => state.flush());
    const outbox = openOutbox(join(options.dataDir, 'outbox'));
    cleanups.push(() => outbox.close());
    const output = createOutputSender(link, outbox, log.child('outbox'));
    if (outbox.pending().length) log.info('replaying the outbox', { pending: outbox.pending().length });

    let runner: FlowRunner | undefined;
    let source: GatewayStatus['source'] = { kind: 'none' };
    let installInfo: Pick<GatewayStatus, 'package' | 'lastDeploy'> = {};
    const rpc = startRpcServer(link, {
      gatewayId: id,
      identity: identity.signing,
      trusted: () => trust.policy().trusted.map(fingerprint),
      startedAt: startedMs,
      log: log.child('rpc'),
    });
    cleanups.push(() => rpc.close());

    let http: GatewayHttp | undefined;
    // Loaded only for --http: node:http, the endpoint and the flow endpoints stayed in the memory
    // of every gateway (with the package installer, ~2 MB of heap and 3 MB of mapped Node).
    const httpModule = options.http
      ? {
          ...(await import('./http')),
          ...(await import('./flow-endpoints')),
          ...(await import('./panel')),
        }
      : undefined;
    if (options.http && httpModule) {
      http = await httpModule.startGatewayHttp(options.http.host, options.http.port, log.child('http'));
      const server = http;
      cleanups.push(() => server.close());
      log.info('HTTP endpoint listening', { host: options.http.host, port: http.port });
    }

    const status = (): Omit<GatewayStatus, 'signature' | 'identity'> => ({
      schemaVersion: 1,
      id,
      state: 'online',
      version: appVersion,
      fingerprint: identity.fingerprint,
      publicKey: identity.publicKey,
      startedAt,
      source,
      flows: runner?.flows() ?? [],
      broker: embedded ? 'embedded' : 'site',
      ...(http && options.http ? { http: http.port, httpHost: options.http.host } : {}),
      engine: appVersion,
      flowsFailed: runner?.failed?.() ?? [],
      devices: runner?.devices?.() ?? { online: 0, offline: 0, unknown: 0 },
      ...installInfo,
    });
    const publishStatus = () => link.publish(topics.status, signed(status()), { qos: 1, retain: true });
    // After a broker restart the retained status may be gone: publish it on every reconnect.
    link.onConnect(() => void publishStatus().catch(() => {}));
    await publishStatus();
    // Devices going on- and offline change the status: checked every few seconds, published on a change.
    let devicesSaid = JSON.stringify(status().devices);
    const devicesWatch = setInterval(() => {
      const now = JSON.stringify(status().devices);
      if (now === devicesSaid || !link.connected()) return;
      devicesSaid = now;
      void publishStatus().catch(() => {});
    }, 2000);
    devicesWatch.unref();
    cleanups.push(() => clearInterval(devicesWatch));

    rpc.register('status', () => ({
      ...signStatus(status(), identity.signing),
      uptimeS: Math.round(process.uptime()),
      rssMb: Math.round(process.memoryUsage().rss / 1048576),
      outboxPending: output.pendingCount(),
      runs: traces.counts(),
      flowStats: runner?.stats?.() ?? {},
      inbound: runner?.inbound?.() ?? { queued: 0, peak: 0, dropped: 0 },
    }));
    rpc.register('run', (args) => {
      if (!runner?.runManual)
        throw new FieldgraphError('gateway.rpc_bad_request', 'No flows are running on this gateway.');
      try {
        return { runId: runner.runManual(args.flowId, args.payload ?? null, args.nodeId) ?? null };
      } catch (error) {
        throw new FieldgraphError('gateway.rpc_bad_request', (error as Error).message);
      }
    });
    registerTraceMethods(rpc, traces, () => runner);
    const live = createLiveStream(link, id, topics.live);
    cleanups.push(() => live.close());
    rpc.register('live', (args) => live.watch(args));
    if (http && httpModule) {
      const { RawBody, serveFlowEndpoints } = httpModule;
      http.route('GET', '/v1/status', () => rpc.call('status', {}));
      // Every RPC method over HTTP too, with the same envelope, checks and signed reply as over MQTT.
      http.route('POST', '/v1/rpc/*', async (_request, url, body) => {
        const reply = await rpc.handle(decodeURIComponent(url.pathname.slice('/v1/rpc/'.length)), body);
        return new RawBody(reply);
      });
      serveFlowEndpoints(http, () => runner?.http?.());
    }
    const panel = http && httpModule?.servePanel(http, () => runner?.panel?.(), log.child('panel'));
    if (panel) cleanups.push(() => panel.close());

    let announcement: Announcement | undefined;
    // The SRV port names the HTTP endpoint when the announced interface reaches it, else the
    // embedded broker. An endpoint on loopback (the default) is named only when there is nothing
    // else to name (an SRV record needs a port): the app asks GET /v1/status on an SRV port before
    // offering it, and from the site this one does not answer.
    const announcedPort = (): number => {
      if (!http || !options.http) return embedded?.port ?? 0;
      if (httpHostFor(options.http.host, options.mdnsInterface) === options.mdnsInterface) return http.port;
      log.warn('the HTTP endpoint does not listen on the announced interface, so the site cannot reach it', {
        host: options.http.host,
        fix: `give --http ${options.mdnsInterface}:${http.port} (or 0.0.0.0:${http.port}) to serve the site`,
      });
      return embedded?.port ?? http.port;
    };
    if (options.mdnsInterface) {
      announcement = await announceGateway(
        {
          interfaceAddress: options.mdnsInterface,
          gatewayId: id,
          version: appVersion,
          fingerprint: identity.fingerprint,
          port: announcedPort(),
        },
        log.child('mdns'),
      );
      const running = announcement;
      cleanups.push(() => running.stop());
      log.info('announcing _fieldgraph._tcp', { interface: options.mdnsInterface });
    }

    // Whole traces as they end, capped so a busy flow cannot turn tracing into a flood; the
    // trace store keeps what the cap skips (the batched live stream is the canvas' overview).
    const liveTraces = tokenBucket(options.liveTracesPerSecond ?? 20);
    const io: FlowIo = {
      publish: (topic, payload, publishOptions) =>
        output.send(topic, payload, publishOptions.qos, publishOptions.retain),
      subscribe: (filter, handler) => {
        const release = link.subscribe(filter, handler);
        return () => {
          if (handover) handover.push(release);
          else release();
        };
      },
      state,
      live,
      throttle: (busy) => link.throttle(busy),
      trace: (trace) => {
        traces.add(trace);
        if (live.watching) live.runEnded(trace as Parameters<typeof live.runEnded>[0]);
        if (trace.outcome !== 'finished')
          log.debug('flow run ended', { flowId: trace.flowId, outcome: trace.outcome });
        if (liveTraces.take()) output.send(topics.traces, JSON.stringify(trace), 0, false);
      },
      log: log.child('flows'),
      ...(panel ? { panel } : {}),
    };

    // While one version replaces another, the old one's subscriptions are released only after
    // the new one subscribed: the link counts handlers per filter, so a filter both versions
    // listen to never sees an UNSUBSCRIBE, and only filters the new version dropped do.
    let handover: Array<() => void> | undefined;
    let loading: Promise<void> = Promise.resolve();
    const load = (set: FlowSet): Promise<void> => {
      loading = loading.then(async () => {
        const released: Array<() => void> = [];
        handover = released;
        try {
          if (runner) await runner.stop();
          state.flush();
          runner = options.createRunner(set, io);
          // Before the start, so values the flows show as they start have their widgets.
          panel?.deploy(runner.panel?.()?.flows ?? []);
          source = set.source;
          await runner.start();
        } finally {
          handover = undefined;
          for (const release of released) release();
        }
        log.info('flows running', { count: runner.flows().length, source: set.source });
        if (!http && (runner.http?.() || runner.panel?.()))
          log.warn(
            `flows have ${runner.http?.() ? 'HTTP endpoints' : 'panel nodes'}, but this gateway serves no HTTP: start it with --http [HOST:]PORT`,
          );
        await publishStatus();
      });
      return loading;
    };
    cleanups.push(async () => {
      await loading.catch(() => {});
      if (runner) await runner.stop();
    });

    let stopped = false;
    return {
      id,
      options,
      fingerprint: identity.fingerprint,
      publicKey: identity.publicKey,
      identity: identity.identity,
      identityFingerprint: identity.identityFingerprint,
      trust,
      brokerUrl,
      installDir: join(options.dataDir, 'install'),
      link,
      rpc,
      http,
      traces,
      state,
      output,
      load,
      openSecrets: (versionDir) => openRunningSecrets(versionDir, identity.secretKey, log.child('secrets')),
      status,
      publishStatus,
      noteInstall(info) {
        installInfo = { ...installInfo, ...info };
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        // Give QoS 1 output a moment to be acknowledged; what is left is replayed on the next start.
        const flowsStopped = (async () => {
          await loading.catch(() => {});
          if (runner) await runner.stop();
          runner = undefined;
        })();
        await flowsStopped;
        await output.drain(2_000);
        if (link.connected()) {
          const goodbye = signed({
            schemaVersion: 1,
            id,
            state: 'offline',
            reason: 'shutdown',
            version: appVersion,
            fingerprint: identity.fingerprint,
            publicKey: identity.publicKey,
            startedAt,
          });
          await withTimeout(link.publish(topics.status, goodbye, { qos: 1, retain: true }), 2_000);
          // end(false) flushes in-flight packets and sends DISCONNECT, so the broker drops the Last Will.
          await withTimeout(link.end(false), 2_000);
        }
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
};
