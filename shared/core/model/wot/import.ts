/**
 * Imports a W3C WoT Thing Description or Thing Model as a device model plus the capabilities it
 * needs. A TD exported by Fieldgraph (it carries `fg:model`) comes back as the same model; any
 * other TD becomes one capability named after its title and a model binding each affordance
 * through its MQTT or HTTP forms. TM placeholders `{{NAME}}` become instance variables.
 */
import { createCatalog, type Catalog } from '../catalog';
import { joinPath, problem, type Problem } from '../problems';
import {
  NAME_PATTERN,
  type ActionAffordance,
  type Capability,
  type DataSchema,
  type DeviceModel,
  type EventAffordance,
  type Implementation,
  type Mapping,
  type MqttSubscription,
  type PropertyAffordance,
  type VariableSpec,
  type WireOperation,
} from '../schemas';
import { validateCapability, validateDeviceModel } from '../validate';
import { TD_CONTEXT_NEXT, TD_CONTEXT_V1, TD_CONTEXT_V11 } from './vocabulary';

/** What an import produced: the model and new capabilities, or the problems that stopped it. */
export type ImportResult =
  | { ok: true; model: DeviceModel; capabilities: Capability[]; problems: Problem[] }
  | { ok: false; problems: Problem[] };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `{{NAME}}` (TM placeholder) → `{NAME}` (our variable); `{{value}}` stays the value placeholder. */
const fromPlaceholders = (v: unknown, found: Set<string>): unknown => {
  if (typeof v === 'string') {
    return v.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (whole, name: string) => {
      if (name === 'value') return '{{value}}';
      found.add(name);
      return `{${name}}`;
    });
  }
  if (Array.isArray(v)) return v.map((x) => fromPlaceholders(x, found));
  if (isObject(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromPlaceholders(x, found)]));
  return v;
};

const slug = (text: string): string => {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return /^[a-z]/.test(s) ? s : `td-${s || 'thing'}`.replace(/-$/, '');
};

const safeName = (name: string): string => {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return new RegExp(NAME_PATTERN).test(s) ? s : `_${s}`;
};

const DATA_KEYS = [
  'type',
  'title',
  'description',
  'unit',
  'const',
  'default',
  'enum',
  'minimum',
  'maximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'required',
] as const;
const DATA_TYPES = new Set(['boolean', 'integer', 'number', 'string', 'object', 'array', 'null']);

/** The part of a TD DataSchema our capabilities keep (WoT terms we do not model are dropped). */
const toDataSchema = (v: unknown): DataSchema => {
  if (!isObject(v)) return {};
  const out: Record<string, unknown> = {};
  for (const key of DATA_KEYS) if (v[key] !== undefined) out[key] = v[key];
  if (typeof out.type !== 'string' || !DATA_TYPES.has(out.type)) delete out.type;
  if (typeof out.unit !== 'string') delete out.unit;
  if (isObject(v.items)) out.items = toDataSchema(v.items);
  if (isObject(v.properties)) {
    out.properties = Object.fromEntries(Object.entries(v.properties).map(([k, x]) => [k, toDataSchema(x)]));
  }
  return out as DataSchema;
};

const opsOf = (form: Json, defaults: string[]): string[] => {
  const op = form.op;
  if (typeof op === 'string') return [op];
  if (Array.isArray(op)) return op.filter((o): o is string => typeof o === 'string');
  return defaults;
};

interface FormContext {
  readonly base?: string;
  readonly path: string;
  readonly warn: (path: string, message: string, hint: string) => void;
}

const absolute = (href: string, base: string | undefined): string => {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || !base) return href;
  return base.replace(/\/+$/, '') + '/' + href.replace(/^\/+/, '');
};

const isMqtt = (form: Json, href: string) =>
  /^mqtts?:/i.test(href) || form['mqv:topic'] !== undefined || form['mqv:filter'] !== undefined;

const toOperation = (form: Json, op: string, ctx: FormContext, i: number): WireOperation | undefined => {
  const href = absolute(str(form.href) ?? '', ctx.base);
  const rpcMethod = str(form['fg:rpcMethod']);
  if (rpcMethod) {
    const via = form['fg:rpcVia'] === 'http' || form['fg:rpcVia'] === 'mqtt' ? form['fg:rpcVia'] : undefined;
    return {
      kind: 'rpc',
      ...(via ? { via } : {}),
      method: rpcMethod,
      ...(form['fg:rpcParams'] === undefined ? {} : { params: form['fg:rpcParams'] }),
      ...(str(form['fg:resultPath']) ? { resultPath: str(form['fg:resultPath'])! } : {}),
    };
  }
  if (isMqtt(form, href)) {
    const topic = str(form['mqv:topic']);
    if (!topic) {
      ctx.warn(
        joinPath(ctx.path, 'forms', i),
        `the ${op} form names no mqv:topic to publish to`,
        'Add "mqv:topic".',
      );
      return undefined;
    }
    const qos = Number(form['mqv:qos']);
    return {
      kind: 'mqtt',
      topic,
      payload: form['fg:payload'] ?? '{{value}}',
      ...(qos === 0 || qos === 1 || qos === 2 ? { qos } : {}),
      ...(typeof form['mqv:retain'] === 'boolean' ? { retain: form['mqv:retain'] } : {}),
    };
  }
  if (/^https?:/i.test(href)) {
    const fallback = op === 'readproperty' ? 'GET' : op === 'writeproperty' ? 'PUT' : 'POST';
    const methodName = str(form['htv:methodName']) ?? fallback;
    const method =
      methodName === 'GET' || methodName === 'POST' || methodName === 'PUT' ? methodName : undefined;
    if (!method) {
      ctx.warn(
        joinPath(ctx.path, 'forms', i),
        `HTTP method ${methodName} is not supported`,
        'Use GET, POST or PUT.',
      );
      return undefined;
    }
    return {
      kind: 'http',
      method,
      url: href,
      ...(op === 'readproperty' ? {} : { body: form['fg:payload'] ?? '{{value}}' }),
      ...(str(form['fg:valuePath']) !== undefined ? { valuePath: str(form['fg:valuePath'])! } : {}),
    };
  }
  ctx.warn(
    joinPath(ctx.path, 'forms', i),
    `the form's protocol (${href.split(':')[0] || 'none'}) is not supported`,
    'Fieldgraph binds MQTT and HTTP forms; this one was skipped.',
  );
  return undefined;
};

const toSubscription = (form: Json, ctx: FormContext, i: number): MqttSubscription | undefined => {
  const href = absolute(str(form.href) ?? '', ctx.base);
  if (!isMqtt(form, href)) {
    ctx.warn(
      joinPath(ctx.path, 'forms', i),
      'only MQTT subscriptions can be observed',
      'This form was skipped; the value can still be read on demand if a read form exists.',
    );
    return undefined;
  }
  const topic = str(form['mqv:filter']) ?? str(form['mqv:topic']);
  if (!topic) return undefined;
  const format = form['fg:format'] === 'json' || form['fg:format'] === 'text' ? form['fg:format'] : undefined;
  const where = Array.isArray(form['fg:where']) ? (form['fg:where'] as MqttSubscription['where']) : undefined;
  return {
    kind: 'mqtt',
    topic,
    ...(format ? { format } : str(form.contentType) === 'text/plain' ? { format: 'text' as const } : {}),
    ...(str(form['fg:valuePath']) !== undefined ? { valuePath: str(form['fg:valuePath'])! } : {}),
    ...(where ? { where } : {}),
  };
};

const formsOf = (affordance: Json): Json[] =>
  Array.isArray(affordance.forms) ? affordance.forms.filter(isObject) : [];

/** Merges RPC forms of one call offered over both channels (as export writes them) into one operation without `via`. */
const pick = (ops: WireOperation[]): WireOperation | undefined => {
  const [first] = ops;
  if (
    first?.kind === 'rpc' &&
    ops.length > 1 &&
    ops.every((o) => o.kind === 'rpc' && o.method === first.method)
  ) {
    const { via: _via, ...rest } = first;
    return rest;
  }
  return first;
};

/**
 * Imports a TD or TM. `catalog` is what capability ids are checked against (the library plus
 * the project); problems carry `file` when given.
 */
export const importThingDescription = (input: unknown, catalog: Catalog, file?: string): ImportResult => {
  const problems: Problem[] = [];
  const fail = (path: string, message: string, hint: string): ImportResult => ({
    ok: false,
    problems: [problem('schema.invalid', 'error', path, message, hint, file)],
  });
  if (!isObject(input))
    return fail('', 'a Thing Description must be a JSON object', 'Give the TD or TM file itself.');
  const types = ([] as unknown[]).concat(input['@type'] ?? []);
  const isModel = types.includes('tm:ThingModel');
  const contexts = ([] as unknown[]).concat(input['@context'] ?? []);
  if (
    !isModel &&
    !contexts.some((c) => c === TD_CONTEXT_V11 || c === TD_CONTEXT_V1 || c === TD_CONTEXT_NEXT)
  ) {
    return fail(
      '@context',
      'this is not a Thing Description: its @context names neither TD 1.0 nor TD 1.1',
      `Add "${TD_CONTEXT_V11}" to @context.`,
    );
  }
  const title = str(input.title);
  if (!title) return fail('title', '"title" is missing', 'Every TD has a title.');
  const warn = (path: string, message: string, hint: string) =>
    problems.push(problem('schema.invalid', 'warning', path, message, hint, file));
  if (
    Array.isArray(input.links) &&
    input.links.some((l) => isObject(l) && typeof l.rel === 'string' && l.rel.startsWith('tm:'))
  ) {
    warn(
      'links',
      'tm:extends and tm:submodel links are not followed',
      'Import the linked Thing Models too, or inline their affordances.',
    );
  }
  const placeholders = new Set<string>();
  const td = fromPlaceholders(input, placeholders) as Json;
  const base = str(td.base);
  const fgModel = isObject(td['fg:model']) ? td['fg:model'] : undefined;
  const modelId = str(fgModel?.id) ?? slug(title);
  const ownCapability = `${slug(title)}@1`;
  const newCapability: Required<Pick<Capability, 'properties' | 'actions' | 'events'>> = {
    properties: {},
    actions: {},
    events: {},
  };
  const implementations: Record<string, Implementation> = {};
  if (fgModel && isObject(fgModel.implements)) {
    for (const [k, v] of Object.entries(fgModel.implements))
      if (isObject(v)) implementations[k] = { ...(v as Implementation) };
  }
  const implFor = (affordance: Json): [Implementation, string] => {
    const key = str(affordance['fg:implementation']);
    if (key && implementations[key]) return [implementations[key]!, key];
    implementations.main ??= { capability: ownCapability };
    return [implementations.main, 'main'];
  };
  const maps = (a: Json): { map?: Mapping[] } =>
    Array.isArray(a['fg:map']) ? { map: a['fg:map'] as Mapping[] } : {};

  for (const [tdName, raw] of Object.entries(isObject(td.properties) ? td.properties : {})) {
    if (!isObject(raw)) continue;
    const path = `properties.${tdName}`;
    const [impl, key] = implFor(raw);
    const name = str(raw['fg:affordance']) ?? safeName(tdName);
    const ctx: FormContext = { base, path, warn };
    const reads: WireOperation[] = [];
    const writes: WireOperation[] = [];
    const observe: MqttSubscription[] = [];
    formsOf(raw).forEach((form, i) => {
      const ops = opsOf(
        form,
        raw.readOnly
          ? ['readproperty']
          : raw.writeOnly
            ? ['writeproperty']
            : ['readproperty', 'writeproperty'],
      );
      const href = absolute(str(form.href) ?? '', base);
      const mqttSubscribe = isMqtt(form, href) && form['mqv:filter'] !== undefined;
      if (ops.includes('observeproperty') || (mqttSubscribe && ops.includes('readproperty'))) {
        const sub = toSubscription(form, ctx, i);
        if (sub) observe.push(sub);
      } else if (ops.includes('readproperty')) {
        const op = toOperation(form, 'readproperty', ctx, i);
        if (op) reads.push(op);
      }
      if (ops.includes('writeproperty')) {
        const op = toOperation(form, 'writeproperty', ctx, i);
        if (op) writes.push(op);
      }
    });
    const read = pick(reads);
    const write = pick(writes);
    if (!read && !write && !observe.length) {
      warn(path, `the property "${tdName}" has no form Fieldgraph can use`, 'It was left out of the model.');
      continue;
    }
    impl.properties = {
      ...impl.properties,
      [name]: {
        ...(read ? { read } : {}),
        ...(write ? { write } : {}),
        ...(observe.length ? { observe } : {}),
        ...maps(raw),
      },
    };
    if (key === 'main') {
      const affordance: PropertyAffordance = {
        title: str(raw.title) ?? tdName,
        ...(str(raw.description) ? { description: str(raw.description)! } : {}),
        data: toDataSchema(raw),
        read: Boolean(read || observe.length),
        write: Boolean(write),
        observe: observe.length > 0,
      };
      newCapability.properties[name] = affordance;
    }
  }
  for (const [tdName, raw] of Object.entries(isObject(td.actions) ? td.actions : {})) {
    if (!isObject(raw)) continue;
    const path = `actions.${tdName}`;
    const [impl, key] = implFor(raw);
    const name = str(raw['fg:affordance']) ?? safeName(tdName);
    const ops = formsOf(raw)
      .map((form, i) => toOperation(form, 'invokeaction', { base, path, warn }, i))
      .filter((o): o is WireOperation => o !== undefined);
    const invoke = pick(ops);
    if (!invoke) {
      warn(path, `the action "${tdName}" has no form Fieldgraph can use`, 'It was left out of the model.');
      continue;
    }
    impl.actions = { ...impl.actions, [name]: { invoke, ...maps(raw) } };
    if (key === 'main') {
      const affordance: ActionAffordance = {
        title: str(raw.title) ?? tdName,
        ...(str(raw.description) ? { description: str(raw.description)! } : {}),
        ...(isObject(raw.input) ? { input: toDataSchema(raw.input) } : {}),
        ...(isObject(raw.output) ? { output: toDataSchema(raw.output) } : {}),
      };
      newCapability.actions[name] = affordance;
    }
  }
  for (const [tdName, raw] of Object.entries(isObject(td.events) ? td.events : {})) {
    if (!isObject(raw)) continue;
    const path = `events.${tdName}`;
    const [impl, key] = implFor(raw);
    const name = str(raw['fg:affordance']) ?? safeName(tdName);
    const subscribe = formsOf(raw)
      .map((form, i) => toSubscription(form, { base, path, warn }, i))
      .filter((s): s is MqttSubscription => s !== undefined);
    if (!subscribe.length) {
      warn(
        path,
        `the event "${tdName}" has no MQTT form Fieldgraph can subscribe to`,
        'It was left out of the model.',
      );
      continue;
    }
    impl.events = { ...impl.events, [name]: { subscribe, ...maps(raw) } };
    if (key === 'main') {
      const affordance: EventAffordance = {
        title: str(raw.title) ?? tdName,
        ...(str(raw.description) ? { description: str(raw.description)! } : {}),
        ...(isObject(raw.data) ? { data: toDataSchema(raw.data) } : {}),
      };
      newCapability.events[name] = affordance;
    }
  }

  const bound = Object.values(implementations).some(
    (i) =>
      Object.keys(i.properties ?? {}).length +
        Object.keys(i.actions ?? {}).length +
        Object.keys(i.events ?? {}).length >
      0,
  );
  if (!bound) {
    problems.push(
      problem(
        'schema.invalid',
        'error',
        '',
        'no property, action or event has a form Fieldgraph can use',
        'Fieldgraph binds MQTT (mqv:) and HTTP forms; add such forms to the TD.',
        file,
      ),
    );
    return { ok: false, problems };
  }
  const declared = isObject(fgModel?.variables) ? (fgModel.variables as Record<string, VariableSpec>) : {};
  const variables: Record<string, VariableSpec> = { ...declared };
  for (const name of placeholders)
    variables[name] ??= { title: name, description: 'A Thing Model placeholder.' };
  const hrefUsesBroker = Object.values(implementations).some((i) =>
    Object.values(i.properties ?? {}).some((p) => p.read?.kind === 'rpc' || p.write?.kind === 'rpc'),
  );
  if (hrefUsesBroker) for (const v of ['host', 'prefix']) variables[v] ??= { title: v };
  const capabilities: Capability[] = implementations.main
    ? [
        {
          schemaVersion: 1,
          id: ownCapability,
          title,
          ...(str(td.description) ? { description: str(td.description)! } : {}),
          ...newCapability,
        },
      ]
    : [];
  const model: DeviceModel = {
    schemaVersion: 1,
    id: modelId,
    title,
    ...(str(td.description) ? { description: str(td.description)! } : {}),
    ...(str(fgModel?.manufacturer) ? { manufacturer: str(fgModel!.manufacturer)! } : {}),
    ...(str(fgModel?.firmware) ? { firmware: str(fgModel!.firmware)! } : {}),
    protocols: Array.isArray(fgModel?.protocols)
      ? (fgModel.protocols as DeviceModel['protocols'])
      : protocolsOf(implementations),
    ...(Object.keys(variables).length ? { variables } : {}),
    implements: implementations,
    ...(isObject(fgModel?.mappings) ? { mappings: fgModel.mappings as DeviceModel['mappings'] } : {}),
    ...(isObject(fgModel?.availability)
      ? { availability: fgModel.availability as DeviceModel['availability'] }
      : {}),
    ...(Array.isArray(fgModel?.discovery)
      ? { discovery: fgModel.discovery as DeviceModel['discovery'] }
      : {}),
    ...(Array.isArray(fgModel?.commissioning)
      ? { commissioning: fgModel.commissioning as DeviceModel['commissioning'] }
      : {}),
  };
  const combined = createCatalog(
    [...catalog.capabilities.values(), ...capabilities],
    [...catalog.models.values()],
  );
  const errors = [
    ...capabilities.flatMap((c) => validateCapability(c, { catalog: combined, file })),
    ...validateDeviceModel(model, { catalog: combined, file }),
  ];
  problems.push(...errors);
  if (errors.some((p) => p.severity === 'error')) return { ok: false, problems };
  return { ok: true, model, capabilities, problems };
};

const protocolsOf = (implementations: Record<string, Implementation>): DeviceModel['protocols'] => {
  const out = new Set<DeviceModel['protocols'][number]>();
  for (const impl of Object.values(implementations)) {
    const ops = [
      ...Object.values(impl.properties ?? {}).flatMap((p) => [p.read, p.write, ...(p.observe ?? [])]),
      ...Object.values(impl.actions ?? {}).map((a) => a.invoke),
      ...Object.values(impl.events ?? {}).flatMap((e) => e.subscribe),
    ];
    for (const op of ops) {
      if (!op) continue;
      if (op.kind === 'mqtt') out.add('mqtt');
      else if (op.kind === 'http') out.add('http');
      else out.add(op.via === 'http' ? 'rpc-http' : 'rpc-mqtt');
    }
  }
  return [...out];
};
