/**
 * The deployer's view of a site broker: which gateways announce themselves (retained status),
 * and RPC calls to one of them (`installed`, `rollback`) over `…/rpc/<method>`.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { FieldgraphError } from '../../core/errors';
import { gatewayTopics, type GatewayStatus } from '../gateway/topics';
import { redactUrl } from './target';

const open = async (brokerUrl: string, timeoutMs: number): Promise<MqttClient> => {
  const client = mqtt.connect(brokerUrl, {
    protocolVersion: 4,
    clientId: `fieldgraph-site-${Math.random().toString(16).slice(2, 10)}`,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
      client.once('connect', () => (clearTimeout(timer), resolve()));
      client.once('error', (error) => (clearTimeout(timer), reject(error)));
      client.once('close', () => (clearTimeout(timer), reject(new Error('connection closed'))));
    });
  } catch (error) {
    client.end(true);
    throw new FieldgraphError(
      'deploy.unreachable',
      `Cannot reach the site broker at ${redactUrl(brokerUrl)} (${(error as Error).message}).`,
    );
  }
  return client;
};

/** Retained gateway statuses on the broker, collected for `waitMs`. */
export const listGatewayStatuses = async (brokerUrl: string, waitMs = 800): Promise<GatewayStatus[]> => {
  const client = await open(brokerUrl, 5_000);
  const seen = new Map<string, GatewayStatus>();
  client.on('message', (_topic, payload) => {
    try {
      const status = JSON.parse(payload.toString('utf8')) as GatewayStatus;
      if (typeof status.id === 'string') seen.set(status.id, status);
    } catch {
      // a foreign client's non-JSON status is not a Fieldgraph gateway
    }
  });
  await client.subscribeAsync(gatewayTopics('+').status, { qos: 1 });
  await new Promise((r) => setTimeout(r, waitMs));
  client.end(true);
  return [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
};

/** Calls an RPC method of a gateway and returns its value; the gateway's own error code on failure. */
export const callGateway = async (
  brokerUrl: string,
  gatewayId: string,
  method: string,
  args: Record<string, unknown> = {},
  timeoutMs = 5_000,
): Promise<unknown> => {
  const client = await open(brokerUrl, 5_000);
  const topics = gatewayTopics(gatewayId);
  const id = Math.random().toString(36).slice(2);
  try {
    await client.subscribeAsync(topics.rpcResult, { qos: 1 });
    const reply = new Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>(
      (resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new FieldgraphError(
                'deploy.timeout',
                `Gateway ${gatewayId} did not answer "${method}" within ${timeoutMs} ms; is it online?`,
              ),
            ),
          timeoutMs,
        );
        client.on('message', (_topic, payload) => {
          try {
            const body = JSON.parse(payload.toString('utf8')) as {
              id?: string;
              ok: boolean;
              value?: unknown;
              error?: { code: string; message: string };
            };
            if (body.id !== id) return;
            clearTimeout(timer);
            resolve(body);
          } catch {
            // replies to other callers may be anything; only ours matters
          }
        });
      },
    );
    await client.publishAsync(`${topics.rpcPrefix}${method}`, JSON.stringify({ id, args }), { qos: 1 });
    const body = await reply;
    if (!body.ok) {
      throw new FieldgraphError(
        'deploy.rejected',
        `Gateway ${gatewayId}: ${body.error?.message ?? 'the call failed'}`,
        { code: body.error?.code },
      );
    }
    return body.value;
  } finally {
    client.end(true);
  }
};
