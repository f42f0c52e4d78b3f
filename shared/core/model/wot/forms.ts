/** Thing Description forms and data schemas, read into Fieldgraph's bindings and types. */
import { joinPath } from '../problems';
import {
  NAME_PATTERN,
  type DataSchema,
  type Subscription,
  type VariableSpec,
  type WireOperation,
} from '../schemas';

// The WHATWG URL class exists in every runtime Fieldgraph runs in (browsers, Node); the
// platform-free core has no lib types for it, so only the constructor used here is declared.
declare const URL: new (url: string, base?: string) => { readonly href: string };

/** `ref` resolved against `base` as a browser would (RFC 3986), or undefined when either is not a URL. */
export const resolveUrl = (ref: string, base?: string): string | undefined => {
  try {
    return new URL(ref, base).href;
  } catch {
    return undefined;
  }
};

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
  return /^[a-z]/.test(s) ? s : `td-${s || 'thing'}`.replace(/-$/, '').slice(0, 60);
};

/** An affordance name our schema accepts, made from a TD affordance name. */
export const safeName = (name: string): string => {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 60);
  return new RegExp(NAME_PATTERN).test(s) ? s : `_${s}`.slice(0, 60);
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
export const toDataSchema = (v: unknown, depth = 0): DataSchema => {
  if (!isObject(v) || depth > 12) return {};
  const out: Record<string, unknown> = {};
  for (const key of DATA_KEYS) if (v[key] !== undefined) out[key] = v[key];
  if (typeof out.type !== 'string' || !DATA_TYPES.has(out.type)) delete out.type;
  for (const k of ['unit', 'title', 'description', 'pattern', 'format'] as const)
    if (typeof out[k] !== 'string') delete out[k];
  for (const k of ['minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength'] as const)
    if (typeof out[k] !== 'number' || !Number.isFinite(out[k])) delete out[k];
  if (!Array.isArray(out.enum) || out.enum.length === 0) delete out.enum;
  if (!Array.isArray(out.required) || !out.required.every((r) => typeof r === 'string')) delete out.required;
  if (isObject(v.items)) out.items = toDataSchema(v.items, depth + 1);
  if (isObject(v.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(v.properties).map(([k, x]) => [k, toDataSchema(x, depth + 1)]),
    );
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

/** Where a form sits, what URI variables it may use, and how to report what cannot be imported. */
export interface FormContext {
  /** The TD's `base`, or the URL it was fetched from, or `--base`. */
  readonly base?: string;
  readonly path: string;
  /** `uriVariables` of the TD and the affordance: name → data schema. */
  readonly uriVariables: Readonly<Record<string, unknown>>;
  /** Collects the variables URI templates use, typed per their data schema. */
  readonly variables: Record<string, VariableSpec>;
  /** Read payloads as JSON when a form names no content type (TD's default); off for TDs Fieldgraph exported, which say it. */
  readonly defaultJson: boolean;
  readonly warn: (path: string, message: string, hint: string) => void;
}

const VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A URI variable as a device setting: integer or text, with the schema's allowed values as a pattern. */
export const uriVariableSpec = (name: string, schema: unknown): VariableSpec => {
  const s = isObject(schema) ? schema : {};
  const range = [
    typeof s.minimum === 'number' ? `from ${s.minimum}` : '',
    typeof s.maximum === 'number' ? `to ${s.maximum}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const description = [
    str(s.description),
    range ? `A number ${range}.` : '',
    'A URI variable of the Thing Description.',
  ]
    .filter(Boolean)
    .join(' ')
    .slice(0, 1000);
  const escape = (v: unknown) => String(v).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern =
    Array.isArray(s.enum) && s.enum.length > 0 && s.enum.length <= 50
      ? `^(${s.enum.map(escape).join('|')})$`
      : s.type === 'number'
        ? '^-?[0-9]+(\\.[0-9]+)?$'
        : s.type === 'boolean'
          ? '^(true|false)$'
          : undefined;
  return {
    title: (str(s.title) ?? name).slice(0, 200),
    description,
    ...(s.type === 'integer' ? { type: 'integer' as const } : { type: 'string' as const }),
    ...(pattern && s.type !== 'integer' ? { pattern } : {}),
    ...(typeof s.default === 'string' || (typeof s.default === 'number' && Number.isFinite(s.default))
      ? { default: s.default }
      : {}),
  };
};

/**
 * An href made absolute, with its RFC 6570 URI template expressions (`{id}`, `{?a,b}`, `{/p}`,
 * `{+p}`) turned into Fieldgraph `{variable}` placeholders. Relative hrefs resolve against the
 * base (the TD's `base`, the URL it came from, or `--base`). A reason when it cannot be used.
 */
export const resolveHref = (href: string, ctx: FormContext): { url: string } | { reason: string } => {
  if (!href) return { reason: 'the form has no href' };
  const used: string[] = [];
  let bad: string | undefined;
  const templated = href.replace(/\{([+#./;?&]?)([^{}]*)\}/g, (_whole, op: string, list: string) => {
    const names = list
      .split(',')
      .map((n) => n.trim().replace(/[*]$|:\d+$/, ''))
      .filter(Boolean);
    for (const n of names) if (!VAR.test(n)) bad ??= n;
    used.push(...names);
    const ph = placeholderToken;
    switch (op) {
      case '?':
      case '&':
        return names.map((n, i) => `${i === 0 ? op : '&'}${n}=${ph(n)}`).join('');
      case '/':
        return names.map((n) => `/${ph(n)}`).join('');
      case '.':
        return names.map((n) => `.${ph(n)}`).join('');
      case '#':
        return `#${names.map(ph).join(',')}`;
      case ';':
        return names.map((n) => `;${n}=${ph(n)}`).join('');
      default:
        return names.map(ph).join(',');
    }
  });
  if (bad !== undefined) return { reason: `its URI template uses “${bad}”, which is not a variable name` };
  let absolute: string;
  if (/^[a-z][a-z0-9+.-]*:/i.test(templated)) absolute = templated;
  else if (ctx.base) {
    const url = resolveUrl(templated, protectBraces(ctx.base));
    if (url === undefined)
      return { reason: `its relative href “${href}” cannot be resolved against the base ${ctx.base}` };
    absolute = url;
  } else
    return {
      reason: `its href “${href}” is relative and the TD has no base; import it from its URL or give --base URL`,
    };
  const url = restoreBraces(absolute);
  // Variables of the base (`https://hub/api/{key}/`) are settings too.
  for (const m of url.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) used.push(m[1]!);
  for (const n of used) if (!ctx.variables[n]) ctx.variables[n] = uriVariableSpec(n, ctx.uriVariables[n]);
  return { url };
};

// URL parsing would escape `{` and lower-case hosts, so variables travel as hex tokens through it.
const placeholderToken = (name: string): string =>
  `fgvar${[...name].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')}x`;
const protectBraces = (url: string): string =>
  url.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_w, n: string) => placeholderToken(n));
const restoreBraces = (url: string): string =>
  url.replace(
    /fgvar((?:[0-9a-f]{2})+)x/g,
    (_w, hex: string) => `{${hex.replace(/../g, (h) => String.fromCharCode(parseInt(h, 16)))}}`,
  );

const schemeOf = (url: string) => (/^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1] ?? '').toLowerCase();

/** True for a form of the MQTT binding. */
export const isMqtt = (form: Json, href: string) =>
  /^mqtts?:/i.test(href) || form['mqv:topic'] !== undefined || form['mqv:filter'] !== undefined;

/** The topic an MQTT href carries in its path (node-wot writes `mqtt://host/Thing%20Name/events/x`). */
const hrefTopic = (url: string): string | undefined => {
  const path = /^mqtts?:\/\/[^/]*\/(.+)$/i.exec(url)?.[1];
  if (!path) return undefined;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

/** A reason a form was left out, reported against its JSON path; returns undefined. */
const skip = (ctx: FormContext, i: number, reason: string): undefined => {
  ctx.warn(
    joinPath(ctx.path, 'forms', i),
    `this form was skipped: ${reason}`,
    'Fieldgraph binds MQTT and HTTP forms.',
  );
  return undefined;
};

/** Why a form was skipped, for the affordance's line in the report. */
export type Skipped = (reason: string) => void;

/** The wire operation of a write, read or invoke form; undefined (with the reason reported) when it cannot be bound. */
export const toOperation = (
  form: Json,
  op: string,
  ctx: FormContext,
  i: number,
  skipped: Skipped,
): WireOperation | undefined => {
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
  const fail = (reason: string) => (skipped(reason), skip(ctx, i, reason));
  const raw = str(form.href) ?? '';
  if (isMqtt(form, raw) || (!/^[a-z][a-z0-9+.-]*:/i.test(raw) && ctx.base && /^mqtts?:/i.test(ctx.base))) {
    const resolved = resolveHref(raw, ctx);
    const topic = str(form['mqv:topic']) ?? ('url' in resolved ? hrefTopic(resolved.url) : undefined);
    if (!topic) return fail(`the ${op} form names no MQTT topic (mqv:topic, or a path in its href)`);
    if (/[#+]/.test(topic)) return fail(`its topic “${topic}” has a wildcard, which cannot be published to`);
    const qos = Number(form['mqv:qos']);
    return {
      kind: 'mqtt',
      topic: topic.slice(0, 500),
      payload: form['fg:payload'] ?? '{{value}}',
      ...(qos === 0 || qos === 1 || qos === 2 ? { qos } : {}),
      ...(typeof form['mqv:retain'] === 'boolean' ? { retain: form['mqv:retain'] } : {}),
    };
  }
  const resolved = resolveHref(raw, ctx);
  if ('reason' in resolved) return fail(resolved.reason);
  const scheme = schemeOf(resolved.url);
  if (scheme !== 'http' && scheme !== 'https')
    return fail(`its protocol (${scheme || 'none'}) is not one Fieldgraph speaks (MQTT, HTTP)`);
  const fallback = op === 'readproperty' ? 'GET' : op === 'writeproperty' ? 'PUT' : 'POST';
  const methodName = str(form['htv:methodName']) ?? fallback;
  const method =
    methodName === 'GET' || methodName === 'POST' || methodName === 'PUT' ? methodName : undefined;
  if (!method) return fail(`its HTTP method ${methodName} is not one Fieldgraph sends (GET, POST, PUT)`);
  return {
    kind: 'http',
    method,
    url: resolved.url.slice(0, 1000),
    ...(op === 'readproperty' ? {} : { body: form['fg:payload'] ?? '{{value}}' }),
    ...(str(form['fg:valuePath']) !== undefined ? { valuePath: str(form['fg:valuePath'])! } : {}),
  };
};

/** The subscription of an observe or event form (MQTT, HTTP long-poll or SSE); undefined (reported) otherwise. */
export const toSubscription = (
  form: Json,
  ctx: FormContext,
  i: number,
  skipped: Skipped,
  dataType?: unknown,
): Subscription | undefined => {
  const fail = (reason: string) => (skipped(reason), skip(ctx, i, reason));
  const raw = str(form.href) ?? '';
  const format = form['fg:format'] === 'json' || form['fg:format'] === 'text' ? form['fg:format'] : undefined;
  const where = Array.isArray(form['fg:where']) ? (form['fg:where'] as Subscription['where']) : undefined;
  const reading = {
    ...(format
      ? { format: format as 'json' | 'text' }
      : str(form.contentType)?.startsWith('text/plain')
        ? { format: 'text' as const }
        : // Text values are often sent bare though JSON is the TD default; they stay text.
          ctx.defaultJson &&
            dataType !== 'string' &&
            /json|event-stream/.test(str(form.contentType) ?? 'application/json')
          ? { format: 'json' as const }
          : {}),
    ...(str(form['fg:valuePath']) !== undefined ? { valuePath: str(form['fg:valuePath'])! } : {}),
    ...(where ? { where } : {}),
  };
  if (isMqtt(form, raw) || (!/^[a-z][a-z0-9+.-]*:/i.test(raw) && ctx.base && /^mqtts?:/i.test(ctx.base))) {
    const resolved = resolveHref(raw, ctx);
    const topic =
      str(form['mqv:filter']) ??
      str(form['mqv:topic']) ??
      ('url' in resolved ? hrefTopic(resolved.url) : undefined);
    if (!topic) return fail('it names no MQTT topic to subscribe to (mqv:filter, or a path in its href)');
    return { kind: 'mqtt', topic: topic.slice(0, 500), ...reading };
  }
  const resolved = resolveHref(raw, ctx);
  if ('reason' in resolved) return fail(resolved.reason);
  const scheme = schemeOf(resolved.url);
  if (scheme !== 'http' && scheme !== 'https')
    return fail(`its protocol (${scheme || 'none'}) is not one Fieldgraph speaks (MQTT, HTTP)`);
  const subprotocol = str(form.subprotocol);
  const sse = subprotocol === 'sse' || str(form.contentType) === 'text/event-stream';
  if (subprotocol && !sse && subprotocol !== 'longpoll')
    return fail(
      subprotocol === 'webhook'
        ? 'it is a webhook: the device would call the gateway back, which Fieldgraph gateways do not take'
        : `its subprotocol “${subprotocol}” is not one Fieldgraph follows (long-poll, server-sent events)`,
    );
  const event = str(form['fg:sseEvent']);
  return {
    kind: 'http',
    url: resolved.url.slice(0, 1000),
    mode: sse ? 'sse' : 'longpoll',
    ...(event ? { event } : {}),
    ...reading,
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
