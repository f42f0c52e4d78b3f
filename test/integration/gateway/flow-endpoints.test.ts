/**
 * Flow HTTP endpoints end to end, with real parts: a package whose flows serve endpoints, and
 * whose site names an HTTP token sealed to the gateway's key, is deployed over mosquitto to a
 * real `fieldgraph gateway --http` process; real HTTP requests on 127.0.0.1 then check the
 * token (right, wrong, missing), bad JSON, an oversized body, path parameters, the query of an
 * open endpoint, the default answer of a run that answers nothing, the timeout, and that each
 * answer is in the run's trace. The token must never appear in the gateway's output.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPackage } from '../../../shared/core/package/build';
import { fromHex, toHex } from '../../../shared/core/package/bytes';
import { collectSiteFiles } from '../../../shared/node/deploy/collect';
import { mqttGatewayTarget } from '../../../shared/node/deploy/mqtt';
import { appVersion } from '../../../shared/node/paths';
import { useCleanups } from '../../helpers/cleanups';
import { freePort, startMosquitto } from '../../helpers/mosquitto';
import { installerKey } from '../../helpers/packages';
import { flow, writeProject } from './fixtures';
import { connectClient, rpc } from './helpers';
import { spawnGateway } from './process';

const cleanups = useCleanups();
const TOKEN = 'flow-endpoint-token-Q7xw93';
const GATEWAY = 'hook1';

const project = () => {
  const dir = writeProject(cleanups.tempDir('fg-endpoints-'), [
    flow(
      'door',
      [
        ['in', 'trigger.http', { method: 'POST', path: '/hooks/door/:id', headers: ['x-device'] }],
        [
          'reply',
          'action.http-response',
          {
            status: 201,
            headers: { 'X-Kind': 'door' },
            body: '{"door": msg.req.params.id, "open": payload.open, "from": msg.req.headers["x-device"]}',
          },
        ],
      ],
      [['in', 'reply']],
    ),
    flow(
      'status',
      [
        ['in', 'trigger.http', { method: 'GET', path: '/status', auth: 'open' }],
        ['reply', 'action.http-response', { body: '{"room": payload.room}' }],
      ],
      [['in', 'reply']],
    ),
    flow(
      'quiet',
      [
        ['in', 'trigger.http', { method: 'PUT', path: '/quiet' }],
        ['log', 'action.log', { message: '"quiet " + payload' }],
      ],
      [['in', 'log']],
    ),
    flow(
      'slow',
      [
        ['in', 'trigger.http', { method: 'POST', path: '/slow', timeoutSeconds: 1 }],
        ['wait', 'logic.delay', { seconds: 3 }],
        ['reply', 'action.http-response', {}],
      ],
      [
        ['in', 'wait'],
        ['wait', 'reply'],
      ],
    ),
  ]);
  // The site names the token by reference; its value goes into the package sealed.
  const sitePath = join(dir, 'sites', 'home.json');
  const site = JSON.parse(readFileSync(sitePath, 'utf8')) as Record<string, unknown>;
  site.http = { token: { secret: 'site/home/http' } };
  site.gateways = [{ id: GATEWAY }];
  return { dir, site: JSON.stringify(site), sitePath };
};

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

describe('flow HTTP endpoints on a real gateway', () => {
  it('serves a deployed package’s endpoints: token, bad input, bounds, params, defaults, timeout — each answer in its trace', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const port = await freePort();
    const data = cleanups.tempDir('fg-endpoints-gw-');
    const gw = await spawnGateway(
      [
        '--id',
        GATEWAY,
        '--broker',
        m.url,
        '--data',
        data,
        '--trust',
        toHex(installerKey.publicKey),
        '--http',
        `127.0.0.1:${port}`,
      ],
      [],
      { FIELDGRAPH_LOG: 'debug' },
    );
    cleanups.push(gw.kill);
    await gw.online();
    const probe = await connectClient(m.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    const status = await rpc(probe, GATEWAY, 'status');
    const publicKey = (status.value as { publicKey: string }).publicKey;

    const { dir, site, sitePath } = project();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(sitePath, site);
    const bytes = buildPackage({
      packageId: 'endpoints-home',
      site: 'home',
      version: 1,
      created: new Date(Date.now() - 60_000).toISOString(),
      expires: new Date(Date.now() + 86_400_000).toISOString(),
      target: { kind: 'gateway', id: GATEWAY },
      engine: `>=${appVersion} <99.0.0`,
      files: (await collectSiteFiles(dir, 'home')).files,
      secrets: { values: { 'site/home/http': TOKEN }, gatewayPublicKey: fromHex(publicKey) },
      signingKey: installerKey,
    }).bytes;
    const result = await mqttGatewayTarget({ url: m.url }, GATEWAY).deliver(bytes, { timeoutMs: 20_000 });
    expect(result.gateways[0], gw.output()).toMatchObject({ ok: true, step: 'committed' });

    const base = `http://127.0.0.1:${port}`;
    const post = (path: string, body: string, headers: Record<string, string> = {}, method = 'POST') =>
      fetch(`${base}${path}`, { method, body, headers: { 'content-type': 'application/json', ...headers } });
    const auth = { authorization: `Bearer ${TOKEN}` };

    // the right token: 201, the parameter decoded, the chosen header on the message
    const ok = await post('/flows/hooks/door/front%20door', '{"open": true}', {
      ...auth,
      'x-device': 'hall',
    });
    expect(ok.status, gw.output()).toBe(201);
    expect(ok.headers.get('x-kind')).toBe('door');
    expect(await ok.json()).toEqual({ door: 'front door', open: true, from: 'hall' });
    const runId = ok.headers.get('x-fieldgraph-run');
    expect(runId).toBeTruthy();

    // missing and wrong tokens: 401, the flow never runs
    const missing = await post('/flows/hooks/door/1', '{}');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.json()).toMatchObject({ error: { code: 'endpoint.unauthorized' } });
    const wrong = await post('/flows/hooks/door/1', '{}', { authorization: 'Bearer not-it' });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.message).toMatch(/not the site’s HTTP token/);

    // bad JSON and an oversized body: 400 naming the place, 413 naming the cap
    const bad = await post('/flows/hooks/door/1', '{"open": tru', auth);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/not valid JSON \(line 1, column \d+\)/);
    const big = await post('/flows/hooks/door/1', JSON.stringify({ pad: 'x'.repeat(300 * 1024) }), auth);
    expect(big.status).toBe(413);

    // an open endpoint with its query; a wrong method; a path no flow serves; the gateway's own routes
    const open = await fetch(`${base}/flows/status?room=hall`);
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ room: 'hall' });
    const method = await fetch(`${base}/flows/status`, { method: 'DELETE' });
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toBe('GET');
    expect((await fetch(`${base}/flows/nothing`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/v1/status`)).status).toBe(200);

    // a run that answers nothing gets 204; one slower than its timeout gets 504 after about a second
    const quiet = await post('/flows/quiet', '"x"', { ...auth, 'content-type': 'text/plain' }, 'PUT');
    expect(quiet.status).toBe(204);
    const started = Date.now();
    const slow = await post('/flows/slow', '{}', auth);
    expect(slow.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await slow.json()).error.code).toBe('endpoint.timeout');
    const slowRun = slow.headers.get('x-fieldgraph-run');

    // the traces say what was answered (the slow run's once its delay is over)
    const trace = await rpc(probe, GATEWAY, 'trace', { runId });
    expect(trace.value).toMatchObject({
      flowId: 'door',
      http: { status: 201, answeredBy: 'node', method: 'POST' },
    });
    let slowTrace: Awaited<ReturnType<typeof rpc>> | undefined;
    for (let i = 0; i < 40 && !slowTrace?.ok; i++) {
      await new Promise((r) => setTimeout(r, 250));
      slowTrace = await rpc(probe, GATEWAY, 'trace', { runId: slowRun });
    }
    expect(slowTrace?.value, gw.output()).toMatchObject({
      outcome: 'failed',
      http: { status: 504, answeredBy: 'timeout' },
    });

    // the token is in no log line and nowhere in clear in the gateway's data folder
    expect(gw.output()).not.toContain(TOKEN);
    for (const file of filesUnder(data)) expect(readFileSync(file).includes(TOKEN), file).toBe(false);
  });
});
