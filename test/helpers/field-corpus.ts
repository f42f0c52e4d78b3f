/**
 * Runs field-corpus fixtures (test/fixtures/field/<ecosystem>/*.json) through MQTT discovery and
 * the registry, and compares what was understood with what the fixture expects.
 *
 * A fixture holds `messages` (topic, payload, retain) the device published, optional `rpc`
 * answers by topic prefix and method (a Shelly Gen2+ device answers `Shelly.GetDeviceInfo`,
 * `Shelly.GetConfig` and `Shelly.GetStatus` on `<src>/rpc` as the real one would), and `expect`:
 * the online state and one entry per bound channel (capability, channel, state and command topic).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModels } from '../../shared/core/registry/builtin-models';
import { matchableFromLibrary, mergeMatchable } from '../../shared/core/registry/library-rules';
import { createDeviceRegistry } from '../../shared/core/registry/registry';
import type { DiscoveredDevice } from '../../shared/core/registry/types';
import type { DeviceModel } from '../../shared/core/model/schemas';
import { topicMatches } from '../../shared/core/registry/match';
import { createMqttDiscovery } from '../../shared/node/discovery/mqtt-discovery';

/** One expected (or found) capability channel. */
export interface ChannelEntry {
  readonly capability: string;
  readonly channel: string;
  readonly state_topic?: string;
  readonly command_topic?: string;
}

/** A field fixture as stored. */
export interface FieldFixture {
  readonly title: string;
  readonly ecosystem: string;
  readonly source: string;
  readonly messages: readonly { topic: string; payload: string; retain?: boolean }[];
  readonly rpc?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly expect: { readonly online: boolean | null; readonly capabilities: readonly ChannelEntry[] };
}

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

const key = (e: ChannelEntry) => `${e.capability}|${e.channel}|${e.state_topic ?? ''}|${e.command_topic ?? ''}`;

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
        if (!topic.endsWith('/rpc')) return;
        const prefix = topic.slice(0, -4);
        const answers = fixture.rpc?.[prefix];
        if (!answers) return;
        const frame = JSON.parse(payload) as { id: number; src: string; method: string };
        const result = answers[frame.method];
        const reply =
          result === undefined
            ? { id: frame.id, src: prefix, dst: frame.src, error: { code: -114, message: `No handler for ${frame.method}` } }
            : { id: frame.id, src: prefix, dst: frame.src, result };
        queue.push([`${frame.src}/rpc`, JSON.stringify(reply)]);
      },
      subscribe: (filter) => {
        for (const [topic, payload] of retained) if (topicMatches(filter, topic)) queue.push([topic, payload]);
      },
      problem: () => {},
    },
    RPC_SOURCE,
  );
  const deliver = (topic: string, payload: string) => discovery.handle(topic, new TextEncoder().encode(payload));
  for (const m of fixture.messages) {
    if (m.retain) retained.set(m.topic, m.payload);
    deliver(m.topic, m.payload);
    while (queue.length > 0) deliver(...queue.shift()!);
  }
  const devices = registry.list();
  const device = devices.length === 1 ? devices[0] : devices.find((d) => (d.entities ?? []).length > 0) ?? devices[0];
  const found = boundChannels(device);
  const expected = fixture.expect.capabilities;
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
    onlineRight: device !== undefined && device.online === fixture.expect.online,
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
