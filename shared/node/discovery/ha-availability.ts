/**
 * Home Assistant availability as discovery configs declare it: `availability_topic` with its
 * payloads and template, or an `availability` list of topics (each with payloads and a
 * `value_template`), combined by `availability_mode` (`latest`, `all`, `any`). A topic not heard
 * from yet counts as unavailable once any of them has spoken, as in Home Assistant; while none
 * has, the state is unknown.
 */
import {
  checkHaTemplate,
  renderHaTemplate,
  TemplateError,
  type HaTemplate,
} from '../../core/model/ha-template';

/** One availability topic and how to read it. */
export interface HaAvailabilityTopic {
  readonly topic: string;
  readonly available: string;
  readonly notAvailable: string;
  /** A template in the subset; null when it is not read (its reason is in `problems`). */
  readonly template?: HaTemplate | null;
}

/** An entity's availability: its topics and how they combine. */
export interface HaAvailability {
  readonly topics: readonly HaAvailabilityTopic[];
  readonly mode: 'latest' | 'all' | 'any';
  /** Templates we could not read, as sentences. */
  readonly problems: readonly string[];
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

const compile = (source: unknown, problems: string[]): HaTemplate | null | undefined => {
  if (typeof source !== 'string' || source.trim() === '') return undefined;
  const checked = checkHaTemplate(source);
  if (checked.ok) return checked.template;
  problems.push(`its availability template ${checked.reason}`);
  return null;
};

const expandBase = (topic: string, base: unknown): string =>
  typeof base !== 'string' || !base
    ? topic
    : topic.startsWith('~')
      ? base + topic.slice(1)
      : topic.endsWith('~')
        ? topic.slice(0, -1) + base
        : topic;

/** The availability an expanded discovery config declares, or null when it declares none. */
export const haAvailability = (config: Readonly<Record<string, unknown>>): HaAvailability | null => {
  const problems: string[] = [];
  const topics: HaAvailabilityTopic[] = [];
  const on = text(config.payload_available) ?? 'online';
  const off = text(config.payload_not_available) ?? 'offline';
  const single = text(config.availability_topic);
  const list = Array.isArray(config.availability) ? config.availability : [];
  // expandHaDiscoveryConfig fills availability_topic from the list's first entry: not a second topic.
  const first = list[0] as Record<string, unknown> | undefined;
  if (single && !(first && expandBase(String(first.topic ?? ''), config['~']) === single)) {
    const template = compile(config.availability_template, problems);
    topics.push({
      topic: single,
      available: on,
      notAvailable: off,
      ...(template === undefined ? {} : { template }),
    });
  }
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const rec = item as Record<string, unknown>;
    const topic = text(rec.topic);
    if (!topic) continue;
    const template = compile(rec.value_template, problems);
    topics.push({
      topic: expandBase(topic, config['~']),
      available: text(rec.payload_available) ?? 'online',
      notAvailable: text(rec.payload_not_available) ?? 'offline',
      ...(template === undefined ? {} : { template }),
    });
  }
  if (topics.length === 0) return null;
  const mode =
    config.availability_mode === 'all' || config.availability_mode === 'any'
      ? config.availability_mode
      : 'latest';
  return { topics, mode, problems };
};

/** What one availability message says: true, false, or null when it matches neither payload. */
export const readAvailability = (topic: HaAvailabilityTopic, payload: string): boolean | null => {
  if (topic.template === null) return null;
  let value = payload;
  if (topic.template) {
    try {
      value = renderHaTemplate(topic.template, payload);
    } catch (error) {
      if (error instanceof TemplateError) return null;
      throw error;
    }
  }
  return value === topic.available ? true : value === topic.notAvailable ? false : null;
};

/**
 * Combines what each topic last said (undefined: not heard) by the mode; `latest` is the state
 * of the topic heard last. Null while no topic has said anything usable.
 */
export const combineAvailability = (
  availability: HaAvailability,
  heard: ReadonlyMap<string, { readonly state: boolean | null; readonly at: number }>,
): boolean | null => {
  const states = availability.topics.map((t) => heard.get(t.topic));
  const known = states.filter(
    (s): s is { state: boolean; at: number } => s !== undefined && s.state !== null,
  );
  if (known.length === 0) return null;
  if (availability.mode === 'latest') return known.reduce((a, b) => (b.at >= a.at ? b : a)).state;
  const flags = states.map((s) => s?.state === true);
  return availability.mode === 'all' ? flags.every(Boolean) : flags.some(Boolean);
};
