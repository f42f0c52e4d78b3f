/**
 * Sealing on deploy: the secrets a site file refers to (Wi-Fi, broker, device logins) are read
 * from the app's SecretStore and sealed to the X25519 key of the one gateway a package is for,
 * so they travel inside the signed package and open only on that gateway.
 *
 * The key is never taken from an unauthenticated message: it is the one the gateway's pinned
 * identity signed (in its pairing answer or a later signed status; see pins.ts). A live status
 * from the target (its retained MQTT status, its `GET /v1/status`) is checked against the pin:
 * signed by another identity, the deploy stops and names both fingerprints; unsigned or forged,
 * it is ignored and the pinned key is used. When the site file pins the sealing key's
 * fingerprint, a different key is refused too.
 *
 * A package without its secrets would install cleanly and then fail on site, device by device.
 * So a target that names no single paired gateway (a fleet group, a USB stick or bucket for a
 * group) is refused with a message saying what to do instead; a site without secret references
 * packs for every target as before.
 */
import { FieldgraphError } from '../../core/errors';
import { sealingKeyFingerprint, type GatewayStatus } from '../../core/gateway';
import { parseJsonWithin } from '../../core/json/bounded';
import type { PackageInput } from '../../core/package/build';
import { fromHex, fromUtf8 } from '../../core/package/bytes';
import type { PackageTarget } from '../../core/package/manifest';
import { secretNames, siteSecretUses, type SiteSecretUse } from '../../core/package/site-secrets';
import type { SecretStore } from '../secrets';
import type { GatewayPinBook } from './pins';

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
  /** The gateways this app paired with. */
  readonly pins: GatewayPinBook;
  /** The target's live status of the gateway (MQTT or HTTP), checked against the pin; none for USB and S3. */
  readonly liveStatus?: () => Promise<GatewayStatus | undefined>;
  /** The target as shown to the user. */
  readonly targetLabel: string;
}

/**
 * The `secrets` input of the package builder for one target, or undefined when the site refers
 * to no secret. Throws `deploy.gateway_key_unknown` for a target with no single gateway,
 * `gateway.not_paired` for a gateway this app never paired with, `gateway.identity_changed`
 * when the live status is signed by another identity, `deploy.secret_missing` naming every reference the store lacks, and
 * `deploy.gateway_key_mismatch` when the announced key is not the one the site file pins.
 */
export const sealedSecretsFor = async (request: SealingRequest): Promise<PackageInput['secrets']> => {
  const parsed = parseJsonWithin(fromUtf8(request.siteFile));
  if (!parsed.ok) {
    throw new FieldgraphError(
      'package.invalid_input',
      `sites/${request.siteId}.json cannot be read: ${parsed.problem.message}; fix it before deploying.`,
    );
  }
  const site = parsed.value;
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

  const pin = request.pins.get(packageFor.id);
  if (!pin) {
    throw new FieldgraphError(
      'gateway.not_paired',
      `Site "${request.siteId}" uses secrets (${describe(uses)}), which are sealed to gateway ${packageFor.id}'s key, and this app has not paired with that gateway. Pair with it (Deploy view: Pair; compare the fingerprint with its console), then deploy to ${request.targetLabel} again.`,
      { secrets: secretNames(uses) },
    );
  }
  let publicKey = pin.publicKey;
  const live = await request.liveStatus?.();
  if (live) {
    const check = request.pins.check(live);
    if (check.state === 'changed') {
      throw new FieldgraphError(
        'gateway.identity_changed',
        `Gateway ${packageFor.id} now answers with identity ${check.announced}, but this app paired with ${check.pinned}. The secrets were not sealed. If the gateway was replaced, re-pair with it after comparing the fingerprint on its console; otherwise something else answers as this gateway.`,
        { pinned: check.pinned, announced: check.announced },
      );
    }
    if (check.state === 'paired' && check.publicKey) publicKey = check.publicKey;
  }
  const pinned = (site as { gateways?: Array<{ id?: unknown; fingerprint?: unknown }> }).gateways?.find(
    (g) => g.id === packageFor.id,
  )?.fingerprint;
  const announced = sealingKeyFingerprint(publicKey);
  if (typeof pinned === 'string' && normalFingerprint(pinned) !== normalFingerprint(announced)) {
    throw new FieldgraphError(
      'deploy.gateway_key_mismatch',
      `Gateway ${packageFor.id} announces key ${announced}, but site "${request.siteId}" records ${pinned}. The secrets were not sealed. If the gateway was replaced, update its fingerprint in the site file; otherwise something else answers as this gateway.`,
    );
  }
  return { values, gatewayPublicKey: fromHex(publicKey) };
};
