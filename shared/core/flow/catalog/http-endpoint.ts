/**
 * HTTP endpoints of a flow: a trigger that starts a run for each request the gateway takes at
 * `/flows<path>` (what Node-RED's `http in` and Home Assistant's webhook trigger do), and the
 * action that answers that request (Node-RED's `http response`). The request travels on the
 * run, not on the message: a response node anywhere on the run's path answers it, whatever the
 * nodes before it did to the message.
 */
import { Type } from '@sinclair/typebox';
import { compileEndpointPath, endpointPathProblem, HTTP_ENDPOINT_METHODS } from '../http-path';
import { expression, inPort, outPort, sizes } from './helpers';
import type { HttpAnswer, NodeKind } from './types';

/** How long a request waits for its answer at most, in seconds. */
export const HTTP_ENDPOINT_MAX_TIMEOUT_S = 300;
/** Request headers one endpoint may copy onto the message. */
const MAX_HEADERS = 16;

// RFC 9110 token characters: what a header name may be made of.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
// Set by the gateway from the body it sends; a flow setting them would corrupt the answer.
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);

/** The payload of a request's message and what `msg.req` carries, for the palette and the validator. */
export const httpRequestShape = {
  type: 'object',
  properties: {
    method: { type: 'string' },
    path: { type: 'string' },
    params: { type: 'object' },
    query: { type: 'object' },
    headers: { type: 'object' },
  },
} as const;

const endpoint: NodeKind = {
  kind: 'trigger.http',
  category: 'trigger',
  title: 'HTTP endpoint',
  doc: 'Starts a run for each request to `/flows<path>` on the gateway’s HTTP port (`/hooks/door/:id` takes `/flows/hooks/door/7`). `payload` is the body (JSON, form or text, by its content type; the query for a GET); `msg.req` has method, path, params, query and the chosen headers. By default a request needs the site’s bearer token; an HTTP response node answers it, else the run’s end does (204, or 500 when it failed).',
  icon: 'webhook',
  config: Type.Object({
    method: Type.Union(
      HTTP_ENDPOINT_METHODS.map((m) => Type.Literal(m)),
      { default: 'POST' },
    ),
    path: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'Path below /flows, with :parameters, e.g. /hooks/door/:id',
    }),
    auth: Type.Union([Type.Literal('token'), Type.Literal('open')], {
      default: 'token',
      description:
        'token: the request needs the site’s HTTP token (Authorization: Bearer …); open: anyone on the network who reaches the gateway',
    }),
    headers: Type.Array(Type.String({ pattern: HEADER_NAME.source }), {
      default: [],
      maxItems: MAX_HEADERS,
      description: 'Request headers to put on the message (msg.req.headers), e.g. content-type',
    }),
    timeoutSeconds: Type.Number({
      minimum: 1,
      maximum: HTTP_ENDPOINT_MAX_TIMEOUT_S,
      default: 30,
      description: 'Answer 504 when the flow has not answered by then',
    }),
  }),
  inputs: [],
  outputs: outPort,
  expressions: [],
  roleRefs: [],
  size: sizes.trigger,
  checkConfig: (config) => {
    const problem = typeof config.path === 'string' ? endpointPathProblem(config.path) : undefined;
    return problem ? [{ path: 'path', message: problem }] : [];
  },
  create: ({ config }) => ({
    trigger: {
      type: 'http',
      endpoint: {
        method: String(config.method ?? 'POST') as (typeof HTTP_ENDPOINT_METHODS)[number],
        path: compileEndpointPath(String(config.path)),
        auth: config.auth === 'open' ? 'open' : 'token',
        headers: ((config.headers ?? []) as string[]).map((h) => h.toLowerCase()),
        timeoutMs: Number(config.timeoutSeconds ?? 30) * 1000,
      },
    },
  }),
};

/** Why a response header cannot be set, or undefined when it can. */
export const responseHeaderProblem = (name: string, value: string): string | undefined => {
  if (!HEADER_NAME.test(name)) return `"${name.slice(0, 40)}" is not a header name`;
  if (FRAMING.has(name.toLowerCase()))
    return `${name} is set by the gateway from the body it sends; a flow cannot set it`;
  if (/[\r\n\0]/.test(value)) return `the value of ${name} has a line break or NUL`;
  if (value.length > 4096) return `the value of ${name} is ${value.length} characters; at most 4096`;
  return undefined;
};

const lowerKeys = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

/** The answer for a body a flow made: text as text, bytes as bytes, anything else as JSON. */
export const answerFor = (status: number, headers: Record<string, string>, value: unknown): HttpAnswer => {
  const own = lowerKeys(headers);
  const type = (fallback: string) => ({ 'content-type': fallback, ...own });
  if (status === 204 || status === 304 || value === undefined || value === null)
    return { status, headers: own, body: '' };
  if (typeof value === 'string') return { status, headers: type('text/plain; charset=utf-8'), body: value };
  if (value instanceof Uint8Array) return { status, headers: type('application/octet-stream'), body: value };
  return {
    status,
    headers: type('application/json; charset=utf-8'),
    body: JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
  };
};

const statusOf = (value: unknown): number => {
  const status = typeof value === 'bigint' ? Number(value) : value;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    throw new Error(
      `The status expression gave ${JSON.stringify(value) ?? String(value)}; an HTTP status is a whole number from 100 to 599.`,
    );
  return status;
};

const response: NodeKind = {
  kind: 'action.http-response',
  category: 'action',
  title: 'HTTP response',
  doc: 'Answers the HTTP request that started this run (an HTTP endpoint trigger) with a status, headers and a body (text as text/plain, objects as JSON). A request is answered once: a second response, or one after the request timed out, fails the node.',
  icon: 'reply',
  config: Type.Object({
    status: Type.Integer({ minimum: 100, maximum: 599, default: 200, description: 'HTTP status' }),
    statusFrom: Type.Optional(
      Type.String({ minLength: 1, description: 'CEL expression for the status, instead of `status`' }),
    ),
    headers: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Response headers, e.g. content-type',
    }),
    body: expression('CEL expression for the body (objects are sent as JSON)', 'payload'),
  }),
  inputs: inPort,
  outputs: outPort,
  expressions: [{ path: 'body' }, { path: 'statusFrom' }],
  roleRefs: [],
  size: sizes.action,
  checkConfig: (config) => {
    const headers = (config.headers ?? {}) as Record<string, unknown>;
    const problems: { path: string; message: string }[] = [];
    for (const [name, value] of Object.entries(headers)) {
      const problem = responseHeaderProblem(name, String(value));
      if (problem) problems.push({ path: `headers.${name}`, message: problem });
    }
    return problems;
  },
  create: ({ config }, { compile }) => {
    const source = String(config.body ?? 'payload');
    const body = source.trim() === 'payload' ? undefined : compile(source);
    const statusFrom =
      typeof config.statusFrom === 'string' && config.statusFrom.trim()
        ? compile(config.statusFrom)
        : undefined;
    const status = Number(config.status ?? 200);
    const headers = (config.headers ?? {}) as Record<string, string>;
    return {
      receive: (ctx, message) => {
        const answer = answerFor(
          statusFrom ? statusOf(ctx.evaluate(statusFrom, message)) : status,
          headers,
          body ? ctx.evaluate(body, message) : message.payload,
        );
        const refused = ctx.io.respond(answer);
        if (refused !== undefined) throw new Error(refused);
        ctx.send('out', message);
      },
    };
  },
};

/** The HTTP endpoint trigger and the HTTP response action. */
export const httpEndpointKinds = { endpoint, response } as const;
