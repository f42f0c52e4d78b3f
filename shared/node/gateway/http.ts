import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FieldgraphError } from '../../core/errors';
import type { Logger } from '../log';

/** Handles one HTTP request; returns a JSON-able body (status 200), a {@link RawBody}, {@link HttpReply} or {@link HttpStream}, or throws a FieldgraphError. */
export type HttpRoute = (request: IncomingMessage, url: URL, body: Buffer) => unknown;

/** A route's answer sent as it is, not wrapped in `{ok, value}` (the RPC route sends the signed reply). */
export class RawBody {
  constructor(readonly body: unknown) {}
}

/** A route's answer with its own status, headers and body (flow HTTP endpoints), sent as it is. */
export class HttpReply {
  constructor(
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: string | Uint8Array,
  ) {}
}

/** A route's answer that keeps the connection and writes to it as it likes (the panel's live stream). */
export class HttpStream {
  constructor(readonly open: (response: ServerResponse) => void) {}
}

/** What a route checks before its body is read. */
export interface RouteOptions {
  /** Runs on the headers alone; throw (`install.unauthorized`) to refuse before a byte of the body is read. */
  readonly authorize?: (request: IncomingMessage) => void;
  /** Largest body accepted, checked against Content-Length first and while reading (default 256 KiB). */
  readonly maxBody?: number;
}

/** The gateway's HTTP endpoint: JSON over plain HTTP, extended with routes by other parts (package upload). */
export interface GatewayHttp {
  readonly port: number;
  /** Adds a route for `METHOD /path`; a path ending in `/*` matches everything below it. */
  route(method: string, path: string, handler: HttpRoute, options?: RouteOptions): void;
  close(): Promise<void>;
}

// Flow endpoints answer as HTTP clients expect (405 with Allow, 431, 503 with Retry-After).
const endpointStatus: Record<string, number> = {
  'endpoint.method_not_allowed': 405,
  'endpoint.unsupported_type': 415,
  'endpoint.too_many_headers': 431,
  'endpoint.busy': 503,
  'endpoint.unavailable': 503,
  'panel.unsupported_type': 415,
  'panel.too_many_presses': 429,
  'panel.busy': 503,
  'panel.unavailable': 503,
};

const statusFor = (code: string): number =>
  endpointStatus[code] ??
  (code.endsWith('not_found') || code === 'gateway.rpc_unknown_method'
    ? 404
    : code.endsWith('unauthorized')
      ? 401
      : code === 'gateway.too_large'
        ? 413
        : code === 'internal'
          ? 500
          : 400);

/** Headers an error names for its answer (`details.headers`: Allow, WWW-Authenticate, Retry-After). */
const headersOf = (error: FieldgraphError): Record<string, string> => {
  const headers = (error.details as { headers?: unknown } | undefined)?.headers;
  return typeof headers === 'object' && headers !== null ? (headers as Record<string, string>) : {};
};

const DEFAULT_MAX_BODY = 256 * 1024;

const readBody = (request: IncomingMessage, max: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        request.removeAllListeners('data');
        reject(new FieldgraphError('gateway.too_large', `The request body is larger than ${max} bytes.`));
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

interface Route {
  readonly handler: HttpRoute;
  readonly options: RouteOptions;
}

/**
 * Starts the HTTP endpoint on `host:port` (port 0 picks a free one). Per request, in this order:
 * route, authorisation on the headers, Content-Length against the route's cap — and only then
 * the body, read with the same cap. A refused request is answered and its connection closed
 * without reading what the client still sends.
 */
export const startGatewayHttp = async (host: string, port: number, log: Logger): Promise<GatewayHttp> => {
  const routes = new Map<string, Route>();
  const send = (response: ServerResponse, status: number, body: unknown, headers = {}): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    });
    response.end(text);
  };
  const reply = (response: ServerResponse, answer: HttpReply): void => {
    // The client may have gone while the flow ran: nothing to answer then.
    if (response.destroyed || response.writableEnded) return;
    response.writeHead(answer.status, { 'cache-control': 'no-store', ...answer.headers });
    response.end(answer.body);
  };
  const fail = (
    request: IncomingMessage,
    response: ServerResponse,
    error: FieldgraphError,
    unread: boolean,
  ) => {
    send(
      response,
      statusFor(error.code),
      { ok: false, error: { code: error.code, message: error.message } },
      headersOf(error),
    );
    // The body was never read into memory. Like a web server's lingering close, what the client
    // still sends is discarded for a moment (so it can read the answer instead of a broken pipe),
    // then the connection is dropped, so an upload in flight cannot keep it busy.
    // A request whose body did arrive by then keeps its connection: a client may send its next
    // request on it (a retry with the token).
    if (unread) {
      request.resume();
      response.once('finish', () =>
        setTimeout(() => {
          if (!request.complete) request.socket.destroy();
        }, 1_000).unref(),
      );
    }
  };
  const find = (method: string, path: string): Route | undefined => {
    const exact = routes.get(`${method} ${path}`);
    if (exact) return exact;
    const wanted = `${method} ${path}`;
    for (const [key, route] of routes) {
      if (!key.endsWith('/*')) continue;
      const prefix = key.slice(0, -1);
      if (wanted.startsWith(prefix) && wanted.length > prefix.length) return route;
    }
    return undefined;
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    const route = find(request.method ?? 'GET', url.pathname);
    if (!route) {
      fail(
        request,
        response,
        new FieldgraphError('gateway.rpc_unknown_method', `No ${request.method} ${url.pathname} here.`),
        true,
      );
      return;
    }
    const max = route.options.maxBody ?? DEFAULT_MAX_BODY;
    try {
      route.options.authorize?.(request);
      const declared = request.headers['content-length'];
      if (declared !== undefined && !(/^\d+$/.test(declared) && Number(declared) <= max)) {
        throw new FieldgraphError(
          'gateway.too_large',
          `The request declares ${declared} bytes; this endpoint takes at most ${max}.`,
        );
      }
    } catch (error) {
      if (error instanceof FieldgraphError) {
        fail(request, response, error, true);
        return;
      }
      throw error;
    }
    readBody(request, max)
      .then((body) => route.handler(request, url, body))
      .then(
        (value) =>
          value instanceof HttpReply
            ? reply(response, value)
            : value instanceof HttpStream
              ? value.open(response)
              : value instanceof RawBody
                ? send(response, 200, value.body)
                : send(response, 200, { ok: true, value }),
        (error: unknown) => {
          if (error instanceof FieldgraphError) {
            fail(request, response, error, error.code === 'gateway.too_large');
          } else {
            log.error('HTTP route failed', { path: url.pathname, error: String(error) });
            send(response, 500, {
              ok: false,
              error: { code: 'internal', message: 'The gateway failed; its log has the details.' },
            });
          }
        },
      );
  });
  // Slow or stalled uploads cannot hold a connection open for ever.
  server.requestTimeout = 120_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    route: (method, path, handler, options = {}) =>
      void routes.set(`${method.toUpperCase()} ${path}`, { handler, options }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
