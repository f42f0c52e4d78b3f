import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FieldgraphServices } from '../../core/api';
import type { GatewayRow, GatewaysState } from '../../core/api/areas/gateways';
import { FieldgraphError } from '../../core/errors';
import { GatewayStatus, statusSignatureHolds, summarizeGateway } from '../../core/gateway';
import { parseJsonWithin } from '../../core/json/bounded';
import type { DiscoveredDevice } from '../../core/registry/types';
import { mdnsGatewaysOf, mergeGateways, type HttpGateway } from '../deploy/gateways';
import { fetchGatewayStatus, gatewayHttpBase } from '../deploy/http';
import { brokerFromStore } from '../deploy/broker';
import { redactUrl } from '../redact';
import { connectMqtt, type MqttLink } from '../mqtt/link';
import { sharedSecretStore } from '../secrets';
import type { WithDispose, ServiceContext } from './context';

type Row = Static<typeof GatewayRow>;
type State = Static<typeof GatewaysState>;

const STATUS_FILTER = 'fieldgraph/v1/gw/+/status';
const MAX_STATUS_BYTES = 1024 * 1024;
const EMIT_MS = 300;

interface Heard {
  readonly status: GatewayStatus;
  readonly signed: boolean;
  readonly at: number;
}

/** One row from what each source says; the gateway's own status (HTTP, then MQTT) wins over mDNS. */
export const gatewayRows = (input: {
  readonly mdns: ReturnType<typeof mdnsGatewaysOf>;
  readonly mqtt: ReadonlyMap<string, Heard>;
  readonly http: readonly (HttpGateway & { at: number })[];
  readonly brokerUrl: string | null;
}): Row[] =>
  mergeGateways({
    mdns: input.mdns,
    mqtt: [...input.mqtt.values()].map((h) => h.status),
    http: input.http,
    ...(input.brokerUrl ? { brokerUrl: input.brokerUrl } : {}),
  }).map((listed) => {
    const http = input.http.find((h) => h.status.id === listed.id);
    const heard = input.mqtt.get(listed.id);
    const own = http
      ? { status: http.status, signed: statusSignatureHolds(http.status), at: http.at }
      : heard;
    const mdns = input.mdns.find((g) => g.id === listed.id);
    const summary = own ? summarizeGateway(own.status) : null;
    const online = own ? own.status.state === 'online' : (mdns?.online ?? null);
    return {
      id: listed.id,
      foundBy: listed.foundBy,
      online,
      ...(own?.status.reason && !online ? { reason: own.status.reason } : {}),
      engine: summary?.engine ?? mdns?.version ?? null,
      package: summary?.package ?? null,
      flows: online ? [...(own?.status.flows ?? [])] : [],
      flowsFailed: online ? [...(own?.status.flowsFailed ?? [])] : [],
      devices: online
        ? { online: 0, offline: 0, unknown: 0, ...own?.status.devices }
        : { online: 0, offline: 0, unknown: 0 },
      lastDeploy: summary?.lastDeploy ?? null,
      ...(own?.status.startedAt ? { startedAt: own.status.startedAt } : {}),
      addresses: listed.addresses,
      ...(listed.httpUrl ? { httpUrl: listed.httpUrl } : {}),
      brokerUrl: heard && input.brokerUrl ? redactUrl(input.brokerUrl) : null,
      signed: own?.signed ?? false,
      updatedAt: own?.at ?? 0,
    };
  });

/**
 * The `gateways` area: the Gateways view's list — gateways announcing over mDNS (the app's
 * discovery registry), those with a retained status on the site broker, and HTTP addresses typed
 * in — kept live by following `fieldgraph/v1/gw/+/status` on one connection while the view
 * watches. Statuses are checked against the protocol schema and their signatures before use.
 */
export const createGatewaysService = (
  ctx: ServiceContext,
  deps: { readonly devices: () => DiscoveredDevice[]; readonly brokers: () => string[] },
): WithDispose<FieldgraphServices['gateways']> => {
  const log = ctx.log.child('gateways');
  let watching: {
    readonly url: string | null;
    readonly link: MqttLink | null;
    readonly heard: Map<string, Heard>;
    http: (HttpGateway & { at: number })[];
    problems: string[];
    timer: NodeJS.Timeout | null;
  } | null = null;

  const state = (): State => {
    if (!watching) return { brokerUrl: null, gateways: [], problems: [] };
    return {
      brokerUrl: watching.url ? redactUrl(watching.url) : null,
      gateways: gatewayRows({
        mdns: mdnsGatewaysOf(deps.devices()),
        mqtt: watching.heard,
        http: watching.http,
        brokerUrl: watching.url,
      }),
      problems: [...watching.problems],
    };
  };
  const emitSoon = () => {
    if (!watching || watching.timer) return;
    const current = watching;
    current.timer = setTimeout(() => {
      current.timer = null;
      if (watching === current) ctx.hub.emit('onGateways', state());
    }, EMIT_MS);
  };
  // Gateways announcing or leaving over mDNS change the list too.
  ctx.hub.subscribe((event) => {
    if (event === 'onDevice' && watching) emitSoon();
  });

  const stop = async (): Promise<boolean> => {
    const current = watching;
    watching = null;
    if (!current) return false;
    if (current.timer) clearTimeout(current.timer);
    await current.link?.end(true);
    return true;
  };

  return {
    async dispose() {
      await stop();
    },
    async watch({ brokerUrl, httpUrls }) {
      await stop();
      const url = brokerUrl ?? deps.brokers()[0] ?? null;
      const heard = new Map<string, Heard>();
      let link: MqttLink | null = null;
      if (url) {
        // On a TLS broker, the client certificate stored for it (as every deploy conversation does).
        const broker = await brokerFromStore(
          ctx.secrets ?? sharedSecretStore(join(ctx.dataDir, 'secrets.json')),
          url,
        );
        link = connectMqtt({
          url: broker.brokerUrl,
          ...(broker.username ? { username: broker.username } : {}),
          ...(broker.password ? { password: broker.password } : {}),
          ...(broker.tls ? { tls: broker.tls } : {}),
          clientId: `fieldgraph-gateways-${randomBytes(4).toString('hex')}`,
          protocolVersion: 4,
          connectTimeoutMs: 5000,
        });
        try {
          await link.ready(5000);
        } catch (error) {
          await link.end(true);
          throw new FieldgraphError(
            'deploy.unreachable',
            `Cannot reach the site broker at ${redactUrl(url)} (${(error as Error).message}). Check the address and that the broker runs.`,
          );
        }
      }
      const problems: string[] = [];
      const http = (
        await Promise.all(
          [...new Set((httpUrls ?? []).map(gatewayHttpBase))].map(async (base) => {
            try {
              return { url: base, status: await fetchGatewayStatus(base), at: Date.now() };
            } catch (error) {
              problems.push(error instanceof Error ? error.message : String(error));
              return null;
            }
          }),
        )
      ).filter((h): h is HttpGateway & { at: number } => h !== null);
      const current = { url, link, heard, http, problems, timer: null };
      watching = current;
      link?.subscribe(STATUS_FILTER, (topic, payload) => {
        const id = topic.split('/')[3] ?? '';
        // An empty retained message removes the gateway's status from the broker.
        if (payload.length === 0) {
          heard.delete(id);
          emitSoon();
          return;
        }
        if (payload.length > MAX_STATUS_BYTES) return;
        const parsed = parseJsonWithin(payload.toString('utf8'), { maxLength: MAX_STATUS_BYTES });
        if (!parsed.ok || !Value.Check(GatewayStatus, parsed.value) || parsed.value.id !== id) {
          log.warn('a gateway status that does not follow the protocol was ignored', { topic });
          return;
        }
        heard.set(id, { status: parsed.value, signed: statusSignatureHolds(parsed.value), at: Date.now() });
        emitSoon();
      });
      // Retained statuses arrive right after subscribing: answer with them, not with an empty list.
      if (link) await new Promise((resolve) => setTimeout(resolve, 400));
      return state();
    },
    async unwatch() {
      return { stopped: await stop() };
    },
  };
};
