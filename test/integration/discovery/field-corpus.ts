/**
 * The field corpus runner's parts: read a fixture (test/fixtures/field/<ecosystem>/*.json, format
 * in test/fixtures/field/README.md), publish its messages retained to a real mosquitto, run a
 * discovery session against it until it settles, and judge every expected device by what
 * `fieldgraph discover --json` would print for it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import mqtt from 'mqtt';
import { capabilitiesJson, type CapabilityJson } from '../../../cli/commands/discover';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import { createDiscoverySession } from '../../../shared/node/discovery/session';
import type { MatchableModel } from '../../../shared/core/registry/types';
import { silentLogger } from '../../../shared/node/log';
import { startMosquitto } from '../../helpers/mosquitto';

/** One message of a capture. A JSON payload may be given as an object; `retain` defaults to true. */
export interface FixtureMessage {
  readonly topic: string;
  readonly payload: string | object;
  readonly retain?: boolean;
}

/**
 * A device's answer to a request it receives (Shelly RPC): when a message arrives on `request`,
 * publish `payload` to `topic`; `{src}` and `{id}` in the topic and in string values of the
 * payload take the request frame's `src` and `id`.
 */
export interface FixtureReply {
  readonly request: string;
  /** Answers only requests for this method (a Shelly answers GetDeviceInfo, GetConfig, GetStatus). */
  readonly method?: string;
  readonly topic: string;
  readonly payload: object;
}

/** What discovery must make of one device of the capture. */
export interface ExpectedDevice {
  /** How to find it: every given field must equal the discovered device's (identity or name). */
  readonly match: {
    readonly name?: string;
    readonly mac?: string;
    readonly topic?: string;
    readonly serial?: string;
    readonly hostname?: string;
  };
  readonly online: boolean | null;
  readonly capabilities: readonly CapabilityJson[];
  /** The library model it should be matched to, when one applies. */
  readonly model?: string;
}

/** One fixture file. */
export interface Fixture {
  readonly file: string;
  readonly title: string;
  readonly messages: readonly FixtureMessage[];
  readonly replies?: readonly FixtureReply[];
  readonly devices: readonly ExpectedDevice[];
}

/** How one expected device came out. */
export interface Judgement {
  readonly fixture: string;
  readonly device: string;
  readonly found: boolean;
  readonly fullyRight: boolean;
  /** Something claimed that is not so (a wrong capability or topic), as opposed to only missing. */
  readonly wrong: boolean;
  readonly confidence: number;
  readonly onlineRight: boolean;
  readonly problems: readonly string[];
}

/** Every discovery fixture under `dir`, recursively, sorted by path. */
export const loadFixtures = (dir: string): Fixture[] => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      // Held-back fixtures (`unseen/`) run only when FIELD_CORPUS points at them.
      if (statSync(path).isDirectory()) {
        if (name !== 'unseen' || d === dir) walk(path);
      } else if (name.endsWith('.json')) files.push(path);
    }
  };
  walk(dir);
  // The field folder also holds other corpora (Thing Descriptions, Node-RED exports): a discovery
  // fixture is a file with messages to publish and devices to expect.
  return files.flatMap((path) => {
    const json = JSON.parse(readFileSync(path, 'utf8')) as Omit<Fixture, 'file'>;
    return Array.isArray(json?.messages) && Array.isArray(json?.devices)
      ? [{ ...json, file: relative(dir, path) }]
      : [];
  });
};

const fill = (value: unknown, vars: Record<string, string>): unknown => {
  if (typeof value === 'string') return value.replace(/\{(src|id)\}/g, (_, k: string) => vars[k] ?? '');
  if (Array.isArray(value)) return value.map((v) => fill(v, vars));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]));
  return value;
};

/**
 * Publishes the fixture to a fresh mosquitto, runs discovery until nothing changed for
 * `quietMs` (at most `maxMs`), and returns the devices listed.
 */
export const discoverFixture = async (
  fixture: Fixture,
  models: readonly MatchableModel[],
  { quietMs = 400, maxMs = 8000 } = {},
): Promise<DiscoveredDevice[]> => {
  const broker = await startMosquitto();
  const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  try {
    for (const reply of fixture.replies ?? []) {
      await publisher.subscribeAsync(reply.request);
    }
    publisher.on('message', (topic, payload) => {
      for (const reply of fixture.replies ?? []) {
        if (reply.request !== topic) continue;
        let frame: { src?: unknown; id?: unknown; method?: unknown } = {};
        try {
          frame = JSON.parse(payload.toString()) as typeof frame;
        } catch {
          continue;
        }
        if (reply.method !== undefined && frame.method !== reply.method) continue;
        const vars = { src: String(frame.src ?? ''), id: String(frame.id ?? '') };
        const body = fill(reply.payload, vars) as Record<string, unknown>;
        // The frame id is a number on the wire; `{id}` alone stands for it.
        if (body.id === vars.id) body.id = Number(vars.id);
        void publisher.publishAsync(String(fill(reply.topic, vars)), JSON.stringify(body));
      }
    });
    for (const m of fixture.messages) {
      const payload = typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload);
      await publisher.publishAsync(m.topic, payload, { retain: m.retain ?? true, qos: 1 });
    }
    let last = Date.now();
    let changes = 0;
    const session = createDiscoverySession({
      log: silentLogger,
      models,
      batchMs: 20,
      onChange: () => {
        last = Date.now();
        changes++;
      },
    });
    try {
      await session.start({ mqttUrls: [broker.url] });
      const started = Date.now();
      while (Date.now() - started < maxMs) {
        await new Promise((r) => setTimeout(r, 50));
        if (changes > 0 && Date.now() - last >= quietMs) break;
      }
      session.registry.flush();
      return session.registry.list();
    } finally {
      await session.dispose();
    }
  } finally {
    await publisher.endAsync(true);
    await broker.stop();
  }
};

const key = (c: CapabilityJson) =>
  JSON.stringify([c.capability, c.channel, c.state_topic ?? null, c.command_topic ?? null]);

const matches = (d: DiscoveredDevice, m: ExpectedDevice['match']): boolean =>
  (m.name === undefined || d.name === m.name) &&
  (m.mac === undefined || d.identity.mac === m.mac.toLowerCase()) &&
  (m.topic === undefined || d.identity.topic === m.topic) &&
  (m.serial === undefined || d.identity.serial === m.serial) &&
  (m.hostname === undefined || d.identity.hostname === m.hostname);

/**
 * Judges one expected device against the discovered ones: fully right when its capability list
 * (capability, channel, state and command topic per channel) is exactly the expected one and the
 * expected model (if named) matched; wrong when it lists a channel that is not expected or binds
 * an expected channel differently (as opposed to leaving it out).
 */
export const judge = (
  fixture: Fixture,
  expected: ExpectedDevice,
  devices: readonly DiscoveredDevice[],
): Judgement => {
  const label = JSON.stringify(expected.match);
  const found = devices.filter((d) => matches(d, expected.match));
  if (found.length !== 1) {
    return {
      fixture: fixture.file,
      device: label,
      found: false,
      fullyRight: false,
      wrong: false,
      confidence: 0,
      onlineRight: false,
      problems: [
        found.length === 0
          ? `not found among ${devices.map((d) => JSON.stringify(d.name)).join(', ') || 'no devices'}`
          : `${found.length} devices match`,
      ],
    };
  }
  const device = found[0]!;
  const actual = capabilitiesJson(device);
  const want = new Set(expected.capabilities.map(key));
  const have = new Set(actual.map(key));
  const problems: string[] = [];
  const missing = expected.capabilities.filter((c) => !have.has(key(c)));
  const extra = actual.filter((c) => !want.has(key(c)));
  for (const c of missing) problems.push(`missing ${key(c)}`);
  for (const c of extra) problems.push(`unexpected ${key(c)}`);
  if (actual.length !== have.size) problems.push('a channel is listed twice');
  if (expected.model !== undefined && device.model?.id !== expected.model)
    problems.push(`model ${device.model?.id ?? 'none'}, expected ${expected.model}`);
  const onlineRight = device.online === expected.online;
  if (!onlineRight) problems.push(`online ${String(device.online)}, expected ${String(expected.online)}`);
  return {
    fixture: fixture.file,
    device: label,
    found: true,
    // Fully right is about what it offers (every channel, the right topics, the model); the
    // online state is judged on its own, as the targets count them separately.
    fullyRight: problems.length === (onlineRight ? 0 : 1),
    wrong:
      extra.length > 0 ||
      (expected.model !== undefined && !!device.model && device.model.id !== expected.model),
    confidence: device.model?.confidence ?? 0,
    onlineRight,
    problems: problems.concat(device.understanding ? [`understanding: ${device.understanding.summary}`] : []),
  };
};

/** The corpus figures: share fully right, wrong at confidence ≥ 0.8, share online right. */
export const figures = (judgements: readonly Judgement[]) => {
  const n = judgements.length;
  const pct = (k: number) => (n === 0 ? 0 : Math.round((k / n) * 1000) / 10);
  return {
    devices: n,
    fullyRightPercent: pct(judgements.filter((j) => j.fullyRight).length),
    wrongAtConfidence80: judgements.filter((j) => j.wrong && j.confidence >= 0.8).length,
    onlineRightPercent: pct(judgements.filter((j) => j.onlineRight).length),
  };
};
