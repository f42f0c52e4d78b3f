/**
 * The binding runtime, incoming half: which MQTT subscriptions a device needs, and how an
 * incoming (topic, payload) becomes capability values. `compileDevice` does the per-device work
 * once (fills topics and paths, resolves mapping chains, indexes exact topics) so the gateway's
 * per-message cost is a map lookup, one JSON.parse and the mapping.
 */
import {
  BindingError,
  effectiveVariables,
  implementationApplies,
  mappingChain,
  type BoundDevice,
} from './binding';
import { decodeValue, sameJson } from './mapping';
import type { Mapping, Subscription } from './schemas';
import { hasWildcard, topicMatches } from '../topics/match';
import { fillJson, fillText, MissingVariableError, readPath } from './template';

/** One MQTT subscription the device needs, with its filter filled in. */
export interface WireSubscription {
  readonly implementation: string;
  readonly kind: 'property' | 'event';
  readonly name: string;
  readonly topic: string;
}

/** One HTTP resource (long-poll or server-sent events) the device tells values on, URL filled in. */
export interface HttpWireSubscription {
  readonly implementation: string;
  readonly kind: 'property' | 'event';
  readonly name: string;
  readonly url: string;
  readonly mode: 'longpoll' | 'sse';
  /** For SSE: only messages of this event type. */
  readonly event?: string;
}

/** A capability value decoded from one incoming message. */
export interface DecodedValue {
  readonly implementation: string;
  readonly capability: string;
  readonly kind: 'property' | 'event';
  readonly name: string;
  readonly value: unknown;
}

interface Condition {
  readonly path: string;
  readonly equals?: unknown;
  readonly exists?: boolean;
}

interface Listener {
  readonly implementation: string;
  readonly kind: 'property' | 'event';
  readonly name: string;
  /** The MQTT topic filter, or the HTTP resource. */
  readonly source:
    { readonly topic: string } | Omit<HttpWireSubscription, 'implementation' | 'kind' | 'name'>;
  readonly capability: string;
  readonly json: boolean;
  readonly path: string;
  readonly where: readonly Condition[];
  readonly chain: readonly Mapping[];
}

/** A device prepared for decoding: its subscriptions, and a decoder for its messages. */
export interface CompiledDevice {
  /** One entry per MQTT subscription binding, in model order. */
  readonly subscriptions: readonly WireSubscription[];
  /** One entry per HTTP subscription binding, in model order; `decodeHttp` takes its index. */
  readonly httpSubscriptions: readonly HttpWireSubscription[];
  /** The distinct topic filters to subscribe to. */
  readonly topicFilters: readonly string[];
  /** Bindings left out because a variable or mapping is missing, each as a sentence. */
  readonly problems: readonly string[];
  /** Decodes one message (payload as UTF-8 text); failures go to `onProblem`, never thrown. */
  decode(topic: string, payload: string, onProblem?: (problem: string) => void): DecodedValue[];
  /** Decodes one value that came on HTTP subscription `index` (payload as UTF-8 text). */
  decodeHttp(index: number, payload: string, onProblem?: (problem: string) => void): DecodedValue[];
}

const compileListener = (
  device: BoundDevice,
  key: string,
  capability: string,
  kind: 'property' | 'event',
  name: string,
  sub: Subscription,
  map: Parameters<typeof mappingChain>[1],
  vars: ReturnType<typeof effectiveVariables>,
): Listener => {
  const what = `${device.model.id} ${key}.${name}`;
  try {
    const path = fillText(sub.valuePath ?? '', vars);
    return {
      implementation: key,
      capability,
      kind,
      name,
      source:
        sub.kind === 'mqtt'
          ? { topic: fillText(sub.topic, vars) }
          : {
              url: fillText(sub.url, vars),
              mode: sub.mode,
              ...(sub.event === undefined ? {} : { event: fillText(sub.event, vars) }),
            },
      json: sub.format === 'json' || (sub.format !== 'text' && (path !== '' || Boolean(sub.where?.length))),
      path,
      where: (sub.where ?? []).map((c) => ({
        path: fillText(c.path, vars),
        ...(c.equals === undefined ? {} : { equals: fillJson(c.equals, vars) }),
        ...(c.exists === undefined ? {} : { exists: c.exists }),
      })),
      chain: mappingChain(device, map, vars, what),
    };
  } catch (error) {
    if (error instanceof MissingVariableError) {
      throw new BindingError(
        'missing_variable',
        `${what}: the device has no value for {${error.variable}}; set it on the device or give the model's variable a default`,
      );
    }
    throw error;
  }
};

const meets = (message: unknown, conditions: readonly Condition[]): boolean =>
  conditions.every((c) => {
    const at = readPath(message, c.path);
    if (c.exists !== undefined && at.found !== c.exists) return false;
    if (c.equals !== undefined) return at.found && sameJson(at.value, c.equals);
    return c.exists !== undefined || at.found;
  });

/** Prepares a device for decoding; bindings that cannot work (missing variable) are listed in `problems` and skipped. */
export const compileDevice = (device: BoundDevice): CompiledDevice => {
  const listeners: Listener[] = [];
  const problems: string[] = [];
  for (const [key, impl] of Object.entries(device.model.implements)) {
    const vars = effectiveVariables(device, key);
    if (!implementationApplies(impl, vars)) continue;
    const add = (
      kind: 'property' | 'event',
      name: string,
      subs: readonly Subscription[] | undefined,
      map: Parameters<typeof mappingChain>[1],
    ) => {
      for (const sub of subs ?? []) {
        try {
          listeners.push(compileListener(device, key, impl.capability, kind, name, sub, map, vars));
        } catch (error) {
          if (!(error instanceof BindingError)) throw error;
          problems.push(error.message);
        }
      }
    };
    for (const [name, b] of Object.entries(impl.properties ?? {})) add('property', name, b.observe, b.map);
    for (const [name, b] of Object.entries(impl.events ?? {})) add('event', name, b.subscribe, b.map);
  }
  const mqtt = listeners.filter((l): l is Listener & { source: { topic: string } } => 'topic' in l.source);
  const http = listeners.filter((l) => !('topic' in l.source));
  const exact = new Map<string, Listener[]>();
  const wild: Listener[] = [];
  for (const l of mqtt) {
    if (hasWildcard(l.source.topic)) wild.push(l);
    else exact.set(l.source.topic, [...(exact.get(l.source.topic) ?? []), l]);
  }
  const order = new Map(listeners.map((l, i) => [l, i]));
  const topicOf = (l: Listener) => ('topic' in l.source ? l.source.topic : '');
  const decodeWith = (
    matching: readonly Listener[],
    where: string,
    payload: string,
    onProblem?: (problem: string) => void,
  ): DecodedValue[] => {
    const out: DecodedValue[] = [];
    let parsed: { ok: true; value: unknown } | { ok: false } | undefined;
    for (const l of matching) {
      let raw: unknown = payload;
      if (l.json) {
        if (!parsed) {
          try {
            parsed = { ok: true, value: JSON.parse(payload) };
          } catch {
            parsed = { ok: false };
          }
        }
        if (!parsed.ok) {
          onProblem?.(
            `${where}: the payload is not JSON, so ${l.implementation}.${l.name} cannot be read from it`,
          );
          continue;
        }
        if (l.where.length && !meets(parsed.value, l.where)) continue;
        const at = readPath(parsed.value, l.path);
        if (!at.found) continue;
        raw = at.value;
      }
      const decoded = l.chain.length ? decodeValue(l.chain, raw) : { ok: true as const, value: raw };
      if (!decoded.ok) {
        onProblem?.(`${where}: ${l.implementation}.${l.name}: ${decoded.reason}`);
        continue;
      }
      out.push({
        implementation: l.implementation,
        capability: l.capability,
        kind: l.kind,
        name: l.name,
        value: decoded.value,
      });
    }
    return out;
  };
  return {
    subscriptions: mqtt.map((l) => ({
      implementation: l.implementation,
      kind: l.kind,
      name: l.name,
      topic: l.source.topic,
    })),
    httpSubscriptions: http.map((l) => ({
      implementation: l.implementation,
      kind: l.kind,
      name: l.name,
      ...(l.source as Omit<HttpWireSubscription, 'implementation' | 'kind' | 'name'>),
    })),
    topicFilters: [...new Set(mqtt.map(topicOf))],
    problems,
    decode(topic, payload, onProblem) {
      const direct = exact.get(topic) ?? [];
      const matching = wild.length
        ? [...direct, ...wild.filter((l) => topicMatches(topicOf(l), topic))].sort(
            (a, b) => order.get(a)! - order.get(b)!,
          )
        : direct;
      return decodeWith(matching, topic, payload, onProblem);
    },
    decodeHttp(index, payload, onProblem) {
      const l = http[index];
      if (!l) return [];
      return decodeWith([l], 'url' in l.source ? l.source.url : '', payload, onProblem);
    },
  };
};

/** Every subscription needed to observe the device's properties and events; throws BindingError when a variable is missing. */
export const subscriptionsFor = (device: BoundDevice): WireSubscription[] => {
  const compiled = compileDevice(device);
  if (compiled.problems.length) throw new BindingError('missing_variable', compiled.problems.join('; '));
  return [...compiled.subscriptions];
};

/** The distinct topic filters to subscribe to for a device; throws BindingError when a variable is missing. */
export const topicFiltersFor = (device: BoundDevice): string[] => [
  ...new Set(subscriptionsFor(device).map((s) => s.topic)),
];

// Compiled forms by device object: callers that keep their BoundDevice (the gateway does) pay
// for compiling once. A BoundDevice is treated as immutable; build a new one to change it.
const compiledByDevice = new WeakMap<BoundDevice, CompiledDevice>();

/**
 * Decodes one message for a device. The compiled form is cached per device object, so calling
 * this for every message costs what `compileDevice(device).decode` costs; a device whose
 * bindings miss variables reports them to `onProblem` on every call.
 */
export const decodeMessage = (
  device: BoundDevice,
  topic: string,
  payload: string,
  onProblem?: (problem: string) => void,
): DecodedValue[] => {
  let compiled = compiledByDevice.get(device);
  if (!compiled) {
    compiled = compileDevice(device);
    compiledByDevice.set(device, compiled);
  }
  compiled.problems.forEach((p) => onProblem?.(p));
  return compiled.decode(topic, payload, onProblem);
};
