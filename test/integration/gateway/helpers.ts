import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { gatewayMethodSpec, signRequest } from '../../../shared/core/gateway';
import { encodeKey, type SigningKeyPair } from '../../../shared/core/package/keys';
import { installerKey } from '../../helpers/packages';

/** The installer key test gateways trust, in the form `--trust` and GatewayOptions.trust take. */
export const trustedInstaller = encodeKey('ed25519', installerKey.publicKey);

/** A plain mqtt.js client standing in for the installer's laptop or a device. */
export const connectClient = async (
  url: string,
  clientId = `probe-${Math.random().toString(36).slice(2, 8)}`,
): Promise<MqttClient> => {
  const client = mqtt.connect(url, { protocolVersion: 4, clientId, reconnectPeriod: 200 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
};

/** Resolves with the first message on `topic` whose JSON passes `test` (retained ones included). */
export const nextJson = <T = Record<string, unknown>>(
  client: MqttClient,
  topic: string,
  test: (value: T) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no matching message on ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      let value: T;
      try {
        value = JSON.parse(payload.toString()) as T;
      } catch {
        return;
      }
      if (!test(value)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(value);
    };
    client.on('message', onMessage);
    client.subscribe(topic, { qos: 1 });
  });

/**
 * Sends an RPC request and waits for its reply. Methods the contract marks as signed are signed
 * with `key` (the trusted test installer key by default); `key: null` sends them unsigned.
 */
export const rpc = async (
  client: MqttClient,
  gatewayId: string,
  method: string,
  args: Record<string, unknown> = {},
  key: SigningKeyPair | null = installerKey,
): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> => {
  const id = Math.random().toString(36).slice(2);
  const auth =
    gatewayMethodSpec(method)?.signed && key
      ? signRequest(key, {
          gatewayId,
          method,
          args,
          nonce: randomBytes(16).toString('hex'),
          at: new Date().toISOString(),
        })
      : undefined;
  const reply = nextJson<{
    id: string;
    ok: boolean;
    value?: unknown;
    error?: { code: string; message: string };
  }>(client, `fieldgraph/v1/gw/${gatewayId}/rpc/result`, (r) => r.id === id);
  await new Promise((r) => setTimeout(r, 50));
  client.publish(
    `fieldgraph/v1/gw/${gatewayId}/rpc/${method}`,
    JSON.stringify({ id, args, ...(auth ? { auth } : {}) }),
    { qos: 1 },
  );
  return reply;
};

/** Polls `check` until it returns true or the time runs out. */
export const waitFor = async (
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};
