/**
 * Delivery over MQTT: to one gateway (`fieldgraph/v1/gw/<id>/deploy`, answers on
 * `…/deploy/result`) or to a fleet group (retained `fieldgraph/v1/group/<group>/package`, every
 * gateway of the group answers on its own result topic). Works over TLS with client
 * certificates for cloud brokers. When the broker drops mid-delivery the loss is reported and
 * the package is sent again after the reconnect; the gateway answers a copy it already
 * installed with `unchanged`, so a retry never installs twice.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { FieldgraphError } from '../../core/errors';
import { InstallReport, gatewayTopics, groupPackageTopic } from '../../core/gateway';
import { parseJsonWithin } from '../../core/json/bounded';
import { Value } from '@sinclair/typebox/value';
import {
  outcomeOf,
  peekManifest,
  progress,
  redactUrl,
  type DeployOutcome,
  type DeployTarget,
  type GatewayOutcome,
} from './target';

/** Broker connection settings; TLS files are PEM text. */
export interface BrokerOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  /** How long to wait for the first connection (ms). */
  readonly connectTimeoutMs?: number;
}

const connect = async (broker: BrokerOptions): Promise<MqttClient> => {
  const options: IClientOptions = {
    clientId: `fieldgraph-deploy-${Math.random().toString(16).slice(2, 10)}`,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 500,
    connectTimeout: broker.connectTimeoutMs ?? 10_000,
    username: broker.username,
    password: broker.password,
    ...(broker.tls
      ? { ca: broker.tls.ca, cert: broker.tls.cert, key: broker.tls.key, rejectUnauthorized: true }
      : {}),
  };
  const client = mqtt.connect(broker.url, options);
  try {
    await new Promise<void>((resolve, reject) => {
      let last: Error | undefined;
      const timer = setTimeout(
        () => reject(new Error(last?.message ?? 'no answer')),
        broker.connectTimeoutMs ?? 10_000,
      );
      client.on('error', (error) => (last = error));
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (error) {
    client.end(true);
    throw new FieldgraphError(
      'deploy.unreachable',
      `Cannot connect to the MQTT broker at ${redactUrl(broker.url)} (${(error as Error).message}). Check the address, the port and, for TLS, the certificates.`,
    );
  }
  return client;
};

const publish = (client: MqttClient, topic: string, bytes: Uint8Array, retain: boolean): Promise<void> =>
  new Promise((resolve, reject) =>
    client.publish(topic, Buffer.from(bytes), { qos: 1, retain }, (error) =>
      error ? reject(error) : resolve(),
    ),
  );

interface Collect {
  readonly label: string;
  readonly client: MqttClient;
  readonly version: number;
  /** Gateways whose final answer ends the wait; a number waits for that many distinct gateways. */
  readonly expect: readonly string[] | number;
  readonly send: () => Promise<void>;
  readonly options: Parameters<DeployTarget['deliver']>[1];
}

// Sends, then gathers final reports until every expected gateway answered; resends after a
// reconnect and when no gateway has even acknowledged receipt for a while.
const sendAndCollect = ({ label, client, version, expect, send, options }: Collect): Promise<DeployOutcome> =>
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
      client.end(true);
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
      if (!settled && client.connected && heard.size === 0) void trySend('retrying');
    }, 3_000);
    client.on('message', (_topic, payload) => {
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
    });
    client.on('offline', () => {
      if (settled || lost) return;
      lost = true;
      onProgress(
        progress(label, 'broker_lost', {
          message: 'Lost the broker; the package will be sent again when it is back.',
        }),
      );
    });
    client.on('connect', () => {
      if (settled || !lost) return;
      lost = false;
      void trySend('retrying');
    });
    void trySend('sent');
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
      await client.subscribeAsync(topics.deployResult, { qos: 1 });
      return sendAndCollect({
        label,
        client,
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
          client.end(true);
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
      await client.subscribeAsync(gatewayTopics('+').deployResult, { qos: 1 });
      return sendAndCollect({
        label,
        client,
        version: manifest.version,
        expect,
        options,
        send: () => publish(client, topic, bytes, true),
      });
    },
  };
};
