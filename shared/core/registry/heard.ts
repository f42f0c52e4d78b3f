/**
 * Which MQTT topics belong to a device, so that every message it sends can refresh its "last
 * seen" — not only the discovery messages (an LWT, a retained config) that found it. Two kinds:
 * exact topics the device named (Home Assistant state and availability topics, the messages
 * discovery kept as evidence), and the topic levels a device topic owns (`demo_relay` owns
 * `tele/demo_relay/…`, `stat/demo_relay/…`; a Shelly or ESPHome prefix owns `<prefix>/…`;
 * a Homie id owns `homie/<id>/…`).
 */
import type { Sighting } from './types';

/** The topics a sighting owns: exact topics, and prefixes (ending in `/`) every topic below belongs to. */
export interface HeardTopics {
  readonly exact: readonly string[];
  readonly prefixes: readonly string[];
}

// First levels under which the second level names the device (Tasmota, Homie, Shelly Gen1).
const DEVICE_SECOND_LEVEL = ['tele', 'stat', 'cmnd', 'homie', 'shellies'];
const MAX_TOPICS = 200;
const MAX_DEPTH = 5;
const looksLikeTopic = (value: string): boolean =>
  value.length <= 300 && value.includes('/') && !/[\s#+]/.test(value) && !/^[a-z]+:\/\//i.test(value);

// Home Assistant's `~` abbreviation stands for the base topic at the start or end of a topic.
const expandBase = (topic: string, base: string | undefined): string =>
  base === undefined ? topic : topic.replace(/^~/, base).replace(/~$/, base);

/** The topics `sighting` owns (MQTT sightings only; bounded to 200 exact topics). */
export const heardTopics = (sighting: Sighting): HeardTopics => {
  if (sighting.source !== 'mqtt') return { exact: [], prefixes: [] };
  const exact = new Set<string>();
  for (const key of Object.keys(sighting.facts)) if (key.startsWith('topic:')) exact.add(key.slice(6));
  const walk = (value: unknown, base: string | undefined, depth: number): void => {
    if (exact.size >= MAX_TOPICS || depth > MAX_DEPTH) return;
    if (typeof value === 'string') {
      const topic = expandBase(value, base);
      if (looksLikeTopic(topic)) exact.add(topic);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, base, depth + 1);
    } else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const own = typeof record['~'] === 'string' ? record['~'] : base;
      // Command topics carry messages to the device, not from it.
      for (const [key, item] of Object.entries(record))
        if (key !== '~' && !/cmd|command/i.test(key)) walk(item, own, depth + 1);
    }
  };
  walk(sighting.raw, undefined, 0);
  // Each announced entity keeps its own config and state topic.
  walk(sighting.entities ?? [], undefined, 0);
  const prefixes: string[] = [];
  const topic = sighting.identity.topic;
  if (topic && looksLikeTopic(`${topic}/x`) && !topic.includes('/')) {
    prefixes.push(`${topic}/`, ...DEVICE_SECOND_LEVEL.map((level) => `${level}/${topic}/`));
  }
  return { exact: [...exact], prefixes };
};

/** The index keys a message topic is looked up under: itself, then its first one and two levels as prefixes. */
export const heardKeys = (topic: string): string[] => {
  const first = topic.indexOf('/');
  if (first < 0) return [topic];
  const second = topic.indexOf('/', first + 1);
  return second < 0
    ? [topic, topic.slice(0, first + 1)]
    : [topic, topic.slice(0, first + 1), topic.slice(0, second + 1)];
};
