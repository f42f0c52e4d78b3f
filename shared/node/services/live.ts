import { Value } from '@sinclair/typebox/value';
import type { Static } from '@sinclair/typebox';
import type { FieldgraphServices } from '../../core/api';
import type { LiveGateway, TracePage, TryItState } from '../../core/api/areas/live';
import { LiveBatch } from '../../core/engine/live';
import { StoredRun, type TraceQuery } from '../../core/engine/trace-query';
import { FieldgraphError } from '../../core/errors';
import { encodeKey, generateSigningKey, type SigningKeyPair } from '../../core/package/keys';
import { openGatewayPinBook } from '../deploy/pins';
import { ensureInstallerKey } from '../keys/installer-key';
import { useNodePackageCrypto } from '../keys/node-crypto';
import { openBrokerClient, type BrokerClient } from '../live/client';
import { callGatewayHttp } from '../live/http-rpc';
import type { GatewayAnswer, GatewayArgs, GatewayMethodName } from '../../core/gateway';
import { sharedSecretStore, type SecretStore } from '../secrets';
import { startTryItProcess, type GatewayCommand, type TryItProcess } from '../live/try-it';
import type { WithDispose, ServiceContext } from './context';
import { join } from 'node:path';

type State = Static<typeof TryItState>;
type Gateway = Static<typeof LiveGateway>;

/** How often a gateway watched over HTTP is asked for its new live batches (ms). */
export const HTTP_POLL_MS = 500;
/** The lease each poll renews: the stream stops soon after the app stops asking. */
const HTTP_LEASE_SECONDS = 5;

/** Characters of a node's value the UI gets: it shows a short preview, so the rest is not sent. */
const UI_VALUE_CHARS = 200;

/** A value cut to what the UI shows, in the live stream's own `$cut` form. */
const forUi = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') {
    if (typeof value !== 'string' || value.length <= UI_VALUE_CHARS) return value;
    return { $cut: `${JSON.stringify(value).slice(0, UI_VALUE_CHARS - 1)}…`, chars: value.length + 2 };
  }
  const cut = (value as { $cut?: unknown; chars?: unknown }).$cut;
  const json = typeof cut === 'string' ? cut : JSON.stringify(value);
  if (json.length <= UI_VALUE_CHARS) return value;
  const chars = (value as { chars?: unknown }).chars;
  return {
    $cut: `${json.slice(0, UI_VALUE_CHARS - 1)}…`,
    chars: typeof chars === 'number' ? chars : json.length,
  };
};

/** A batch as the UI gets it: the same, with node values cut to what a preview shows. */
const batchForUi = (batch: LiveBatch): LiveBatch => ({
  ...batch,
  nodes: batch.nodes.map((n) => (n.value === undefined ? n : { ...n, value: forUi(n.value) })),
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Traces as the gateway sent them, kept when they are in the trace format. */
const pageOf = (value: unknown): Static<typeof TracePage> => {
  const body = isObject(value) ? value : {};
  const list = Array.isArray(body.traces) ? body.traces : [];
  const runs = list.filter((t): t is StoredRun => Value.Check(StoredRun, t));
  const counts: Record<string, Record<string, number>> = {};
  if (isObject(body.runs)) {
    for (const [flow, byOutcome] of Object.entries(body.runs)) {
      if (!isObject(byOutcome)) continue;
      counts[flow] = Object.fromEntries(
        Object.entries(byOutcome).filter((e): e is [string, number] => Number.isInteger(e[1])),
      );
    }
  }
  return { runs, counts, skipped: list.length - runs.length };
};

/**
 * The `live` area: try-it mode (the open design on a gateway runtime in a child process), the
 * live stream of any running gateway forwarded as `onLiveBatch`, manual runs, and traces. One
 * broker connection per broker URL serves every gateway on it.
 */
export const createLiveService = (
  ctx: ServiceContext,
  options: { readonly gatewayCommand?: GatewayCommand; readonly secrets?: SecretStore } = {},
): WithDispose<FieldgraphServices['live']> => {
  useNodePackageCrypto();
  const log = ctx.log.child('live');
  /** Broker connections by signing key and broker URL. */
  const clients = new Map<string, Promise<BrokerClient>>();
  const watches = new Map<string, () => void>();
  let tryIt: TryItProcess | null = null;
  let busy = false;
  let state: State = { state: 'stopped', flows: [] };
  // Try-it's gateway trusts a key that lives only in this process: trying a design needs no
  // installer key, no unlocked secret store and no pairing, and nothing else can sign for it.
  let tryItKey: SigningKeyPair | undefined;
  const tryItSigner = () => (tryItKey ??= generateSigningKey());
  // Deployed gateways trust the installer key (the same store the Deploy view uses), and answer
  // with the identity the app pinned when it paired with them.
  const secretStore = (): SecretStore =>
    options.secrets ?? ctx.secrets ?? sharedSecretStore(join(ctx.dataDir, 'secrets.json'));
  const pins = openGatewayPinBook(join(ctx.dataDir, 'gateway-keys.json'));

  const setState = (next: State): State => {
    state = next;
    ctx.hub.emit('onTryIt', next);
    return next;
  };

  const open = (
    key: string,
    brokerUrl: string,
    signer: () => Promise<SigningKeyPair>,
  ): Promise<BrokerClient> => {
    let client = clients.get(key);
    if (!client) {
      client = signer().then((signingKey) => openBrokerClient(brokerUrl, log, signingKey));
      clients.set(key, client);
      // A broker that could not be reached is tried afresh next time.
      client.catch(() => clients.delete(key));
    }
    return client;
  };

  /** The connection that speaks to `gatewayId`: try-it's own key for the try-it gateway, the installer key otherwise. */
  const clientFor = (brokerUrl: string, gatewayId?: string): Promise<BrokerClient> =>
    gatewayId !== undefined && gatewayId === tryIt?.gatewayId
      ? open(`try-it ${brokerUrl}`, brokerUrl, async () => tryItSigner())
      : open(`installer ${brokerUrl}`, brokerUrl, () => ensureInstallerKey(secretStore()));

  /** Who must have signed a gateway's replies, when the app paired with it. */
  const identityOf = (gatewayId: string): { identity?: string } => {
    const pinned = pins.get(gatewayId)?.identity;
    return pinned ? { identity: pinned } : {};
  };

  const emit = (batch: LiveBatch) => ctx.hub.emit('onLiveBatch', batchForUi(batch));

  /**
   * Follows a gateway reached over HTTP: one poll every HTTP_POLL_MS, each renewing the lease
   * and answering the batches since the last; the next poll waits for the answer, so a slow
   * gateway is never asked twice at once. A failed poll is tried again at the next tick.
   */
  const watchOverHttp = async (gateway: { httpUrl: string; gatewayId: string }) => {
    const { gatewayId } = gateway;
    const signingKey = await ensureInstallerKey(secretStore());
    const options = { signingKey, ...identityOf(gatewayId) };
    let since: number;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let failures = 0;
    const take = (answer: { batches?: unknown[]; next?: number }) => {
      for (const batch of answer.batches ?? [])
        if (Value.Check(LiveBatch, batch) && batch.gatewayId === gatewayId) emit(batch);
      if (answer.next !== undefined) since = answer.next;
    };
    // The first call is awaited: a gateway that refuses to stream (an untrusted key) says so now.
    // It opens the lease and says where the stream is: what ran before watching is not shown.
    const first = await callGatewayHttp(gateway, 'live', { seconds: HTTP_LEASE_SECONDS }, options);
    if (first.next === undefined)
      throw new FieldgraphError(
        'live.rejected',
        `Gateway ${gatewayId} cannot stream over HTTP (its version predates it): watch it over its broker.`,
      );
    since = first.next;
    const poll = async () => {
      try {
        take(await callGatewayHttp(gateway, 'live', { seconds: HTTP_LEASE_SECONDS, since }, options));
        failures = 0;
      } catch (error) {
        // Logged once per outage: a gateway restarting must not flood the log.
        if (failures++ === 0)
          log.warn('a live poll failed; trying again', { gatewayId, error: (error as Error).message });
      }
      if (!stopped) timer = setTimeout(() => void poll(), HTTP_POLL_MS).unref();
    };
    timer = setTimeout(() => void poll(), HTTP_POLL_MS).unref();
    watches.get(gatewayId)?.();
    watches.set(gatewayId, () => {
      stopped = true;
      clearTimeout(timer);
    });
  };

  const watch = async (brokerUrl: string, gatewayId: string) => {
    const client = await clientFor(brokerUrl, gatewayId);
    const { identity } = identityOf(gatewayId);
    // The first lease is awaited: a gateway that refuses to stream (an untrusted key) says so now.
    await client.call(gatewayId, 'live', { seconds: 5 }, identity ? { identity } : {});
    watches.get(gatewayId)?.();
    watches.set(gatewayId, client.watch(gatewayId, emit, identity));
  };

  const unwatch = (gatewayId: string): boolean => {
    const stop = watches.get(gatewayId);
    watches.delete(gatewayId);
    stop?.();
    return stop !== undefined;
  };

  const stopTry = async (): Promise<void> => {
    const running = tryIt;
    tryIt = null;
    if (!running) return;
    unwatch(running.gatewayId);
    await running.stop();
  };

  // The try-it child must not outlive the app, even one that ends without disposing its
  // services (an uncaught error): it is killed as the process exits.
  let killOnExit = false;
  const guardExit = () => {
    if (killOnExit) return;
    killOnExit = true;
    process.once('exit', () => void tryIt?.stop(0));
  };

  /** Calls a deployed gateway over its HTTP endpoint, signed with the installer key. */
  const overHttp = async <M extends GatewayMethodName>(
    gateway: { httpUrl: string; gatewayId: string },
    method: M,
    args: GatewayArgs<M>,
  ): Promise<GatewayAnswer<M>> =>
    callGatewayHttp(gateway, method, args, {
      signingKey: await ensureInstallerKey(secretStore()),
      ...identityOf(gateway.gatewayId),
    });

  const listTraces = async (gateway: Gateway, query: TraceQuery): Promise<Static<typeof TracePage>> => {
    if ('brokerUrl' in gateway) {
      const client = await clientFor(gateway.brokerUrl, gateway.gatewayId);
      return pageOf(await client.call(gateway.gatewayId, 'traces', query, identityOf(gateway.gatewayId)));
    }
    return pageOf(await overHttp(gateway, 'traces', query));
  };

  return {
    async dispose() {
      const running = tryIt;
      tryIt = null;
      for (const stop of watches.values()) stop();
      watches.clear();
      const closing = [...clients.values()].map((client) => client.then((c) => c.close()).catch(() => {}));
      clients.clear();
      await Promise.all([running?.stop(0), ...closing]);
    },
    async tryStart({ design, brokerUrl }) {
      if (busy)
        throw new FieldgraphError('live.busy', 'Try it is starting or stopping; wait for it to finish.');
      busy = true;
      try {
        await stopTry();
        setState({ state: 'starting', flows: [] });
        let proc: TryItProcess;
        try {
          // The broker first: an unreachable one is said at once, not after the gateway's own timeout.
          await open(`try-it ${brokerUrl}`, brokerUrl, async () => tryItSigner());
          proc = await startTryItProcess({
            documents: design,
            brokerUrl,
            trust: [encodeKey('ed25519', tryItSigner().publicKey)],
            workDir: ctx.dataDir,
            log,
            ...(options.gatewayCommand ? { command: options.gatewayCommand } : {}),
          });
        } catch (error) {
          setState({ state: 'failed', flows: [], message: (error as Error).message });
          throw error;
        }
        tryIt = proc;
        guardExit();
        void proc.exited.then(({ code, output }) => {
          if (tryIt !== proc) return;
          tryIt = null;
          unwatch(proc.gatewayId);
          const said = output.trim().split('\n').slice(-2).join(' ');
          setState({
            state: 'failed',
            flows: [],
            message: `The try-it gateway stopped by itself (exit ${code})${said ? `: ${said}` : ''}.`,
          });
        });
        let running: Array<{ id: string; name?: string }> = [];
        try {
          await watch(brokerUrl, proc.gatewayId);
          const status = (await (
            await clientFor(brokerUrl, proc.gatewayId)
          ).call(proc.gatewayId, 'status', {})) as { flows?: unknown };
          running = (Array.isArray(status?.flows) ? status.flows : [])
            .filter((f): f is { id: string; name?: unknown } => isObject(f) && typeof f.id === 'string')
            .map((f) => ({ id: f.id, ...(typeof f.name === 'string' ? { name: f.name } : {}) }));
        } catch (error) {
          await stopTry();
          setState({ state: 'failed', flows: [], message: (error as Error).message });
          throw error;
        }
        const ids = new Set(running.map((f) => f.id));
        const left = design.flows
          .map((f) => (isObject(f) ? f : {}))
          .filter((f) => typeof f.id === 'string' && !ids.has(f.id) && f.enabled !== false)
          .map((f) => String(f.name ?? f.id));
        return setState({
          state: 'running',
          gatewayId: proc.gatewayId,
          brokerUrl: proc.brokerUrl,
          flows: running,
          startedAt: Date.now(),
          ...(left.length
            ? {
                message: `${left.join(', ')} could not start: fix ${left.length === 1 ? 'its' : 'their'} problems (see Problems) and try again.`,
              }
            : {}),
        });
      } finally {
        busy = false;
      }
    },
    async tryStop() {
      if (busy)
        throw new FieldgraphError('live.busy', 'Try it is starting or stopping; wait for it to finish.');
      busy = true;
      try {
        await stopTry();
        return setState({ state: 'stopped', flows: [] });
      } finally {
        busy = false;
      }
    },
    tryState: () => state,
    async watch(gateway) {
      if ('brokerUrl' in gateway) await watch(gateway.brokerUrl, gateway.gatewayId);
      else await watchOverHttp(gateway);
      return { gatewayId: gateway.gatewayId };
    },
    unwatch: ({ gatewayId }) => {
      unwatch(gatewayId);
      return { watching: false };
    },
    async run({ gateway, flowId, nodeId, payload }) {
      const args = { flowId, ...(nodeId ? { nodeId } : {}), payload: payload ?? null };
      const value =
        'brokerUrl' in gateway
          ? await (
              await clientFor(gateway.brokerUrl, gateway.gatewayId)
            ).call(gateway.gatewayId, 'run', args, identityOf(gateway.gatewayId))
          : await overHttp(gateway, 'run', args);
      return { runId: typeof value?.runId === 'string' ? value.runId : null };
    },
    traces: ({ gateway, query }) => listTraces(gateway, { limit: 50, ...query }),
    async trace({ gateway, runId }) {
      const found: unknown =
        'brokerUrl' in gateway
          ? await (
              await clientFor(gateway.brokerUrl, gateway.gatewayId)
            ).call(gateway.gatewayId, 'trace', { runId }, identityOf(gateway.gatewayId))
          : await overHttp(gateway, 'trace', { runId });
      if (!Value.Check(StoredRun, found))
        throw new FieldgraphError(
          'live.rejected',
          `Gateway ${gateway.gatewayId} keeps no readable trace of run ${runId}; it may have been pushed out by newer runs.`,
        );
      return found;
    },
  };
};
