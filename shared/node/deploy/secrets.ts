/**
 * Sealing on deploy: the secrets a site file refers to (Wi-Fi, broker, device logins) are read
 * from the app's SecretStore and sealed to the X25519 key of the one gateway a package is for,
 * so they travel inside the signed package and open only on that gateway.
 *
 * The key comes from the gateway itself: its retained status on the site broker (MQTT target),
 * its `GET /v1/status` (HTTP target), or, for a USB stick or bucket addressed to one gateway,
 * the key the app last read from it. When the site file pins the gateway's fingerprint, a
 * different key is refused.
 *
 * A package without its secrets would install cleanly and then fail on site, device by device.
 * So a target that names no single gateway whose key is known (a fleet group, a USB stick or
 * bucket for a group) is refused with a message saying what to do instead; a site without
 * secret references packs for every target as before.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import mqtt from 'mqtt';
import writeFileAtomic from 'write-file-atomic';
import { FieldgraphError } from '../../core/errors';
import type { PackageInput } from '../../core/package/build';
import { fromHex, fromUtf8 } from '../../core/package/bytes';
import type { PackageTarget } from '../../core/package/manifest';
import { secretNames, siteSecretUses, type SiteSecretUse } from '../../core/package/site-secrets';
import { keyFingerprint } from '../gateway/identity';
import { gatewayTopics, type GatewayStatus } from '../gateway/topics';
import type { SecretStore } from '../secrets';
import { fetchGatewayStatus } from './http';
import { redactUrl } from './target';

const KEY_PATTERN = /^[0-9a-f]{64}$/;

/** Gateway X25519 keys the app has seen in retained statuses, so a USB or S3 package for one gateway can be sealed. */
export interface GatewayKeyBook {
  /** The public key (hex) last seen for `gatewayId`, if any. */
  get(gatewayId: string): string | undefined;
  remember(gatewayId: string, publicKey: string): void;
}

/** A key book in one JSON file (public keys only; nothing secret is written). */
export const openGatewayKeyBook = (path: string): GatewayKeyBook => {
  const read = (): Record<string, { publicKey: string; seenAt: string }> => {
    try {
      return (JSON.parse(readFileSync(path, 'utf8')) as { gateways: Record<string, never> }).gateways ?? {};
    } catch {
      return {};
    }
  };
  return {
    get: (gatewayId) => {
      const key = read()[gatewayId]?.publicKey;
      return typeof key === 'string' && KEY_PATTERN.test(key) ? key : undefined;
    },
    remember(gatewayId, announced) {
      const publicKey = announced.toLowerCase();
      if (!KEY_PATTERN.test(publicKey)) return;
      const gateways = read();
      if (gateways[gatewayId]?.publicKey === publicKey) return;
      gateways[gatewayId] = { publicKey, seenAt: new Date().toISOString() };
      mkdirSync(dirname(path), { recursive: true });
      writeFileAtomic.sync(path, JSON.stringify({ schemaVersion: 1, gateways }, null, 2) + '\n');
    },
  };
};

/** The X25519 key in a gateway's retained status on `brokerUrl`; `deploy.gateway_key_unknown` when it announces none. */
export const readGatewayKey = async (
  brokerUrl: string,
  gatewayId: string,
  timeoutMs = 5_000,
): Promise<string> => {
  const client = mqtt.connect(brokerUrl, {
    protocolVersion: 4,
    clientId: `fieldgraph-key-${Math.random().toString(16).slice(2, 10)}`,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
  });
  const topic = gatewayTopics(gatewayId).status;
  try {
    const status = await new Promise<GatewayStatus | undefined>((resolve, reject) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      let connected = false;
      client.once('error', (error) => (clearTimeout(timer), reject(error)));
      client.once('close', () => {
        if (connected) return;
        clearTimeout(timer);
        reject(new Error('connection closed'));
      });
      client.on('message', (t, payload) => {
        if (t !== topic) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(payload.toString('utf8')) as GatewayStatus);
        } catch {
          resolve(undefined);
        }
      });
      client.once('connect', () => {
        connected = true;
        client.subscribe(topic, { qos: 1 });
      });
    }).catch((error: Error) => {
      throw new FieldgraphError(
        'deploy.unreachable',
        `Cannot reach the site broker at ${redactUrl(brokerUrl)} (${error.message}).`,
      );
    });
    const key = status?.publicKey?.toLowerCase();
    if (!key || !KEY_PATTERN.test(key)) {
      throw new FieldgraphError(
        'deploy.gateway_key_unknown',
        `Gateway ${gatewayId} announces no key on ${redactUrl(brokerUrl)} (${status ? `it is ${status.state}` : 'it has never connected'}), so the site's secrets cannot be sealed to it. Start the gateway and deploy again.`,
      );
    }
    return key;
  } finally {
    client.end(true);
  }
};

/** The X25519 key in `GET /v1/status` of the gateway at `url`, checked to be gateway `gatewayId`. */
export const readGatewayKeyOverHttp = async (url: string, gatewayId: string): Promise<string> => {
  const status = await fetchGatewayStatus(url);
  if (status.id !== gatewayId) {
    throw new FieldgraphError(
      'deploy.invalid_target',
      `${redactUrl(url)} is gateway ${status.id}, not ${gatewayId}; check the address before its secrets are sealed.`,
    );
  }
  const key = status.publicKey?.toLowerCase();
  if (!key || !KEY_PATTERN.test(key)) {
    throw new FieldgraphError(
      'deploy.gateway_key_unknown',
      `Gateway ${gatewayId} at ${redactUrl(url)} announces no key in its status, so the site's secrets cannot be sealed to it.`,
    );
  }
  return key;
};

const normalFingerprint = (text: string): string => text.toLowerCase().replace(/[^0-9a-f]/g, '');

const describe = (uses: readonly SiteSecretUse[]): string =>
  uses.map((u) => `"${u.secret}" (${u.field})`).join(', ');

/** What `sealedSecretsFor` needs for one target. */
export interface SealingRequest {
  /** The site file as packed (sites/<id>.json bytes). */
  readonly siteFile: Uint8Array;
  readonly siteId: string;
  readonly store: SecretStore;
  /** Whom the package is addressed to. */
  readonly packageFor: PackageTarget;
  /** The site broker, when the target has one: the gateway's key is read from its retained status. */
  readonly brokerUrl?: string;
  /** The gateway's own HTTP endpoint, when the target is one: the key is read from `GET /v1/status`. */
  readonly gatewayUrl?: string;
  /** Keys seen before, for targets without a broker (USB, S3); updated on every live read. */
  readonly keys?: GatewayKeyBook;
  /** The target as shown to the user. */
  readonly targetLabel: string;
}

/**
 * The `secrets` input of the package builder for one target, or undefined when the site refers
 * to no secret. Throws `deploy.gateway_key_unknown` for a target with no single known gateway
 * key, `deploy.secret_missing` naming every reference the store lacks, and
 * `deploy.gateway_key_mismatch` when the announced key is not the one the site file pins.
 */
export const sealedSecretsFor = async (request: SealingRequest): Promise<PackageInput['secrets']> => {
  let site: unknown;
  try {
    site = JSON.parse(fromUtf8(request.siteFile));
  } catch {
    throw new FieldgraphError(
      'package.invalid_input',
      `sites/${request.siteId}.json is not valid JSON; fix it before deploying.`,
    );
  }
  const uses = siteSecretUses(site);
  if (uses.length === 0) return undefined;
  const { packageFor } = request;
  if (packageFor.kind !== 'gateway') {
    throw new FieldgraphError(
      'deploy.gateway_key_unknown',
      `Site "${request.siteId}" uses secrets (${describe(uses)}), which are sealed to one gateway's key; a package for group "${packageFor.id}" (${request.targetLabel}) could not open them, and its devices would fail. Deploy to each gateway of the group on its own (over MQTT), or address the package to one gateway.`,
      { secrets: secretNames(uses) },
    );
  }

  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of secretNames(uses)) {
    const value = await request.store.get(name);
    if (value === undefined) missing.push(name);
    else values[name] = value;
  }
  if (missing.length) {
    const where = uses.filter((u) => missing.includes(u.secret));
    throw new FieldgraphError(
      'deploy.secret_missing',
      `Site "${request.siteId}" refers to ${missing.length === 1 ? 'a secret' : 'secrets'} the secret store does not hold: ${describe(where)}. Store ${missing.length === 1 ? 'it' : 'them'} under that name in Secrets (secrets.set), then deploy again.`,
      { missing },
    );
  }

  let publicKey: string | undefined;
  if (request.brokerUrl) {
    publicKey = await readGatewayKey(request.brokerUrl, packageFor.id);
  } else if (request.gatewayUrl) {
    publicKey = await readGatewayKeyOverHttp(request.gatewayUrl, packageFor.id);
  }
  if (publicKey) request.keys?.remember(packageFor.id, publicKey);
  else publicKey = request.keys?.get(packageFor.id);
  if (!publicKey) {
    throw new FieldgraphError(
      'deploy.gateway_key_unknown',
      `Site "${request.siteId}" uses secrets (${describe(uses)}), which are sealed to gateway ${packageFor.id}'s key, and this app has not seen that key yet. Deploy to the gateway over MQTT once (its key is read from its status), then write the package for ${request.targetLabel} again.`,
      { secrets: secretNames(uses) },
    );
  }
  const pinned = (site as { gateways?: Array<{ id?: unknown; fingerprint?: unknown }> }).gateways?.find(
    (g) => g.id === packageFor.id,
  )?.fingerprint;
  const announced = keyFingerprint(publicKey);
  if (typeof pinned === 'string' && normalFingerprint(pinned) !== normalFingerprint(announced)) {
    throw new FieldgraphError(
      'deploy.gateway_key_mismatch',
      `Gateway ${packageFor.id} announces key ${announced}, but site "${request.siteId}" records ${pinned}. The secrets were not sealed. If the gateway was replaced, update its fingerprint in the site file; otherwise something else answers as this gateway.`,
    );
  }
  return { values, gatewayPublicKey: fromHex(publicKey) };
};
