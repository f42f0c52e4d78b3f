/**
 * The gateway's side of flow HTTP endpoints: requests below `/flows` (so no flow can shadow the
 * status and RPC routes) are checked on their headers first — the endpoint exists, the method
 * fits, the site's bearer token is right where the endpoint asks for it, the gateway is not at
 * its cap of open requests — and only then is the body read (bounded), parsed by its content
 * type and handed to the engine, which answers it (flow/catalog/http-endpoint.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpEndpointMatch, HttpEndpointRequest, HttpLookup } from '../../core/engine/engine';
import { FieldgraphError } from '../../core/errors';
import type { HttpAnswer } from '../../core/flow/catalog';
import { FLOW_ENDPOINT_PREFIX, HTTP_ENDPOINT_METHODS, requestSegments } from '../../core/flow/http-path';
import { parseJsonWithin } from '../../core/json/bounded';
import { HttpReply, type GatewayHttp } from './http';

/** What the running flows offer the HTTP server: their endpoints, and the site's token. */
export interface FlowEndpoints {
  lookup(method: string, segments: readonly string[]): HttpLookup;
  deliver(match: HttpEndpointMatch, request: HttpEndpointRequest, reply: (answer: HttpAnswer) => void): void;
  /** The site's HTTP token, or why this gateway has none (no `http.token` in the site, secret not sealed). */
  token(): { readonly token: string } | { readonly problem: string };
}

/** Bounds on every request to a flow endpoint. */
export const FLOW_ENDPOINT_LIMITS = {
  /** Body bytes. */
  body: 256 * 1024,
  /** Nesting of a JSON body. */
  jsonDepth: 32,
  /** Request headers. */
  headers: 64,
  /** Query parameters. */
  query: 64,
  /** Requests whose flows have not answered yet, across all endpoints. */
  open: 32,
} as const;

const fail = (
  code: ConstructorParameters<typeof FieldgraphError>[0],
  message: string,
  headers?: Record<string, string>,
) => new FieldgraphError(code, message, headers ? { headers } : undefined);

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Whether `given` is the site's token, compared as digests of equal length in constant time, so the time taken says nothing about the token. */
export const sameToken = (given: string, token: string): boolean =>
  timingSafeEqual(digest(given), digest(token));

/** The token of an `Authorization: Bearer …` header, or undefined when there is none. */
export const bearer = (request: IncomingMessage): string | undefined => {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return match?.[1];
};

/** Who asks for the site's token: its name in the refusals, its realm and its error codes. */
export interface TokenAsker {
  readonly subject: string;
  readonly realm: string;
  readonly unavailable: 'endpoint.unavailable' | 'panel.unavailable';
  readonly unauthorized: 'endpoint.unauthorized' | 'panel.unauthorized';
}

/**
 * Throws the refusal a request gets when it does not carry the site's token: 503 when the
 * gateway has no token to compare with, 401 with `WWW-Authenticate` when the header is missing or
 * the token is another one.
 */
export const requireSiteToken = (
  request: IncomingMessage,
  site: { token: string } | { problem: string },
  asker: TokenAsker,
): void => {
  if ('problem' in site)
    throw fail(asker.unavailable, `${asker.subject} needs the site's HTTP token, but ${site.problem}`);
  const given = bearer(request);
  if (given === undefined)
    throw fail(
      asker.unauthorized,
      `${asker.subject} needs the site’s HTTP token: send Authorization: Bearer <token>.`,
      { 'www-authenticate': `Bearer realm="${asker.realm}"` },
    );
  if (!sameToken(given, site.token))
    throw fail(asker.unauthorized, 'The bearer token is not the site’s HTTP token.', {
      'www-authenticate': `Bearer realm="${asker.realm}", error="invalid_token"`,
    });
};

const ENDPOINT_ASKER: TokenAsker = {
  subject: 'This endpoint',
  realm: 'fieldgraph-flows',
  unavailable: 'endpoint.unavailable',
  unauthorized: 'endpoint.unauthorized',
};

const mediaType = (request: IncomingMessage): string =>
  (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as the flow sees it: JSON, form fields, or text, by its content type; undefined when empty. */
const parseBody = (type: string, body: Buffer): unknown => {
  if (body.length === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw fail(
      'endpoint.bad_request',
      'The body is not UTF-8 text; an endpoint takes JSON, form fields or text.',
    );
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    const parsed = parseJsonWithin(text, { maxDepth: FLOW_ENDPOINT_LIMITS.jsonDepth });
    if (!parsed.ok)
      throw fail(
        'endpoint.bad_request',
        `The body says it is JSON (${type}), but ${parsed.problem.message}. Send valid JSON, or another content type.`,
      );
    return parsed.value;
  }
  if (type === 'application/x-www-form-urlencoded') return fieldsOf(new URLSearchParams(text), 'form field');
  return text;
};

/** Fields by name; a name given more than once keeps every value, in order, as Node-RED does. */
const fieldsOf = (params: URLSearchParams, what: string): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  let count = 0;
  for (const [name, value] of params) {
    if (++count > FLOW_ENDPOINT_LIMITS.query)
      throw fail('endpoint.bad_request', `The request has more than ${FLOW_ENDPOINT_LIMITS.query} ${what}s.`);
    const had = out[name];
    out[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return out;
};

const headersOf = (request: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
};

/**
 * Serves the flows' HTTP endpoints on `http` below `/flows`, with whatever flows `endpoints()`
 * gives at the time of each request (it changes when a package is installed).
 */
export const serveFlowEndpoints = (http: GatewayHttp, endpoints: () => FlowEndpoints | undefined): void => {
  let open = 0;
  const matched = new WeakMap<
    IncomingMessage,
    { host: FlowEndpoints; match: HttpEndpointMatch; segments: string[] }
  >();

  const authorize = (request: IncomingMessage): void => {
    if (request.rawHeaders.length / 2 > FLOW_ENDPOINT_LIMITS.headers)
      throw fail(
        'endpoint.too_many_headers',
        `The request has more than ${FLOW_ENDPOINT_LIMITS.headers} headers.`,
      );
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://gateway');
    const path = requestSegments(url.pathname);
    if (!path.ok) throw fail('endpoint.bad_request', `The request path cannot be read: ${path.problem}.`);
    const host = endpoints();
    const lookup = host?.lookup(method, path.segments);
    if (!host || !lookup)
      throw fail(
        'endpoint.not_found',
        `No flow on this gateway serves ${method} ${url.pathname.slice(0, 200)}.`,
      );
    if ('allowed' in lookup)
      throw fail(
        'endpoint.method_not_allowed',
        `${url.pathname.slice(0, 200)} takes ${lookup.allowed.join(', ')}, not ${method}.`,
        { allow: lookup.allowed.join(', ') },
      );
    const { found } = lookup;
    if (found.endpoint.auth === 'token') requireSiteToken(request, host.token(), ENDPOINT_ASKER);
    if (mediaType(request).startsWith('multipart/'))
      throw fail(
        'endpoint.unsupported_type',
        'An endpoint does not take multipart bodies (file uploads); send JSON, form fields or text.',
      );
    if (open >= FLOW_ENDPOINT_LIMITS.open)
      throw fail('endpoint.busy', `The gateway has ${open} flow requests open, its limit; retry shortly.`, {
        'retry-after': '1',
      });
    matched.set(request, { host, match: found, segments: path.segments });
  };

  const handle = async (request: IncomingMessage, url: URL, body: Buffer): Promise<HttpReply> => {
    const found = matched.get(request);
    if (!found) throw fail('endpoint.not_found', 'The endpoint went away while the request was read.');
    const flowRequest: HttpEndpointRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      segments: found.segments,
      query: fieldsOf(url.searchParams, 'query parameter'),
      headers: headersOf(request),
      body: parseBody(mediaType(request), body),
    };
    open++;
    try {
      const answer = await new Promise<HttpAnswer>((resolve, reject) => {
        try {
          found.host.deliver(found.match, flowRequest, resolve);
        } catch (error) {
          reject(
            fail('endpoint.bad_request', `The request cannot start the flow: ${(error as Error).message}`),
          );
        }
      });
      return new HttpReply(answer.status, answer.headers, answer.body);
    } finally {
      open--;
    }
  };

  const options = { authorize, maxBody: FLOW_ENDPOINT_LIMITS.body };
  for (const method of HTTP_ENDPOINT_METHODS) {
    http.route(method, `${FLOW_ENDPOINT_PREFIX}/*`, handle, options);
    http.route(method, `${FLOW_ENDPOINT_PREFIX}/`, handle, options);
  }
};
