import type { DeviceRegistry } from '../../core/registry/registry';
import type { Sighting } from '../../core/registry/types';

/** The largest discovery payload read; bigger ones are skipped with a logged reason. */
export const MAX_DISCOVERY_PAYLOAD = 64 * 1024;

/** A discovery message that was skipped, and why; kept for diagnostics and the details view. */
export interface DiscoveryProblem {
  readonly source: 'mqtt' | 'mdns' | 'usb';
  readonly where: string;
  readonly reason: string;
  readonly at: number;
}

/** What the MQTT protocol interpreters need: the registry, a clock, and the broker link. */
export interface MqttDiscoveryContext {
  readonly sink: Pick<DeviceRegistry, 'upsert' | 'setOnline' | 'remove'>;
  now(): number;
  publish(topic: string, payload: string): void;
  subscribe(topic: string): void;
  problem(where: string, reason: string): void;
}

/** A sighting reported by the MQTT source, with the fields every protocol fills. */
export const mqttSighting = (
  key: string,
  fields: Partial<Omit<Sighting, 'source' | 'key'>> & { seenAt: number },
): Sighting => ({
  source: 'mqtt',
  key,
  identity: {},
  facts: {},
  addresses: [],
  online: null,
  raw: {},
  warnings: [],
  ...fields,
});

/** Parses a JSON object payload; reports a problem and returns null otherwise. */
export const parseJsonObject = (
  ctx: MqttDiscoveryContext,
  topic: string,
  text: string,
): Record<string, unknown> | null => {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    ctx.problem(topic, 'the payload is JSON but not an object; skipped');
  } catch {
    ctx.problem(topic, 'the payload is not JSON; skipped');
  }
  return null;
};

/** The string at `obj[a]` or `obj[b]` (full or abbreviated Home Assistant key). */
export const str = (obj: Record<string, unknown> | undefined, ...keys: string[]): string | undefined => {
  for (const key of keys) {
    const value = obj?.[key];
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
};

/** The object at one of `keys`, if it is one. */
export const obj = (value: Record<string, unknown> | undefined, ...keys: string[]) => {
  for (const key of keys) {
    const v = value?.[key];
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  }
  return undefined;
};
