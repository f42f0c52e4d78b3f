/**
 * The gateways this app has paired with: per gateway id, the Ed25519 identity pinned at pairing
 * and the X25519 sealing key that identity last signed. A status is believed only when it is
 * signed by the pinned identity; one signed by another identity is a changed gateway, shown
 * with both fingerprints, and nothing is sealed to it until someone re-pairs on purpose.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { identityFingerprint, statusSignatureHolds, type GatewayStatus } from '../../core/gateway';
import { parseJsonWithin } from '../../core/json/bounded';

const KEY_PATTERN = /^[0-9a-f]{64}$/;
const IDENTITY_PATTERN = /^ed25519:[0-9a-f]{64}$/;

/** One paired gateway. */
export interface GatewayPin {
  /** `ed25519:<hex>` of the gateway's identity. */
  readonly identity: string;
  /** Hex of the X25519 key package secrets are sealed to, as last signed by the identity. */
  readonly publicKey: string;
  readonly pairedAt: string;
}

/** What a status says about a gateway's pin. */
export type PinCheck =
  | { readonly state: 'paired'; readonly fingerprint: string; readonly publicKey?: string }
  | { readonly state: 'unpaired'; readonly fingerprint: string }
  | { readonly state: 'changed'; readonly pinned: string; readonly announced: string }
  | { readonly state: 'unsigned' };

/** The app's pinned gateway identities (public keys only; nothing secret is written). */
export interface GatewayPinBook {
  get(gatewayId: string): GatewayPin | undefined;
  /** Pins (or, on re-pair, replaces) a gateway's identity and sealing key. */
  pin(gatewayId: string, identity: string, publicKey: string): GatewayPin;
  /** Checks a status against the pin; a status signed by the pinned identity also refreshes the sealing key. */
  check(status: GatewayStatus): PinCheck;
}

/** The pin book in one JSON file (`gateway-keys.json` in the app's data folder). */
export const openGatewayPinBook = (path: string): GatewayPinBook => {
  const read = (): Record<string, GatewayPin> => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return {};
    }
    const parsed = parseJsonWithin(text, { maxLength: 4 * 1024 * 1024 });
    const gateways = parsed.ok
      ? (parsed.value as { gateways?: Record<string, Partial<GatewayPin>> }).gateways
      : {};
    const out: Record<string, GatewayPin> = {};
    // Entries from before pinning hold a key without an identity: they are not pins.
    for (const [id, entry] of Object.entries(gateways ?? {}))
      if (IDENTITY_PATTERN.test(entry.identity ?? '') && KEY_PATTERN.test(entry.publicKey ?? ''))
        out[id] = entry as GatewayPin;
    return out;
  };
  const write = (gateways: Record<string, GatewayPin>): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic.sync(path, JSON.stringify({ schemaVersion: 2, gateways }, null, 2) + '\n');
  };
  const pin = (gatewayId: string, identity: string, publicKey: string): GatewayPin => {
    const entry = { identity, publicKey: publicKey.toLowerCase(), pairedAt: new Date().toISOString() };
    write({ ...read(), [gatewayId]: entry });
    return entry;
  };
  return {
    get: (gatewayId) => read()[gatewayId],
    pin,
    check(status) {
      if (!statusSignatureHolds(status)) return { state: 'unsigned' };
      const identity = status.identity!;
      const pinned = read()[status.id];
      if (!pinned) return { state: 'unpaired', fingerprint: identityFingerprint(identity) };
      if (pinned.identity !== identity)
        return {
          state: 'changed',
          pinned: identityFingerprint(pinned.identity),
          announced: identityFingerprint(identity),
        };
      const key = status.publicKey?.toLowerCase();
      if (key && KEY_PATTERN.test(key) && key !== pinned.publicKey)
        write({ ...read(), [status.id]: { ...pinned, publicKey: key } });
      return {
        state: 'paired',
        fingerprint: identityFingerprint(identity),
        ...(key ? { publicKey: key } : {}),
      };
    },
  };
};
