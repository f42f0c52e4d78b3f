/** Thing Description forms and data schemas, read into Fieldgraph's bindings and types. */
import { joinPath } from '../problems';
import { NAME_PATTERN, type DataSchema, type MqttSubscription, type WireOperation } from '../schemas';

/** A JSON object of a TD. */
export type Json = Record<string, unknown>;
/** True for a plain JSON object. */
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The value when it is a string. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `{{NAME}}` (TM placeholder) → `{NAME}` (our variable); `{{value}}` stays the value placeholder. */
export const fromPlaceholders = (v: unknown, found: Set<string>): unknown => {
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

/** A model or capability id made from a TD title. */
export const slug = (text: string): string => {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return /^[a-z]/.test(s) ? s : `td-${s || 'thing'}`.replace(/-$/, '');
};

/** An affordance name our schema accepts, made from a TD affordance name. */
export const safeName = (name: string): string => {
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
export const toDataSchema = (v: unknown): DataSchema => {
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

/** The operations a form offers, or the affordance's defaults when it names none. */
export const opsOf = (form: Json, defaults: string[]): string[] => {
  const op = form.op;
  if (typeof op === 'string') return [op];
  if (Array.isArray(op)) return op.filter((o): o is string => typeof o === 'string');
  return defaults;
};

/** Where a form sits and how to report what cannot be imported. */
export interface FormContext {
  readonly base?: string;
  readonly path: string;
  readonly warn: (path: string, message: string, hint: string) => void;
}

/** A form href made absolute against the TD's base. */
export const absolute = (href: string, base: string | undefined): string => {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || !base) return href;
  return base.replace(/\/+$/, '') + '/' + href.replace(/^\/+/, '');
};

/** True for a form of the MQTT binding. */
export const isMqtt = (form: Json, href: string) =>
  /^mqtts?:/i.test(href) || form['mqv:topic'] !== undefined || form['mqv:filter'] !== undefined;

/** The wire operation of a write, read or invoke form; undefined (with a warning) when it cannot be bound. */
export const toOperation = (
  form: Json,
  op: string,
  ctx: FormContext,
  i: number,
): WireOperation | undefined => {
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

/** The MQTT subscription of an observe or event form; undefined (with a warning) for other protocols. */
export const toSubscription = (form: Json, ctx: FormContext, i: number): MqttSubscription | undefined => {
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

/** The forms of an affordance that are objects. */
export const formsOf = (affordance: Json): Json[] =>
  Array.isArray(affordance.forms) ? affordance.forms.filter(isObject) : [];

/** Merges RPC forms of one call offered over both channels (as export writes them) into one operation without `via`. */
export const pick = (ops: WireOperation[]): WireOperation | undefined => {
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
