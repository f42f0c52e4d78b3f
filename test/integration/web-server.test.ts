import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDispatcher } from '../../shared/core/api/dispatch';
import { createEventHub } from '../../shared/core/api/events';
import { silentLogger } from '../../shared/node/log';
import { rendererDir } from '../../shared/node/paths';
import { createServices } from '../../shared/node/services';
import { startWebServer, type WebServer } from '../../shared/node/web/server';
import { createWsClient, type ConnectionState, type WebSocketLike } from '../../renderer/src/api/ws-client';
import { webSocketHarness } from '../helpers/transports';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const get = (port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });

/** Opens a raw WebSocket and reports either 'open' or the HTTP status that refused it. */
const tryUpgrade = (
  url: string,
  headers: Record<string, string> = {},
  origin?: string,
): Promise<number | 'open'> =>
  new Promise((resolve) => {
    const ws = new WebSocket(url, { headers, origin });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => {});
  });

const rawCall = (
  ws: WebSocket,
  message: string,
): Promise<{ id: number; result: { ok: boolean; error?: { code: string } } }> =>
  new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString())));
    ws.send(message);
  });

describe('web-app server', () => {
  let server: WebServer;
  let close: () => Promise<void>;
  let cookie: string;

  beforeAll(async () => {
    const h = await webSocketHarness();
    server = h.server;
    close = h.close;
  });
  afterAll(async () => close());

  it('listens on 127.0.0.1 only and prints the address with its token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[\\w-]{20,}$`));
  });

  it('answers 401 without a token, and with a wrong one', async () => {
    const host = { host: `127.0.0.1:${server.port}` };
    expect((await get(server.port, '/', host)).status).toBe(401);
    expect((await get(server.port, '/?token=nope', host)).status).toBe(401);
    expect((await get(server.port, '/assets/x.js', host)).status).toBe(401);
    const body = JSON.parse((await get(server.port, '/', host)).body);
    expect(body).toMatchObject({ ok: false, error: { code: 'api.unauthorized' } });
  });

  it('trades the token for an HttpOnly SameSite=Strict cookie and drops it from the address', async () => {
    const reply = await get(server.port, `/?token=${server.token}`, { host: `127.0.0.1:${server.port}` });
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    const setCookie = String(reply.headers['set-cookie']);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    cookie = setCookie.split(';')[0];
    const page = await get(server.port, '/', { host: `127.0.0.1:${server.port}`, cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="app">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('refuses another Host header (DNS rebinding) even with a valid session', async () => {
    const reply = await get(server.port, '/', { host: `evil.example:${server.port}`, cookie });
    expect(reply.status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2f..%2fpackage.json']) {
      const reply = await get(server.port, path, { host: `127.0.0.1:${server.port}`, cookie });
      expect(reply.body).not.toContain('"name": "fieldgraph"');
    }
  });

  it('lets a WebSocket in only with a token or cookie and a matching Origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/api`;
    const origin = `http://127.0.0.1:${server.port}`;
    expect(await tryUpgrade(base, {}, origin)).toBe(401);
    expect(await tryUpgrade(`${base}?token=wrong`, {}, origin)).toBe(401);
    expect(await tryUpgrade(`${base}?token=${server.token}`, {}, 'http://evil.example')).toBe(403);
    expect(await tryUpgrade(`${base}?token=${server.token}`, {}, `http://127.0.0.1:${server.port + 1}`)).toBe(
      403,
    );
    expect(await tryUpgrade(base, { cookie }, origin)).toBe('open');
    expect(await tryUpgrade(`${base}?token=${server.token}`, {}, origin)).toBe('open');
  });

  it('answers an unknown method and malformed messages with typed errors, and keeps serving', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, {
      origin: `http://127.0.0.1:${server.port}`,
    });
    await new Promise((resolve) => ws.once('open', resolve));
    const unknown = await rawCall(ws, JSON.stringify({ t: 'call', id: 1, method: 'nope.nothing', args: {} }));
    expect(unknown).toMatchObject({ id: 1, result: { ok: false, error: { code: 'api.unknown_method' } } });
    const garbage = await rawCall(ws, '{not json');
    expect(garbage.result.error?.code).toBe('api.bad_message');
    const wrongShape = await rawCall(ws, JSON.stringify({ t: 'call', id: 'x', method: 5 }));
    expect(wrongShape.result.error?.code).toBe('api.bad_message');
    const fine = await rawCall(
      ws,
      JSON.stringify({ t: 'call', id: 2, method: 'app.ping', args: { echo: 'still here' } }),
    );
    expect(fine).toMatchObject({ id: 2, result: { ok: true } });
    ws.close();
  });
});

describe('web-app server lifecycle', () => {
  const services = () => {
    const hub = createEventHub();
    return {
      hub,
      dispatch: createDispatcher(
        createServices({ runtime: 'web', dataDir: '/tmp/fg-unused', hub, log: silentLogger }),
      ),
    };
  };

  it('reports a port in use with a clear message and a suggestion', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    await expect(
      startWebServer({ ...services(), log: silentLogger, rendererDir, port }),
    ).rejects.toMatchObject({ code: 'web.port_in_use', message: expect.stringContaining('--port') });

    // The CLI says the same in words and exits non-zero, without a stack trace.
    const child = spawn(process.execPath, ['bin/fieldgraph.js', 'web', '--no-open', '--port', String(port)], {
      env: { ...process.env, FIELDGRAPH_DATA_DIR: '/tmp/fg-unused' },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(err).not.toMatch(/\n\s+at /);
    blocker.close();
  });

  it('refuses to listen beyond loopback', async () => {
    await expect(
      startWebServer({ ...services(), log: silentLogger, rendererDir, host: '0.0.0.0' }),
    ).rejects.toMatchObject({ code: 'api.forbidden' });
  });

  it('the browser client fails in-flight calls on a drop, reconnects, and works again', async () => {
    const { hub, dispatch } = services();
    let server = await startWebServer({
      dispatch,
      hub,
      log: silentLogger,
      rendererDir,
      port: 0,
      token: 'fixed-token-for-restart',
    });
    const port = server.port;
    const states: ConnectionState[] = [];
    const client = createWsClient({
      url: `ws://127.0.0.1:${port}/api?token=fixed-token-for-restart`,
      createSocket: (url) =>
        new WebSocket(url, { origin: `http://127.0.0.1:${port}` }) as unknown as WebSocketLike,
      maxBackoffMs: 200,
    });
    client.onState((s) => states.push(s));
    expect(await client.api.app.ping({ echo: 'before' })).toMatchObject({ ok: true });

    await server.close();
    await expect.poll(() => states.at(-1)).toBe('reconnecting');
    const whileDown = client.api.app.ping({ echo: 'queued while down' });
    server = await startWebServer({
      dispatch,
      hub,
      log: silentLogger,
      rendererDir,
      port,
      token: 'fixed-token-for-restart',
    });
    expect(await whileDown).toMatchObject({ ok: true, value: { echo: 'queued while down' } });
    await expect.poll(() => states.at(-1)).toBe('open');
    expect(await client.api.app.ping({ echo: 'after' })).toMatchObject({ ok: true });
    client.close();
    await server.close();
  });
});
