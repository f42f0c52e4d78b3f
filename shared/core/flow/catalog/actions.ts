/**
 * Action kinds: what a flow does to the world. Device actions and property writes go to
 * roles (the gateway turns them into wire operations through the device-model bindings);
 * every action passes its input message on through `out` so actions can be chained.
 */
import { Type } from '@sinclair/typebox';
import { expression, inPort, outPort, port, requiredText, seconds, sizes, withPayload } from './helpers';
import { returnToCaller, runFlow } from './run-flow';
import type { NodeKind } from './types';

const deviceAction: NodeKind = {
  kind: 'action.device-action',
  category: 'action',
  title: 'Device action',
  doc: 'Invokes an action of a role (toggle, identify, play); `out` carries the action’s result.',
  icon: 'zap',
  config: Type.Object({
    role: requiredText('The role to act on'),
    action: requiredText('The action of that role’s capability'),
    input: Type.Optional(Type.String({ description: 'CEL expression for the action input' })),
  }),
  inputs: inPort,
  outputs: outPort,
  outputShape: (config, ctx) =>
    ctx.roles.find((r) => r.name === config.role)?.capability.actions[String(config.action)]?.output ?? {},
  expressions: [
    { path: 'input', fits: { roleField: 'role', memberField: 'action', member: 'action-input' } },
  ],
  roleRefs: [{ roleField: 'role', memberField: 'action', member: 'action' }],
  size: sizes.action,
  create: ({ config }, { compile }) => {
    const [role, action] = [String(config.role), String(config.action)];
    const input = typeof config.input === 'string' && config.input.trim() ? compile(config.input) : undefined;
    return {
      receive: (ctx, message) => {
        const result = ctx.io.invokeAction(role, action, input ? ctx.evaluate(input, message) : undefined);
        if (result instanceof Promise) {
          return result.then((value) => ctx.send('out', withPayload(message, value)));
        }
        ctx.send('out', withPayload(message, result));
      },
    };
  },
};

const setProperty: NodeKind = {
  kind: 'action.set-property',
  category: 'action',
  title: 'Set property',
  doc: 'Writes a property of a role (turn a relay on, set a brightness) to the value of an expression.',
  icon: 'sliders',
  config: Type.Object({
    role: requiredText('The role to write to'),
    property: requiredText('A writable property of that role’s capability'),
    value: expression('CEL expression for the value, e.g. true or payload.level'),
  }),
  inputs: inPort,
  outputs: outPort,
  expressions: [{ path: 'value', fits: { roleField: 'role', memberField: 'property', member: 'property' } }],
  roleRefs: [{ roleField: 'role', memberField: 'property', member: 'property' }],
  size: sizes.action,
  create: ({ config }, { compile }) => {
    const [role, property] = [String(config.role), String(config.property)];
    const value = compile(String(config.value));
    return {
      receive: (ctx, message) => {
        const written = ctx.io.writeProperty(role, property, ctx.evaluate(value, message));
        if (written instanceof Promise) return written.then(() => ctx.send('out', message));
        ctx.send('out', message);
      },
    };
  },
};

/** The problem when a node has both or neither of a fixed setting and an expression for it. */
const eitherOf = (config: Record<string, unknown>, field: string, from: string, what: string) => {
  const [fixed, expr] = [typeof config[field] === 'string', typeof config[from] === 'string'];
  if (fixed && expr)
    return [{ path: field, message: `give either ${what} or an expression for it (${from}), not both` }];
  if (!fixed && !expr)
    return [{ path: field, message: `${what} is needed (or an expression for it, ${from})`, missing: true }];
  return [];
};

const MAX_TOPIC = 1024;

/** A topic an expression gave, checked as a broker would: text, not empty, no wildcards, bounded. */
const publishTopic = (value: unknown): string => {
  if (typeof value !== 'string' || value === '')
    throw new Error(
      `The topic expression gave ${value === '' ? 'empty text' : typeof value}; a topic is needed.`,
    );
  if (value.length > MAX_TOPIC)
    throw new Error(`The topic is ${value.length} characters; at most ${MAX_TOPIC}.`);
  if (/[#+]/.test(value) || value.includes('\0'))
    throw new Error(
      `The topic "${value.slice(0, 80)}" has a wildcard (+ or #) or a NUL; it cannot be published to.`,
    );
  return value;
};

const mqttPublish: NodeKind = {
  kind: 'action.mqtt-publish',
  category: 'action',
  title: 'MQTT publish',
  doc: 'Publishes to a topic, or to the one an expression gives per message (`topicFrom: topic`); the payload expression defaults to the message payload (objects are sent as JSON).',
  icon: 'send',
  config: Type.Object({
    topic: Type.Optional(
      Type.String({
        minLength: 1,
        pattern: '^[^#+]+$',
        description: 'Topic to publish to (no wildcards)',
      }),
    ),
    topicFrom: Type.Optional(
      Type.String({ minLength: 1, description: 'CEL expression for the topic, instead of `topic`' }),
    ),
    payload: expression('CEL expression for what to publish', 'payload'),
    qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { default: 0 }),
    retain: Type.Boolean({ default: false }),
  }),
  inputs: inPort,
  outputs: outPort,
  checkConfig: (config) => eitherOf(config, 'topic', 'topicFrom', 'a topic'),
  expressions: [{ path: 'payload' }, { path: 'topicFrom', expects: 'string' }],
  roleRefs: [],
  size: sizes.action,
  create: ({ config }, { compile }) => {
    const fixed = String(config.topic);
    const topicFrom = typeof config.topicFrom === 'string' ? compile(config.topicFrom) : undefined;
    const source = String(config.payload ?? 'payload');
    // The common case publishes the payload as it is: skip the evaluation entirely.
    const payload = source.trim() === 'payload' ? undefined : compile(source);
    const options = { qos: (Number(config.qos ?? 0) as 0 | 1 | 2) ?? 0, retain: config.retain === true };
    return {
      receive: (ctx, message) => {
        const published = ctx.io.publish(
          topicFrom ? publishTopic(ctx.evaluate(topicFrom, message)) : fixed,
          payload ? ctx.evaluate(payload, message) : message.payload,
          options,
        );
        if (published instanceof Promise) return published.then(() => ctx.send('out', message));
        ctx.send('out', message);
      },
    };
  },
};

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const MAX_URL = 4096;

/** The URL an expression gave, checked like a configured one; Node-RED's rule for a missing scheme. */
const requestUrl = (value: unknown): string => {
  if (typeof value !== 'string' || value.trim() === '')
    throw new Error(
      `The URL expression gave ${value === '' ? 'empty text' : typeof value}; a URL is needed.`,
    );
  if (value.length > MAX_URL) throw new Error(`The URL is ${value.length} characters; at most ${MAX_URL}.`);
  const url = value.includes('://') ? value : `http://${value}`;
  if (!/^https?:\/\//i.test(url))
    throw new Error(
      `The URL "${url.slice(0, 80)}" is not http:// or https://; an HTTP request sends only those.`,
    );
  return url;
};

const requestMethod = (value: unknown): string => {
  const method = typeof value === 'string' ? value.toUpperCase() : '';
  if (!METHODS.includes(method))
    throw new Error(
      `The method expression gave ${typeof value === 'string' ? `"${value.slice(0, 20)}"` : typeof value}; one of ${METHODS.join(', ')} is needed.`,
    );
  return method;
};

const httpRequest: NodeKind = {
  kind: 'action.http-request',
  category: 'action',
  title: 'HTTP request',
  doc: 'Sends an HTTP request; `out` carries `{status, body}` (JSON bodies parsed). The URL and method can come from the message (`urlFrom: msg.url`). Network failures go to the error path.',
  icon: 'globe',
  config: Type.Object({
    method: Type.Union(
      METHODS.map((m) => Type.Literal(m)),
      { default: 'GET' },
    ),
    url: Type.Optional(Type.String({ pattern: '^https?://', description: 'http:// or https:// URL' })),
    urlFrom: Type.Optional(
      Type.String({ minLength: 1, description: 'CEL expression for the URL, instead of `url` (msg.url)' }),
    ),
    methodFrom: Type.Optional(
      Type.String({ minLength: 1, description: 'CEL expression for the method, instead of `method`' }),
    ),
    headers: Type.Record(Type.String(), Type.String(), { default: {} }),
    body: Type.Optional(
      Type.String({ description: 'CEL expression for the body (objects are sent as JSON)' }),
    ),
    timeoutSeconds: seconds('Give up after this long', 10),
  }),
  inputs: inPort,
  outputs: [
    port('out', 'response', {
      type: 'object',
      properties: { status: { type: 'number' }, body: {} },
    }),
  ],
  checkConfig: (config) => eitherOf(config, 'url', 'urlFrom', 'a URL'),
  expressions: [
    { path: 'body' },
    { path: 'urlFrom', expects: 'string' },
    { path: 'methodFrom', expects: 'string' },
  ],
  roleRefs: [],
  size: sizes.action,
  create: ({ config }, { compile }) => {
    const body = typeof config.body === 'string' && config.body.trim() ? compile(config.body) : undefined;
    const urlFrom = typeof config.urlFrom === 'string' ? compile(config.urlFrom) : undefined;
    const methodFrom = typeof config.methodFrom === 'string' ? compile(config.methodFrom) : undefined;
    const headers = (config.headers ?? {}) as Record<string, string>;
    const method = String(config.method ?? 'GET');
    const url = String(config.url);
    const timeoutMs = Number(config.timeoutSeconds ?? 10) * 1000;
    return {
      receive: async (ctx, message) => {
        const verb = methodFrom ? requestMethod(ctx.evaluate(methodFrom, message)) : method;
        // A GET has no body (fetch refuses one), also when the message chose the method.
        const value = body && verb !== 'GET' ? ctx.evaluate(body, message) : undefined;
        const text = value === undefined || typeof value === 'string' ? value : JSON.stringify(value);
        const response = await ctx.io.request({
          method: verb,
          url: urlFrom ? requestUrl(ctx.evaluate(urlFrom, message)) : url,
          timeoutMs,
          headers: typeof value === 'object' ? { 'content-type': 'application/json', ...headers } : headers,
          ...(text === undefined ? {} : { body: text }),
        });
        let parsed: unknown = response.body;
        if ((response.headers['content-type'] ?? '').includes('json')) {
          try {
            parsed = JSON.parse(response.body);
          } catch {
            parsed = response.body;
          }
        }
        ctx.send('out', withPayload(message, { status: response.status, body: parsed }));
      },
    };
  },
};

const log: NodeKind = {
  kind: 'action.log',
  category: 'action',
  title: 'Log',
  doc: 'Writes a line to the gateway log (and the trace); the message expression must give a string.',
  icon: 'file-text',
  config: Type.Object({
    level: Type.Union(
      (['debug', 'info', 'warn', 'error'] as const).map((l) => Type.Literal(l)),
      { default: 'info' },
    ),
    message: expression(
      'CEL expression giving the text, e.g. "temp is " + string(payload)',
      'string(payload)',
    ),
  }),
  inputs: inPort,
  outputs: outPort,
  expressions: [{ path: 'message', expects: 'string' }],
  roleRefs: [],
  size: sizes.action,
  create: ({ config }, { compile }) => {
    const level = String(config.level ?? 'info') as 'debug' | 'info' | 'warn' | 'error';
    const text = compile(String(config.message ?? 'string(payload)'));
    return {
      receive: (ctx, message) => {
        ctx.io.log(level, String(ctx.evaluate(text, message)));
        ctx.send('out', message);
      },
    };
  },
};

const stop: NodeKind = {
  kind: 'action.stop',
  category: 'action',
  title: 'Stop',
  doc: 'Ends the run here with outcome `stopped` (or `failed`), cancelling its pending delays.',
  icon: 'square',
  config: Type.Object({
    outcome: Type.Union([Type.Literal('stopped'), Type.Literal('failed')], { default: 'stopped' }),
    reason: Type.String({ default: '', maxLength: 200 }),
  }),
  inputs: inPort,
  outputs: [],
  expressions: [],
  roleRefs: [],
  size: sizes.action,
  create: ({ config }) => {
    const outcome = config.outcome === 'failed' ? 'failed' : 'stopped';
    const reason = String(config.reason ?? '');
    return { receive: (ctx) => ctx.stopRun(outcome, reason) };
  },
};

/** All action kinds. */
export const actionKinds: readonly NodeKind[] = [
  deviceAction,
  setProperty,
  mqttPublish,
  httpRequest,
  log,
  runFlow,
  returnToCaller,
  stop,
];
