import { parseJsonWithin } from '../../core/json/bounded';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Value } from '@sinclair/typebox/value';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatch } from '../../core/api/dispatch';
import type { EventHub } from '../../core/api/events';
import { MAX_WIRE_MESSAGE, WireCall, type WireEvent, type WireResult } from '../../core/api/wire';
import { FieldgraphError } from '../../core/errors';
import { fail } from '../../core/result';
import type { Logger } from '../log';
import { serveStatic } from './static';

/** Hosts the web app may listen on: loopback only, so the API never reaches the network. */
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

/** Options of the web-app server. */
export interface WebServerOptions {
  dispatch: Dispatch;
  hub: EventHub;
  log: Logger;
  /** The built renderer to serve. */
  rendererDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** A fixed token (tests); by default a new random one per start. */
  token?: string;
}

/** A running web-app server. */
export interface WebServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly server: Server;
  close(): Promise<void>;
}

const COOKIE = 'fieldgraph_session';

const sameSecret = (given: string | undefined | null, expected: string): boolean => {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

const readCookie = (req: IncomingMessage, name: string): string | undefined => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
};

const deny = (res: ServerResponse, status: number, code: string, message: string): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ ok: false, error: { code, message } }));
};

const denyUpgrade = (socket: Duplex, status: number, reason: string, code: string, message: string): void => {
  const body = JSON.stringify({ ok: false, error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
};

/**
 * Serves the built renderer and the API over a WebSocket on loopback. Every HTTP and
 * WebSocket request needs the per-start token (query `token`) or the HttpOnly session cookie
 * the first tokened request sets; the WebSocket also needs an Origin of this server and the
 * Host header must name this server (against DNS rebinding).
 */
export const startWebServer = async (options: WebServerOptions): Promise<WebServer> => {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.includes(host)) {
    throw new FieldgraphError(
      'api.forbidden',
      `The web app only listens on loopback (${LOOPBACK_HOSTS.join(', ')}), not on ${host}: its API controls devices on site.`,
    );
  }
  const token = options.token ?? randomBytes(24).toString('base64url');
  const session = randomBytes(24).toString('base64url');
  const log = options.log;
  let port = 0;

  const allowedHosts = (): Set<string> =>
    new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const hostAllowed = (req: IncomingMessage): boolean => allowedHosts().has(req.headers.host ?? '');
  const authorised = (req: IncomingMessage, url: URL): 'token' | 'cookie' | null => {
    if (sameSecret(url.searchParams.get('token'), token)) return 'token';
    if (sameSecret(readCookie(req, COOKIE), session)) return 'cookie';
    return null;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (!hostAllowed(req)) {
      deny(res, 403, 'api.forbidden', 'This server answers only to its own loopback address.');
      return;
    }
    const how = authorised(req, url);
    if (!how) {
      deny(
        res,
        401,
        'api.unauthorized',
        'Open the address printed by `fieldgraph web`, including its ?token=….',
      );
      return;
    }
    if (how === 'token') {
      // Trade the token for a session cookie, then drop it from the address bar so it is
      // not kept in history or sent on as a referrer.
      url.searchParams.delete('token');
      const rest = url.searchParams.toString();
      res.writeHead(303, {
        'set-cookie': `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`,
        location: url.pathname + (rest ? `?${rest}` : ''),
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
    serveStatic(options.rendererDir, req, res).catch((error: unknown) => {
      log.error('static file failed', { path: url.pathname, error: String(error) });
      if (!res.headersSent) deny(res, 500, 'internal', 'The file could not be served.');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WIRE_MESSAGE });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== '/api') {
      denyUpgrade(socket, 404, 'Not Found', 'api.forbidden', 'The API lives at /api.');
      return;
    }
    if (!hostAllowed(req)) {
      denyUpgrade(
        socket,
        403,
        'Forbidden',
        'api.forbidden',
        'This server answers only to its own loopback address.',
      );
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts().has(origin.replace(/^http:\/\//, ''))) {
      denyUpgrade(socket, 403, 'Forbidden', 'api.forbidden', `Origin ${origin} may not use this API.`);
      return;
    }
    if (!authorised(req, url)) {
      denyUpgrade(
        socket,
        401,
        'Unauthorized',
        'api.unauthorized',
        'A valid token or session cookie is required.',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, message: WireResult | WireEvent): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = options.hub.subscribe((event, payload) => {
    for (const ws of clients) send(ws, { t: 'event', event, payload });
  });

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', (error) => log.warn('websocket error', { error: String(error) }));
    ws.on('message', (data, isBinary) => {
      // Bounded: API arguments nest a few levels; a deeper message is refused, never walked.
      const parsed = isBinary ? undefined : parseJsonWithin(data.toString());
      const message: unknown = parsed?.ok ? parsed.value : undefined;
      if (!Value.Check(WireCall, message)) {
        const id = (message as { id?: unknown } | undefined)?.id;
        send(ws, {
          t: 'result',
          id: typeof id === 'number' ? id : -1,
          result: fail(
            'api.bad_message',
            'Messages must be JSON {"t":"call","id":<n>,"method":"area.verb","args":{…}}.',
          ),
        });
        return;
      }
      const call = message;
      options
        .dispatch(call.method, call.args, { transport: 'websocket' })
        .then((result) => send(ws, { t: 'result', id: call.id, result }))
        .catch((error: unknown) => {
          log.error('dispatch threw', { method: call.method, error: String(error) });
          send(ws, { t: 'result', id: call.id, result: fail('internal', 'The call failed unexpectedly.') });
        });
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new FieldgraphError(
            'web.port_in_use',
            `Port ${options.port} on ${host} is already in use — is another Fieldgraph running? Pick another with --port N, or --port 0 for any free port.`,
          ),
        );
      } else reject(error);
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host === '::1' ? '[::1]' : host;

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    token,
    server,
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
