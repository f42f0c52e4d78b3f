/**
 * Delivery over MQTT: to one gateway (`fieldgraph/v1/gw/<id>/deploy`, answers on
 * `…/deploy/result`) or to a fleet group (retained `fieldgraph/v1/group/<group>/package`, every
 * gateway of the group answers on its own result topic). Works over TLS with client
 * certificates for cloud brokers. When the broker drops mid-delivery the loss is reported and
 * the package is sent again after the reconnect; the gateway answers a copy it already
 * installed with `unchanged`, so a retry never installs twice. It speaks through the gateway
 * protocol client (gateway-client.ts), the same MQTT link every other call to a gateway uses.
 */
import { Value } from '@sinclair/typebox/value';
import { FieldgraphError } from '../../core/errors';
import { InstallReport, gatewayTopics, groupPackageTopic } from '../../core/gateway';
import { parseJsonWithin } from '../../core/json/bounded';
import { openGatewayClient, type GatewayClient } from './gateway-client';
import {
  outcomeOf,
  peekManifest,
  progress,
  type DeployOutcome,
  type DeployTarget,
  type GatewayOutcome,
} from './target';
import { redactUrl } from '../redact';

/** Broker connection settings; TLS files are PEM text. */
export interface BrokerOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  /** How long to wait for the first connection (ms). */
  readonly connectTimeoutMs?: number;
}

// The one gateway protocol client (its MQTT link, TLS with client certificates included):
// `deploy.unreachable` when the broker does not answer in time.
const connect = (broker: BrokerOptions): Promise<GatewayClient> =>
  openGatewayClient({
    brokerUrl: broker.url,
    username: broker.username,
    password: broker.password,
    ...(broker.tls ? { tls: broker.tls } : {}),
    connectTimeoutMs: broker.connectTimeoutMs ?? 10_000,
  });

const publish = (client: GatewayClient, topic: string, bytes: Uint8Array, retain: boolean): Promise<void> =>
  client.link.publish(topic, Buffer.from(bytes), { qos: 1, retain });

interface Collect {
  readonly label: string;
  readonly client: GatewayClient;
  /** The filter the install reports arrive on. */
  readonly results: string;
  readonly version: number;
  /** Gateways whose final answer ends the wait; a number waits for that many distinct gateways. */
  readonly expect: readonly string[] | number;
  readonly send: () => Promise<void>;
  readonly options: Parameters<DeployTarget['deliver']>[1];
}

// Sends, then gathers final reports until every expected gateway answered; resends after a
// reconnect and when no gateway has even acknowledged receipt for a while.
const sendAndCollect = ({
  label,
  client,
  results,
  version,
  expect,
  send,
  options,
}: Collect): Promise<DeployOutcome> =>
  new Promise((resolve, reject) => {
    const onProgress = options?.onProgress ?? (() => {});
    const finals = new Map<string, GatewayOutcome>();
    const heard = new Set<string>();
    const done = () =>
      typeof expect === 'number' ? finals.size >= expect : expect.every((g) => finals.has(g));
    let settled = false;
    let lost = false;
    const finish = (error?: FieldgraphError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(nudge);
      unsubscribe();
      client.link.client.off('offline', onOffline);
      void client.close();
      if (error) reject(error);
      else {
        const gateways = [...finals.values()];
        resolve({ target: label, ok: gateways.length > 0 && gateways.every((g) => g.ok), gateways });
      }
    };
    const timer = setTimeout(() => {
      const missing =
        typeof expect === 'number'
          ? `${expect - finals.size} more gateway(s)`
          : expect.filter((g) => !finals.has(g)).join(', ');
      finish(
        new FieldgraphError(
          'deploy.timeout',
          `No final answer from ${missing} within ${options?.timeoutMs ?? 30_000} ms. Check that the gateway is online and subscribed.`,
          {
            gateways: [...finals.values()],
          },
        ),
      );
    }, options?.timeoutMs ?? 30_000);
    const trySend = (step: 'sent' | 'retrying') =>
      send().then(
        () => onProgress(progress(label, step)),
        (error: unknown) =>
          onProgress(
            progress(label, 'broker_lost', { message: `Sending failed (${String(error)}); will retry.` }),
          ),
      );
    // A package sent while a gateway was offline (clean sessions) is lost: resend until heard.
    const nudge = setInterval(() => {
      if (!settled && client.link.connected() && heard.size === 0) void trySend('retrying');
    }, 3_000);
    const unsubscribe = client.link.subscribe(
      results,
      (_topic, payload) => {
        const parsed = parseJsonWithin(payload.toString('utf8'));
        if (!parsed.ok || !Value.Check(InstallReport, parsed.value)) return;
        const report = parsed.value;
        if (typeof report.gateway !== 'string' || (Array.isArray(expect) && !expect.includes(report.gateway)))
          return;
        if (report.version !== undefined && report.version !== version && report.step !== 'unchanged') return;
        heard.add(report.gateway);
        onProgress(
          progress(label, report.step, {
            gateway: report.gateway,
            ...(report.message ? { message: report.message } : {}),
          }),
        );
        if (report.final) {
          finals.set(report.gateway, outcomeOf(report));
          if (done()) finish();
        }
      },
      1,
    );
    const onOffline = () => {
      if (settled || lost) return;
      lost = true;
      onProgress(
        progress(label, 'broker_lost', {
          message: 'Lost the broker; the package will be sent again when it is back.',
        }),
      );
    };
    client.link.client.on('offline', onOffline);
    // The link subscribes again on every reconnect; the package goes out again after that.
    client.link.onConnect(() => {
      if (settled || !lost) return;
      lost = false;
      void trySend('retrying');
    });
    // The link's own SUBSCRIBE is not awaited; this one's SUBACK says the reports will be heard
    // (a broker may handle the packets of one read in parallel) before the package goes out.
    const first = () => void trySend('sent');
    client.link.client.subscribeAsync(results, { qos: 1 }).then(first, first);
  });

/** A single gateway over MQTT. */
export const mqttGatewayTarget = (broker: BrokerOptions, gatewayId: string): DeployTarget => {
  const label = `gateway ${gatewayId} via ${redactUrl(broker.url)}`;
  return {
    kind: 'mqtt-gateway',
    label,
    async deliver(bytes, options) {
      const manifest = peekManifest(bytes);
      options?.onProgress?.(progress(label, 'connecting'));
      const client = await connect(broker);
      const topics = gatewayTopics(gatewayId);
      return sendAndCollect({
        label,
        client,
        results: topics.deployResult,
        version: manifest.version,
        expect: [gatewayId],
        options,
        send: () => publish(client, topics.deploy, bytes, false),
      });
    },
  };
};

/**
 * A fleet group: the package is retained on the group topic (gateways that come online later
 * still get it). `expect` names the gateways (or how many) whose answers to wait for; with
 * none, the delivery ends once the broker has stored the package.
 */
export const mqttGroupTarget = (
  broker: BrokerOptions,
  group: string,
  expect: readonly string[] | number = 0,
): DeployTarget => {
  const label = `group ${group} via ${redactUrl(broker.url)}`;
  return {
    kind: 'mqtt-group',
    label,
    async deliver(bytes, options) {
      const manifest = peekManifest(bytes);
      options?.onProgress?.(progress(label, 'connecting'));
      const client = await connect(broker);
      const topic = groupPackageTopic(group);
      if (expect === 0 || (Array.isArray(expect) && expect.length === 0)) {
        try {
          await publish(client, topic, bytes, true);
        } finally {
          await client.close();
        }
        options?.onProgress?.(progress(label, 'sent'));
        return {
          target: label,
          ok: true,
          gateways: [],
          location: topic,
          message: 'Retained on the group topic; gateways install it when they see it.',
        };
      }
      return sendAndCollect({
        label,
        client,
        results: gatewayTopics('+').deployResult,
        version: manifest.version,
        expect,
        options,
        send: () => publish(client, topic, bytes, true),
      });
    },
  };
};
