/**
 * Runs field-corpus fixtures (test/fixtures/field/<ecosystem>/*.json, format in
 * test/fixtures/field/README.md) through MQTT discovery and the registry in process — no broker,
 * so every fixture takes milliseconds — and compares what was understood with what the fixture
 * expects. A reply with a `method` answers only requests for that method (a Shelly Gen2+ device
 * answers `Shelly.GetDeviceInfo`, `Shelly.GetConfig` and `Shelly.GetStatus` on `<src>/rpc`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModels } from '../../shared/core/registry/builtin-models';
import { matchableFromLibrary, mergeMatchable } from '../../shared/core/registry/library-rules';
import { createDeviceRegistry } from '../../shared/core/registry/registry';
import type { DiscoveredDevice } from '../../shared/core/registry/types';
import type { DeviceModel } from '../../shared/core/model/schemas';
import { topicMatches } from '../../shared/core/topics/match';
import { createMqttDiscovery } from '../../shared/node/discovery/mqtt-discovery';

/** One expected (or found) capability channel. */
export interface ChannelEntry {
  readonly capability: string;
  readonly channel: string;
  readonly state_topic?: string;
  readonly command_topic?: string;
}

/** A field fixture as stored (one device per file in these folders). */
export interface FieldFixture {
  readonly title: string;
  readonly messages: readonly { topic: string; payload: string | object; retain?: boolean }[];
  readonly replies?: readonly { request: string; method?: string; topic: string; payload: object }[];
  readonly devices: readonly {
    readonly match: { readonly topic?: string; readonly mac?: string; readonly name?: string };
    readonly online: boolean | null;
    readonly capabilities: readonly ChannelEntry[];
  }[];
}

const fill = (value: unknown, vars: Record<string, string>): unknown => {
  if (typeof value === 'string') return value.replace(/\{(src|id)\}/g, (_, k: string) => vars[k] ?? '');
  if (Array.isArray(value)) return value.map((v) => fill(v, vars));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]));
  return value;
};

/** What discovery made of one fixture, and how it compares. */
export interface FieldResult {
  readonly file: string;
  readonly title: string;
  readonly device: DiscoveredDevice | undefined;
  readonly found: ChannelEntry[];
  readonly missing: ChannelEntry[];
  readonly unexpected: ChannelEntry[];
  readonly fullyRight: boolean;
  readonly onlineRight: boolean;
  readonly confidence: number | null;
}

const RPC_SOURCE = 'fg-corpus';

/** The fixture files of one folder (not its sub-folders), sorted. */
export const fixtureFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(dir, e.name))
    .sort();

const key = (e: ChannelEntry) =>
  `${e.capability}|${e.channel}|${e.state_topic ?? ''}|${e.command_topic ?? ''}`;

/** The bound capability channels of a discovered device, as `discover --json` lists them. */
export const boundChannels = (device: DiscoveredDevice | undefined): ChannelEntry[] =>
  (device?.entities ?? [])
    .filter((e) => e.status === 'bound' && e.capability)
    .map((e) => ({
      capability: e.capability!,
      channel: e.channel,
      ...(e.state_topic ? { state_topic: e.state_topic } : {}),
      ...(e.command_topic ? { command_topic: e.command_topic } : {}),
    }));

/** Publishes one fixture's messages into a fresh discovery + registry and compares the result. */
export const runFixture = (file: string, library: readonly DeviceModel[]): FieldResult => {
  const fixture = JSON.parse(readFileSync(file, 'utf8')) as FieldFixture;
  const registry = createDeviceRegistry({
    schedule: () => () => {},
    models: mergeMatchable(matchableFromLibrary(library), builtinModels),
  });
  const queue: [string, string][] = [];
  // Retained messages, replayed when discovery subscribes to a topic later, as a broker does.
  const retained = new Map<string, string>();
  const discovery = createMqttDiscovery(
    {
      sink: registry,
      now: () => 1_000,
      publish: (topic, payload) => {
        // A device answers RPC on the `src` the request names, as the firmware does.
        for (const reply of fixture.replies ?? []) {
          if (reply.request !== topic) continue;
          const frame = JSON.parse(payload) as { id: number; src: string; method: string };
          if (reply.method !== undefined && reply.method !== frame.method) continue;
          const vars = { src: String(frame.src), id: String(frame.id) };
          const body = fill(reply.payload, vars) as Record<string, unknown>;
          if (body.id === vars.id) body.id = frame.id;
          queue.push([String(fill(reply.topic, vars)), JSON.stringify(body)]);
        }
      },
      subscribe: (filter) => {
        for (const [topic, payload] of retained)
          if (topicMatches(filter, topic)) queue.push([topic, payload]);
      },
      problem: () => {},
    },
    RPC_SOURCE,
  );
  const deliver = (topic: string, payload: string) =>
    discovery.handle(topic, new TextEncoder().encode(payload));
  for (const m of fixture.messages) {
    const payload = typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload);
    if (m.retain ?? true) retained.set(m.topic, payload);
    deliver(m.topic, payload);
    while (queue.length > 0) deliver(...queue.shift()!);
  }
  const want = fixture.devices[0]!;
  const device = registry
    .list()
    .find(
      (d) =>
        (want.match.topic === undefined || d.identity.topic === want.match.topic) &&
        (want.match.mac === undefined || d.identity.mac === want.match.mac.toLowerCase()) &&
        (want.match.name === undefined || d.name === want.match.name),
    );
  const found = boundChannels(device);
  const expected = want.capabilities;
  const foundKeys = new Set(found.map(key));
  const expectedKeys = new Set(expected.map(key));
  const missing = expected.filter((e) => !foundKeys.has(key(e)));
  const unexpected = found.filter((e) => !expectedKeys.has(key(e)));
  return {
    file,
    title: fixture.title,
    device,
    found,
    missing,
    unexpected,
    fullyRight: device !== undefined && missing.length === 0 && unexpected.length === 0,
    onlineRight: device !== undefined && device.online === want.online,
    confidence: device?.model?.confidence ?? null,
  };
};

/** Figures over a set of results: devices, fully right, wrong at confidence ≥ 0.8, online right. */
export const corpusFigures = (results: readonly FieldResult[]) => {
  const n = results.length;
  const right = results.filter((r) => r.fullyRight).length;
  const confidentlyWrong = results.filter((r) => !r.fullyRight && (r.confidence ?? 0) >= 0.8);
  const online = results.filter((r) => r.onlineRight).length;
  return {
    devices: n,
    fullyRight: right,
    fullyRightShare: n ? right / n : 0,
    wrongAtHighConfidence: confidentlyWrong.map((r) => r.file.split('/').slice(-2).join('/')),
    onlineRight: online,
    onlineShare: n ? online / n : 0,
  };
};
