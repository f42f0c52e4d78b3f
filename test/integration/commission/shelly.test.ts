/**
 * Shelly Gen2+ commissioning over real HTTP against a small Shelly-like server written here,
 * whose digest check is computed independently of the client (RFC 7616, SHA-256), and which
 * connects to a real mosquitto after WiFi.SetConfig like a device joining the site network.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FieldgraphError } from '../../../shared/core/errors';
import { digestAuthorization, parseDigestChallenge } from '../../../shared/node/protocols/digest-auth';
import type { CommissionProfile } from '../../../shared/node/commission/profile';
import { commissionShelly } from '../../../shared/node/commission/shelly';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
});
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

interface FakeShelly {
  url: string;
  calls: string[];
  config: Record<string, unknown>;
}

const startFakeShelly = async (
  opts: { password?: string; gen?: number; brokerCredentials?: boolean } = {},
): Promise<FakeShelly> => {
  const id = 'shellyplus1pm-a8032ab1c2d3';
  const calls: string[] = [];
  const config: Record<string, unknown> = {};
  const nonce = randomBytes(8).toString('hex');
  let mqttClient: MqttClient | undefined;
  const authorized = (header: string | undefined, method: string): boolean => {
    if (!opts.password) return true;
    if (!header?.startsWith('Digest ')) return false;
    const f = Object.fromEntries(
      [...header.slice(7).matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1], m[2]]),
    );
    const ha1 = sha(`admin:${id}:${opts.password}`);
    const ha2 = sha(`${method}:${f.uri}`);
    return (
      f.algorithm === 'SHA-256' && f.response === sha(`${ha1}:${nonce}:${f.nc}:${f.cnonce}:${f.qop}:${ha2}`)
    );
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/shelly') {
        res.setHeader('content-type', 'application/json');
        return res.end(
          JSON.stringify({
            id,
            mac: 'A8032AB1C2D3',
            model: 'SNSW-001P16EU',
            app: 'Plus1PM',
            ver: '1.4.2',
            auth_en: !!opts.password,
            ...(opts.gen ? { gen: opts.gen } : {}),
          }),
        );
      }
      if (req.method !== 'POST' || req.url !== '/rpc') return res.writeHead(404).end();
      if (!authorized(req.headers.authorization, 'POST')) {
        res.writeHead(401, {
          'www-authenticate': `Digest qop="auth", realm="${id}", nonce="${nonce}", algorithm=SHA-256`,
        });
        return res.end();
      }
      const frame = JSON.parse(body) as {
        id: number;
        method: string;
        params: { config?: Record<string, unknown> };
      };
      calls.push(frame.method);
      const reply = (result: unknown): void => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: frame.id, src: id, result }));
      };
      if (frame.method === 'Sys.SetConfig') {
        config.sys = frame.params.config;
        return reply({ restart_required: false });
      }
      if (frame.method === 'MQTT.SetConfig') {
        config.mqtt = frame.params.config;
        return reply({ restart_required: true });
      }
      if (frame.method === 'WiFi.SetConfig') {
        config.wifi = frame.params.config;
        const sta = (frame.params.config as { sta: { ssid: string; pass: string } }).sta;
        reply({ restart_required: false });
        const m = config.mqtt as { server: string; topic_prefix: string } | undefined;
        if (sta.pass === 'correct horse' && m) {
          mqttClient = mqtt.connect(`mqtt://${m.server}`, {
            will: { topic: `${m.topic_prefix}/online`, payload: Buffer.from('false'), retain: true },
          });
          mqttClient.on('connect', () =>
            mqttClient?.publish(`${m.topic_prefix}/online`, 'true', { retain: true }),
          );
        }
        return;
      }
      if (frame.method === 'Shelly.Reboot') return reply(null);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: frame.id,
          src: id,
          error: { code: 404, message: `No handler for ${frame.method}` },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  cleanup.push(async () => {
    await mqttClient?.endAsync(true);
    await new Promise((r) => server.close(r));
  });
  return { url: `http://127.0.0.1:${port}/`, calls, config };
};

const profile = (): CommissionProfile => ({
  wifi: { ssid: 'SiteNet', password: 'correct horse' },
  broker: { host: '127.0.0.1', port: broker.port, username: 'inst', password: 'pw123' },
});

const failure = async (p: Promise<unknown>): Promise<FieldgraphError> => {
  try {
    await p;
  } catch (error) {
    if (error instanceof FieldgraphError) return error;
    throw error;
  }
  throw new Error('expected a failure');
};

describe('Shelly Gen2+ commissioning over HTTP RPC', () => {
  it('sets name, MQTT, then Wi-Fi last, with SHA-256 digest auth, and sees the device online on the broker', async () => {
    const shelly = await startFakeShelly({ password: 'devpass', gen: 2 });
    const steps: string[] = [];
    const result = await commissionShelly(
      shelly.url,
      profile(),
      { name: 'Hall light', topic: 'hall-light' },
      {
        password: 'devpass',
        onStep: (s) => steps.push(s),
      },
    );
    expect(shelly.calls).toEqual(['Sys.SetConfig', 'MQTT.SetConfig', 'WiFi.SetConfig', 'Shelly.Reboot']);
    expect(steps).toEqual(['identify', 'name', 'mqtt', 'wifi', 'reboot', 'online']);
    expect(shelly.config.sys).toEqual({ device: { name: 'Hall light' } });
    expect(shelly.config.mqtt).toMatchObject({
      enable: true,
      server: `127.0.0.1:${broker.port}`,
      user: 'inst',
      pass: 'pw123',
      topic_prefix: 'hall-light',
    });
    expect(shelly.config.wifi).toEqual({ sta: { ssid: 'SiteNet', pass: 'correct horse', enable: true } });
    expect(result).toMatchObject({
      firmware: 'Shelly',
      version: '1.4.2',
      model: 'Plus1PM',
      mac: 'a8032ab1c2d3',
      name: 'Hall light',
      topic: 'hall-light',
    });
  });

  it('asks for the password when the device has one, and names a wrong one', async () => {
    const shelly = await startFakeShelly({ password: 'devpass', gen: 3 });
    expect((await failure(commissionShelly(shelly.url, profile(), { name: 'x' }))).code).toBe(
      'commission.auth_failed',
    );
    const wrong = await failure(commissionShelly(shelly.url, profile(), { name: 'x' }, { password: 'nope' }));
    expect(wrong.code).toBe('commission.auth_failed');
    expect(wrong.message).toMatch(/refused the device password/);
    expect(shelly.calls).toEqual([]);
  });

  it('refuses Gen1, an unreachable device, and a device that never comes online', async () => {
    const gen1 = await startFakeShelly();
    expect((await failure(commissionShelly(gen1.url, profile(), {}))).code).toBe('commission.unsupported');
    expect(
      (await failure(commissionShelly('http://127.0.0.1:1/', profile(), {}, { timeoutMs: 1000 }))).code,
    ).toBe('commission.no_answer');
    const lost = await startFakeShelly({ gen: 2 });
    const p = { ...profile(), wifi: { ssid: 'SiteNet', password: 'wrong password' } };
    const error = await failure(commissionShelly(lost.url, p, { topic: 'lost' }, { onlineTimeoutMs: 1000 }));
    expect(error.code).toBe('commission.broker_timeout');
    expect(lost.calls).toContain('WiFi.SetConfig');
  });
});

describe('digest authorization', () => {
  it('matches the RFC 7616 SHA-256 example', () => {
    const challenge = parseDigestChallenge(
      'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    expect(challenge).toBeDefined();
    const header = digestAuthorization(
      challenge!,
      'Mufasa',
      'Circle of Life',
      'GET',
      '/dir/index.html',
      1,
      'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    );
    expect(header).toContain('response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"');
  });
});
