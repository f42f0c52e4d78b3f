/**
 * Discovery match rules at run time: does an mDNS service, a USB adapter or an MQTT message
 * fit a device model's rules, and which instance variables (topic, prefix, host…) does it
 * give? Also expands Home Assistant discovery configs (abbreviations, `~`) so rules can
 * capture `ha.state_topic` whichever spelling the device used.
 */
import type { Catalog } from './catalog';
import type { DiscoveryRule, MessageCondition } from './schemas';
import { topicMatches } from '../topics/match';
import { readPath, valuePathFromHaTemplate } from './template';
import { sameJson } from './mapping';
import { HA_ABBREVIATIONS, HA_DEVICE_ABBREVIATIONS, HA_ORIGIN_ABBREVIATIONS } from './ha-abbreviations';

/** Something discovery saw, in the shape match rules test. */
export type Observation =
  | {
      readonly kind: 'mdns';
      /** `_shelly._tcp` (a trailing `.local` is ignored). */
      readonly service: string;
      readonly instance: string;
      readonly host?: string;
      readonly txt: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'usb'; readonly vid: string; readonly pid?: string }
  | {
      readonly kind: 'mqtt';
      readonly topic: string;
      readonly payload: string;
      /** Another message the same device sent, by topic (for rules with `siblings`). */
      readonly seen?: (topic: string) => string | undefined;
    };

/** One model that fits an observation, with the variables the rule captured. */
export interface DiscoveryMatch {
  readonly model: string;
  /** Index of the rule in the model's `discovery`. */
  readonly rule: number;
  /** How many conditions the rule checked: more is a more telling match. */
  readonly specificity: number;
  readonly variables: Readonly<Record<string, string | number>>;
}

/**
 * A Home Assistant discovery config with abbreviated keys spelled out and the `~` base topic
 * substituted at the start or end of every `*_topic` value (as HA does); the first entry of an
 * `availability` list fills `availability_topic` and its payloads when those are absent.
 */
export const expandHaDiscoveryConfig = (config: unknown): Record<string, unknown> => {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[HA_ABBREVIATIONS[k] ?? k] = v;
  const nested = (value: unknown, table: Readonly<Record<string, string>>) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [table[k] ?? k, v]))
      : value;
  if (out.device !== undefined) out.device = nested(out.device, HA_DEVICE_ABBREVIATIONS);
  if (out.origin !== undefined) out.origin = nested(out.origin, HA_ORIGIN_ABBREVIATIONS);
  if (Array.isArray(out.availability))
    out.availability = out.availability.map((a) => nested(a, HA_ABBREVIATIONS));
  const base = typeof out['~'] === 'string' ? out['~'] : undefined;
  if (base !== undefined) {
    for (const [k, v] of Object.entries(out)) {
      if (!k.endsWith('_topic') || typeof v !== 'string') continue;
      out[k] = v.startsWith('~') ? base + v.slice(1) : v.endsWith('~') ? v.slice(0, -1) + base : v;
    }
  }
  const first = Array.isArray(out.availability)
    ? (out.availability[0] as Record<string, unknown> | undefined)
    : undefined;
  if (first && typeof first === 'object' && out.availability_topic === undefined) {
    const topic = first.topic;
    if (typeof topic === 'string')
      out.availability_topic = topic.startsWith('~') && base ? base + topic.slice(1) : topic;
    const on = first.payload_available;
    const off = first.payload_not_available;
    if (typeof on === 'string') out.payload_available ??= on;
    if (typeof off === 'string') out.payload_not_available ??= off;
  }
  return out;
};

const test = (pattern: string, text: string): boolean => {
  try {
    return new RegExp(pattern, 'i').test(text);
  } catch {
    return false;
  }
};

const meets = (message: unknown, conditions: readonly MessageCondition[]): boolean =>
  conditions.every((c) => {
    const at = readPath(message, c.path);
    if (c.exists !== undefined && at.found !== c.exists) return false;
    if (c.equals !== undefined) return at.found && sameJson(at.value, c.equals);
    return c.exists !== undefined || at.found;
  });

const parse = (payload: string): unknown => {
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
};

const capture = (
  source: string,
  obs: Observation,
  json: () => unknown,
  ha: () => Record<string, unknown>,
): unknown => {
  if (obs.kind === 'mdns') {
    if (source === 'instance') return obs.instance;
    if (source === 'host') return obs.host?.replace(/\.local\.?$/, '');
    if (source.startsWith('txt.')) {
      const key = source.slice(4).toLowerCase();
      const found = Object.entries(obs.txt).find(([k]) => k.toLowerCase() === key);
      return found?.[1];
    }
    return undefined;
  }
  if (obs.kind !== 'mqtt') return undefined;
  const range = /^topic\.(\d+)(?:\.\.(\d+))?$/.exec(source);
  if (range) {
    const parts = obs.topic.split('/');
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    return to < parts.length ? parts.slice(from, to + 1).join('/') : undefined;
  }
  if (source.startsWith('payload.')) {
    const at = readPath(json(), source.slice(8));
    return at.found ? at.value : undefined;
  }
  if (source.startsWith('ha.')) {
    const key = source.slice(3);
    const value = ha()[key];
    // A value template becomes a value path; one we cannot evaluate gives no variable.
    return key === 'value_template' && typeof value === 'string' ? valuePathFromHaTemplate(value) : value;
  }
  return undefined;
};

/**
 * Whether one rule fits an observation; on a match, the variables it captured (lists of
 * strings are joined with commas; sources that yield nothing else usable are left out).
 */
export const matchDiscoveryRule = (
  rule: DiscoveryRule,
  obs: Observation,
): { specificity: number; variables: Record<string, string | number> } | undefined => {
  let json: unknown;
  let parsed = false;
  const payloadJson = () => {
    if (!parsed && obs.kind === 'mqtt') {
      json = parse(obs.payload);
      parsed = true;
    }
    return json;
  };
  let expanded: Record<string, unknown> | undefined;
  const ha = () => (expanded ??= expandHaDiscoveryConfig(payloadJson()));
  let specificity = 1;
  if (rule.kind === 'usb') {
    if (obs.kind !== 'usb' || obs.vid.toLowerCase() !== rule.vid.toLowerCase()) return undefined;
    if (rule.pid !== undefined) {
      if (obs.pid?.toLowerCase() !== rule.pid.toLowerCase()) return undefined;
      specificity++;
    }
    return { specificity, variables: {} };
  }
  if (rule.kind === 'mdns') {
    if (obs.kind !== 'mdns') return undefined;
    if (obs.service.replace(/\.local\.?$/, '').toLowerCase() !== rule.service.toLowerCase()) return undefined;
    for (const [key, pattern] of Object.entries(rule.txt ?? {})) {
      const value = capture(`txt.${key}`, obs, payloadJson, ha);
      if (typeof value !== 'string' || !test(pattern, value)) return undefined;
      specificity++;
    }
    if (rule.instance !== undefined) {
      if (!test(rule.instance, obs.instance)) return undefined;
      specificity++;
    }
  } else {
    if (obs.kind !== 'mqtt' || !topicMatches(rule.topic, obs.topic)) return undefined;
    if (rule.payload !== undefined) {
      if (!test(rule.payload, obs.payload)) return undefined;
      specificity++;
    }
    if (rule.where?.length) {
      if (!meets(payloadJson(), rule.where)) return undefined;
      specificity += rule.where.length;
    }
    const parent = obs.topic.slice(0, obs.topic.lastIndexOf('/'));
    for (const [name, pattern] of Object.entries(rule.siblings ?? {})) {
      const payload = obs.seen?.(`${parent}/${name}`);
      if (payload === undefined || !test(pattern, payload)) return undefined;
      specificity++;
    }
  }
  const variables: Record<string, string | number> = {};
  for (const [name, source] of Object.entries(rule.capture ?? {})) {
    const value = capture(source, obs, payloadJson, ha);
    if (typeof value === 'string' || typeof value === 'number') variables[name] = value;
    // A list (HA supported_color_modes) becomes the comma-separated form `when` tests.
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
      variables[name] = value.join(',');
    }
  }
  return { specificity, variables };
};

/** Every device model with a rule that fits the observation, most specific first (then by id). */
export const matchModels = (catalog: Pick<Catalog, 'models'>, obs: Observation): DiscoveryMatch[] => {
  const out: DiscoveryMatch[] = [];
  for (const model of catalog.models.values()) {
    let best: DiscoveryMatch | undefined;
    (model.discovery ?? []).forEach((rule, i) => {
      const m = matchDiscoveryRule(rule, obs);
      if (m && (!best || m.specificity > best.specificity)) {
        best = { model: model.id, rule: i, specificity: m.specificity, variables: m.variables };
      }
    });
    if (best) out.push(best);
  }
  return out.sort((a, b) => b.specificity - a.specificity || a.model.localeCompare(b.model));
};
