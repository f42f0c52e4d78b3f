import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FieldgraphError } from '../../core/errors';
import type { Logger } from '../log';

/** Handles one HTTP request; returns a JSON-able body (status 200) or throws a FieldgraphError. */
export type HttpRoute = (request: IncomingMessage, url: URL, body: Buffer) => unknown;

/** The gateway's HTTP endpoint: JSON over plain HTTP, extended with routes by other parts (package upload). */
export interface GatewayHttp {
  readonly port: number;
  /** Adds a route for `METHOD /path`. */
  route(method: string, path: string, handler: HttpRoute): void;
  close(): Promise<void>;
}

const statusFor = (code: string): number =>
  code.endsWith('not_found') || code === 'gateway.rpc_unknown_method'
    ? 404
    : code.endsWith('unauthorized')
      ? 401
      : code === 'internal'
        ? 500
        : 400;

// Package uploads are the largest legitimate body; anything past this is refused unread.
const MAX_BODY = 64 * 1024 * 1024;

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        request.destroy();
        reject(
          new FieldgraphError(
            'gateway.rpc_bad_request',
            `The request body is larger than ${MAX_BODY} bytes.`,
          ),
        );
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

/** Starts the HTTP endpoint on `host:port` (port 0 picks a free one). */
export const startGatewayHttp = async (host: string, port: number, log: Logger): Promise<GatewayHttp> => {
  const routes = new Map<string, HttpRoute>();
  const send = (response: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
    response.end(text);
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    const handler = routes.get(`${request.method} ${url.pathname}`);
    if (!handler) {
      send(response, 404, {
        ok: false,
        error: { code: 'gateway.rpc_unknown_method', message: `No ${request.method} ${url.pathname} here.` },
      });
      return;
    }
    readBody(request)
      .then((body) => handler(request, url, body))
      .then(
        (value) => send(response, 200, { ok: true, value }),
        (error: unknown) => {
          if (error instanceof FieldgraphError) {
            send(response, statusFor(error.code), {
              ok: false,
              error: { code: error.code, message: error.message },
            });
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    route: (method, path, handler) => void routes.set(`${method.toUpperCase()} ${path}`, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
