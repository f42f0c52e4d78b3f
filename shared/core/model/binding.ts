/**
 * The binding runtime, outgoing half: turns "write `on` = true on this device" into the exact
 * wire operation its model prescribes, and decodes read responses. The incoming half
 * (subscriptions, decoding MQTT messages) is in observe.ts. Platform-free: the gateway and the
 * flow engine perform the returned operations with their own transports.
 */
import { decodeValue, encodeValue, resolveMappings } from './mapping';
import type { DeviceModel, Implementation, Mapping, MappingRef, WireOperation } from './schemas';
import { fillJson, fillText, MissingVariableError, readPath, type Variables } from './template';

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

/** Resolves a mapping chain and fills `{variable}` placeholders in enum device values (`{payload_on}`); throws BindingError for an undefined mapping or variable. */
export const mappingChain = (
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
  const encoded = encodeValue(mappingChain(device, refs, vars, what), value);
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

/**
 * What keeps an implementation from applying, when it is only settings the device lacks: the
 * variables its `when` tests that have no value (empty when it applies). Null when a variable
 * that is set rules it out, since then the device is another configuration, not an unfinished one.
 */
export const unsetConditions = (impl: Implementation, vars: Variables): string[] | null => {
  const unset: string[] = [];
  for (const [name, options] of Object.entries(impl.when ?? {})) {
    if (!Object.hasOwn(vars, name) || vars[name] === '') unset.push(name);
    else if (!implementationApplies({ ...impl, when: { [name]: options } }, vars)) return null;
  }
  return unset;
};

/** The keys of the implementations that apply to this device, in model order. */
export const applicableImplementations = (device: BoundDevice): string[] =>
  Object.entries(device.model.implements)
    .filter(([key, impl]) => implementationApplies(impl, effectiveVariables(device, key)))
    .map(([key]) => key);

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
    try {
      body = JSON.parse(body);
    } catch {
      throw new BindingError('mapping_failed', `${what}: the response is not JSON`);
    }
  }
  const at = readPath(body, path ?? '');
  if (!at.found) throw new BindingError('mapping_failed', `${what}: the response has nothing at "${path}"`);
  const decoded = decodeValue(
    mappingChain(device, binding?.map, effectiveVariables(device, implementation), what),
    at.value,
  );
  if (!decoded.ok) throw new BindingError('mapping_failed', `${what}: ${decoded.reason}`);
  return decoded.value;
};
