/**
 * The binding runtime: turns "write `on` = true on this device" into the exact wire operation
 * its model prescribes, lists the subscriptions needed to observe it, and decodes incoming
 * MQTT messages back into capability values. Platform-free: the gateway and the flow engine
 * perform the returned operations with their own transports.
 */
import { decodeValue, encodeValue, resolveMappings, sameJson } from './mapping';
import type {
  DeviceModel,
  Implementation,
  Mapping,
  MappingRef,
  MessageCondition,
  MqttSubscription,
  WireOperation,
} from './schemas';
import { fillJson, fillText, MissingVariableError, readPath, topicMatches, type Variables } from './template';

/** A wire operation with every placeholder filled, ready for a transport to perform. */
export type WireAction =
  | { kind: 'mqtt'; topic: string; payload: string; qos: 0 | 1 | 2; retain: boolean }
  | {
      kind: 'http';
      method: 'GET' | 'POST' | 'PUT';
      url: string;
      body?: string;
      contentType?: string;
      valuePath?: string;
    }
  | {
      kind: 'rpc';
      via: 'http' | 'mqtt';
      /** The JSON-RPC frame to send (Shelly Gen2+: `id`, `src`, `method`, `params`). */
      frame: { id: number; src: string; method: string; params?: unknown };
      /** `POST` target when `via` is http. */
      url?: string;
      /** Request and response topics when `via` is mqtt. */
      topic?: string;
      responseTopic?: string;
      resultPath?: string;
    };

/** One subscription the device needs, with its filter filled in. */
export interface WireSubscription {
  readonly implementation: string;
  readonly kind: 'property' | 'event';
  readonly name: string;
  readonly topic: string;
}

/** A capability value decoded from one incoming message. */
export interface DecodedValue {
  readonly implementation: string;
  readonly capability: string;
  readonly kind: 'property' | 'event';
  readonly name: string;
  readonly value: unknown;
}

/** Why the runtime could not produce an operation or a value; `code` is stable for callers. */
export class BindingError extends Error {
  override readonly name = 'BindingError';
  constructor(
    readonly code: 'unknown_affordance' | 'unsupported' | 'missing_variable' | 'mapping_failed',
    message: string,
  ) {
    super(message);
  }
}

/** One device as the runtime sees it: its model, its instance variables, and its RPC client name. */
export interface BoundDevice {
  readonly model: DeviceModel;
  readonly variables: Variables;
  /** `src` of JSON-RPC frames; the device answers on `<src>/rpc`. */
  readonly rpcSource?: string;
  /** Preferred RPC channel when a binding allows both. */
  readonly rpcVia?: 'http' | 'mqtt';
}

const implementationOf = (device: BoundDevice, key: string): Implementation => {
  const impl = device.model.implements[key];
  if (!impl) {
    const known = Object.keys(device.model.implements).join(', ');
    throw new BindingError(
      'unknown_affordance',
      `${device.model.id} has no implementation "${key}" (it has ${known})`,
    );
  }
  return impl;
};

/** The variables a binding sees: model defaults, then the device's values, then the implementation's fixed ones. */
export const effectiveVariables = (device: BoundDevice, key: string): Record<string, string | number> => {
  const defaults: Record<string, string | number> = {};
  for (const [name, spec] of Object.entries(device.model.variables ?? {})) {
    if (spec.default !== undefined) defaults[name] = spec.default;
  }
  return { ...defaults, ...device.variables, ...(implementationOf(device, key).variables ?? {}) };
};

const withVariables = <T>(model: DeviceModel, what: string, run: () => T): T => {
  try {
    return run();
  } catch (error) {
    if (error instanceof MissingVariableError) {
      throw new BindingError(
        'missing_variable',
        `${what}: the device has no value for {${error.variable}}; set it on the device or give the model's variable a default (${model.id})`,
      );
    }
    throw error;
  }
};

const payloadText = (payload: unknown): string =>
  payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);

let rpcCounter = 0;

const perform = (
  device: BoundDevice,
  op: WireOperation,
  vars: Variables,
  value: unknown,
  what: string,
): WireAction =>
  withVariables(device.model, what, () => {
    switch (op.kind) {
      case 'mqtt':
        return {
          kind: 'mqtt',
          topic: fillText(op.topic, vars),
          payload: payloadText(fillJson(op.payload ?? '{{value}}', vars, value)),
          qos: op.qos ?? 0,
          retain: op.retain ?? false,
        };
      case 'http': {
        const body = op.body === undefined ? undefined : fillJson(op.body, vars, value);
        return {
          kind: 'http',
          method: op.method,
          url: fillText(op.url, vars, value, encodeURIComponent),
          ...(body === undefined
            ? {}
            : {
                body: payloadText(body),
                contentType: typeof body === 'string' ? 'text/plain' : 'application/json',
              }),
          ...(op.valuePath === undefined ? {} : { valuePath: fillText(op.valuePath, vars) }),
        };
      }
      case 'rpc': {
        const via = op.via ?? device.rpcVia ?? (vars.prefix !== undefined ? 'mqtt' : 'http');
        const src = device.rpcSource ?? 'fieldgraph';
        rpcCounter = (rpcCounter % 2_000_000_000) + 1;
        const params = op.params === undefined ? undefined : fillJson(op.params, vars, value);
        const frame = { id: rpcCounter, src, method: op.method, ...(params === undefined ? {} : { params }) };
        const resultPath = op.resultPath === undefined ? {} : { resultPath: fillText(op.resultPath, vars) };
        return via === 'mqtt'
          ? {
              kind: 'rpc',
              via,
              frame,
              topic: fillText('{prefix}/rpc', vars),
              responseTopic: `${src}/rpc`,
              ...resultPath,
            }
          : { kind: 'rpc', via, frame, url: fillText('http://{host}/rpc', vars), ...resultPath };
      }
    }
  });

/** Resolves a mapping chain and fills `{variable}` placeholders in enum device values (`{payload_on}`). */
const chainFor = (
  device: BoundDevice,
  refs: readonly MappingRef[] | undefined,
  vars: Variables,
  what: string,
) =>
  withVariables(device.model, what, () => {
    const chain = resolveMappings(refs, device.model.mappings);
    if (!chain.ok) throw new BindingError('mapping_failed', `${what}: ${chain.reason}`);
    return chain.mappings.map((m): Mapping =>
      m.kind === 'enum'
        ? { ...m, pairs: m.pairs.map((p) => ({ ...p, device: fillJson(p.device, vars) })) }
        : m,
    );
  });

const encode = (
  device: BoundDevice,
  refs: readonly MappingRef[] | undefined,
  vars: Variables,
  value: unknown,
  what: string,
): unknown => {
  const encoded = encodeValue(chainFor(device, refs, vars, what), value);
  if (!encoded.ok) {
    throw new BindingError(
      'mapping_failed',
      `${what}: cannot send ${JSON.stringify(value)}: ${encoded.reason}`,
    );
  }
  return encoded.value;
};

/** The wire operation that writes `value` to a property; throws BindingError when the model cannot. */
export const writeProperty = (
  device: BoundDevice,
  implementation: string,
  property: string,
  value: unknown,
): WireAction => {
  const impl = implementationOf(device, implementation);
  const what = `${device.model.id} ${implementation}.${property}`;
  const binding = impl.properties?.[property];
  if (!binding)
    throw new BindingError('unknown_affordance', `${what}: the model does not bind this property`);
  if (!binding.write)
    throw new BindingError('unsupported', `${what}: the property cannot be written on this model`);
  const vars = effectiveVariables(device, implementation);
  return perform(device, binding.write, vars, encode(device, binding.map, vars, value, what), what);
};

/** The wire operation that reads a property on demand (HTTP or RPC); throws BindingError when the model has none. */
export const readProperty = (device: BoundDevice, implementation: string, property: string): WireAction => {
  const impl = implementationOf(device, implementation);
  const what = `${device.model.id} ${implementation}.${property}`;
  const binding = impl.properties?.[property];
  if (!binding?.read) {
    throw new BindingError('unsupported', `${what}: the model has no read operation for this property`);
  }
  return perform(device, binding.read, effectiveVariables(device, implementation), undefined, what);
};

/** The wire operation that invokes an action with `input`; throws BindingError when the model cannot. */
export const invokeAction = (
  device: BoundDevice,
  implementation: string,
  action: string,
  input?: unknown,
): WireAction => {
  const impl = implementationOf(device, implementation);
  const what = `${device.model.id} ${implementation}.${action}()`;
  const binding = impl.actions?.[action];
  if (!binding) throw new BindingError('unknown_affordance', `${what}: the model does not bind this action`);
  const vars = effectiveVariables(device, implementation);
  const wire = input === undefined ? undefined : encode(device, binding.map, vars, input, what);
  return perform(device, binding.invoke, vars, wire, what);
};

/**
 * True when an implementation applies to a device with these variables (see `when` in the
 * schema): every listed variable is set and its comma-separated value holds one of the options.
 */
export const implementationApplies = (impl: Implementation, vars: Variables): boolean =>
  Object.entries(impl.when ?? {}).every(([name, options]) => {
    if (!Object.hasOwn(vars, name) || vars[name] === '') return false;
    const have = String(vars[name])
      .split(',')
      .map((v) => v.trim());
    return options.some((o) => o === '*' || have.includes(o));
  });

/** The keys of the implementations that apply to this device, in model order. */
export const applicableImplementations = (device: BoundDevice): string[] =>
  Object.entries(device.model.implements)
    .filter(([key, impl]) => implementationApplies(impl, effectiveVariables(device, key)))
    .map(([key]) => key);

interface Listener {
  readonly implementation: string;
  readonly capability: string;
  readonly kind: 'property' | 'event';
  readonly name: string;
  readonly sub: MqttSubscription;
  readonly topic: string;
  readonly vars: Variables;
  readonly map: readonly MappingRef[] | undefined;
}

const listeners = (device: BoundDevice): Listener[] => {
  const out: Listener[] = [];
  for (const [key, impl] of Object.entries(device.model.implements)) {
    const vars = effectiveVariables(device, key);
    if (!implementationApplies(impl, vars)) continue;
    const push = (
      kind: 'property' | 'event',
      name: string,
      subs: readonly MqttSubscription[] | undefined,
      map: Listener['map'],
    ) => {
      for (const sub of subs ?? []) {
        const topic = withVariables(device.model, `${device.model.id} ${key}.${name}`, () =>
          fillText(sub.topic, vars),
        );
        out.push({ implementation: key, capability: impl.capability, kind, name, sub, topic, vars, map });
      }
    };
    for (const [name, b] of Object.entries(impl.properties ?? {})) push('property', name, b.observe, b.map);
    for (const [name, b] of Object.entries(impl.events ?? {})) push('event', name, b.subscribe, b.map);
  }
  return out;
};

/** Every subscription needed to observe the device's properties and events (filters filled in, one per binding). */
export const subscriptionsFor = (device: BoundDevice): WireSubscription[] =>
  listeners(device).map(({ implementation, kind, name, topic }) => ({ implementation, kind, name, topic }));

/** The distinct topic filters to subscribe to for a device. */
export const topicFiltersFor = (device: BoundDevice): string[] => [
  ...new Set(listeners(device).map((l) => l.topic)),
];

const meets = (
  message: unknown,
  conditions: readonly MessageCondition[] | undefined,
  vars: Variables,
): boolean =>
  (conditions ?? []).every((c) => {
    const at = readPath(message, fillText(c.path, vars));
    if (c.exists !== undefined && at.found !== c.exists) return false;
    if (c.equals !== undefined) return at.found && sameJson(at.value, fillJson(c.equals, vars));
    return c.exists !== undefined || at.found;
  });

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

/**
 * Decodes one incoming MQTT message into the capability values it carries. A message that
 * matches no binding, or lacks the value path, yields nothing for that binding; a payload that
 * is not JSON where JSON is needed, or a failed mapping, is reported to `onProblem` (for traces).
 */
export const decodeMessage = (
  device: BoundDevice,
  topic: string,
  /** The payload as UTF-8 text (transports decode bytes; the core has no TextDecoder). */
  payload: string,
  onProblem?: (problem: string) => void,
): DecodedValue[] => {
  let json: { ok: true; value: unknown } | { ok: false } | undefined;
  const out: DecodedValue[] = [];
  for (const l of listeners(device)) {
    if (!topicMatches(l.topic, topic)) continue;
    const what = `${l.implementation}.${l.name}`;
    try {
      const path = fillText(l.sub.valuePath ?? '', l.vars);
      const wantsJson = l.sub.format === 'json' || (l.sub.format !== 'text' && (path !== '' || l.sub.where));
      let raw: unknown = payload;
      if (wantsJson) {
        json ??= parseJson(payload);
        if (!json.ok) {
          onProblem?.(`${topic}: the payload is not JSON, so ${what} cannot be read from it`);
          continue;
        }
        if (!meets(json.value, l.sub.where, l.vars)) continue;
        const at = readPath(json.value, path);
        if (!at.found) continue;
        raw = at.value;
      }
      const decoded = decodeValue(chainFor(device, l.map, l.vars, what), raw);
      if (!decoded.ok) {
        onProblem?.(`${topic}: ${what}: ${decoded.reason}`);
        continue;
      }
      out.push({
        implementation: l.implementation,
        capability: l.capability,
        kind: l.kind,
        name: l.name,
        value: decoded.value,
      });
    } catch (error) {
      if (!(error instanceof BindingError || error instanceof MissingVariableError)) throw error;
      onProblem?.(`${topic}: ${what}: ${error.message}`);
    }
  }
  return out;
};

/** Decodes the response of a read operation (HTTP body or RPC result) into the property's value. */
export const decodeReadResult = (
  device: BoundDevice,
  implementation: string,
  property: string,
  action: WireAction,
  response: unknown,
): unknown => {
  const binding = implementationOf(device, implementation).properties?.[property];
  const what = `${device.model.id} ${implementation}.${property}`;
  const path =
    action.kind === 'http' ? action.valuePath : action.kind === 'rpc' ? action.resultPath : undefined;
  let body = response;
  if (typeof body === 'string' && path) {
    const parsed = parseJson(body);
    if (!parsed.ok) throw new BindingError('mapping_failed', `${what}: the response is not JSON`);
    body = parsed.value;
  }
  const at = readPath(body, path ?? '');
  if (!at.found) throw new BindingError('mapping_failed', `${what}: the response has nothing at "${path}"`);
  const decoded = decodeValue(
    chainFor(device, binding?.map, effectiveVariables(device, implementation), what),
    at.value,
  );
  if (!decoded.ok) throw new BindingError('mapping_failed', `${what}: ${decoded.reason}`);
  return decoded.value;
};
