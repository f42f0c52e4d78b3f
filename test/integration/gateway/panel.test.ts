/**
 * The gateway panel end to end, with real parts: a package with panel controls and shown values,
 * whose site names an HTTP token sealed to the gateway's key, is deployed over mosquitto to a
 * real `fieldgraph gateway --http` process. Real HTTP on 127.0.0.1 then presses controls with
 * and without the token (a press's run publishes on mosquitto), reads shown values from the live
 * stream, and is refused bad input with reasons; Chromium opens the real page, is asked for the
 * token, draws the widgets, starts a run with a click and shows a value as it arrives.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import type { MqttClient } from 'mqtt';
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
import { openStream, watch } from './panel-helpers';
import { spawnGateway } from './process';

const cleanups = useCleanups();
const TOKEN = 'panel-token-4kq9Zx';
const GATEWAY = 'panel1';
const screenshots = join(import.meta.dirname, '../../../test-results/screenshots');

const panelFlows = [
  flow(
    'porch',
    [
      ['light', 'trigger.panel', { widget: 'Porch light', control: 'switch', group: 'Lights', order: 1 }],
      ['set', 'action.mqtt-publish', { topic: 'porch/light/set' }],
    ],
    [['light', 'set']],
  ),
  flow(
    'bell',
    [
      ['bell', 'trigger.panel', { widget: 'Doorbell', value: 'ring', group: 'Lights', order: 0 }],
      ['ring', 'action.mqtt-publish', { topic: 'door/bell' }],
    ],
    [['bell', 'ring']],
  ),
  flow(
    'dimmer',
    [
      ['dim', 'trigger.panel', { widget: 'Dimmer', control: 'slider', group: 'Lights', order: 2, step: 5 }],
      ['level', 'action.mqtt-publish', { topic: 'porch/dimmer', payload: '{"level": payload}' }],
    ],
    [['dim', 'level']],
  ),
  flow(
    'heating',
    [
      [
        'mode',
        'trigger.panel',
        {
          widget: 'Mode',
          control: 'dropdown',
          page: 'Heating',
          group: 'Boiler',
          options: [
            { label: 'Eco', value: 'eco' },
            { label: 'Comfort', value: 'comfort' },
          ],
          topic: 'heating/mode',
        },
      ],
      ['send', 'action.mqtt-publish', { topicFrom: 'topic' }],
    ],
    [['mode', 'send']],
  ),
  flow(
    'climate',
    [
      ['in', 'trigger.mqtt', { topic: 'porch/climate' }],
      [
        'temp',
        'action.panel-show',
        {
          widget: 'Temperature',
          display: 'gauge',
          value: 'payload.t',
          unit: '°C',
          min: -10,
          max: 40,
          group: 'Climate',
        },
      ],
      [
        'history',
        'action.panel-show',
        { widget: 'Temperature history', display: 'chart', value: 'payload.t', points: 3, group: 'Climate' },
      ],
      [
        'status',
        'action.panel-show',
        { widget: 'Status', value: '"humidity " + string(payload.h) + " %"', group: 'Climate' },
      ],
    ],
    [
      ['in', 'temp'],
      ['temp', 'history'],
      ['history', 'status'],
    ],
  ),
  flow(
    'state',
    [
      ['in', 'trigger.mqtt', { topic: 'porch/light/state' }],
      ['show', 'action.panel-show', { widget: 'Porch light', display: 'control' }],
    ],
    [['in', 'show']],
  ),
];

const deploy = async (brokerUrl: string, probe: MqttClient) => {
  const publicKey = ((await rpc(probe, GATEWAY, 'status')).value as { publicKey: string }).publicKey;
  const dir = writeProject(cleanups.tempDir('fg-panel-'), panelFlows);
  const sitePath = join(dir, 'sites', 'home.json');
  const site = JSON.parse(readFileSync(sitePath, 'utf8')) as Record<string, unknown>;
  writeFileSync(
    sitePath,
    JSON.stringify({ ...site, http: { token: { secret: 'site/home/http' } }, gateways: [{ id: GATEWAY }] }),
  );
  const bytes = buildPackage({
    packageId: 'panel-home',
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
  return mqttGatewayTarget({ url: brokerUrl }, GATEWAY).deliver(bytes, { timeoutMs: 20_000 });
};

describe('the gateway panel on a real gateway', () => {
  it('serves the page, takes presses with the token, streams shown values, refuses bad input, and works in Chromium', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const port = await freePort();
    const gw = await spawnGateway(
      [
        '--id',
        GATEWAY,
        '--broker',
        m.url,
        '--data',
        cleanups.tempDir('fg-panel-gw-'),
        '--trust',
        toHex(installerKey.publicKey),
        '--http',
        `127.0.0.1:${port}`,
      ],
      [],
    );
    cleanups.push(gw.kill);
    await gw.online();
    const probe = await connectClient(m.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    const mqttIn = watch(probe, '#');
    const base = `http://127.0.0.1:${port}`;

    // Before a package with panel nodes: the page is there, its API says there is nothing on it.
    expect((await fetch(`${base}/panel`)).status).toBe(200);
    const none = await fetch(`${base}/panel/api/panel`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(none.status).toBe(404);
    expect((await none.json()).error.message).toMatch(/put nothing on the panel/);

    const result = await deploy(m.url, probe);
    expect(result.gateways[0], gw.output()).toMatchObject({ ok: true, step: 'committed' });

    // The page is static, carries no data, and may fetch nothing but this gateway.
    const page = await fetch(`${base}/panel`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).not.toContain('Porch light');
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(`${base}/panel/panel.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);

    // The data needs the token.
    const auth = { authorization: `Bearer ${TOKEN}` };
    const missing = await fetch(`${base}/panel/api/panel`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await fetch(`${base}/panel/api/panel`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toMatchObject({
      code: 'panel.unauthorized',
      message: expect.stringMatching(/not the site’s HTTP token/),
    });
    const snapshot = await (await fetch(`${base}/panel/api/panel`, { headers: auth })).json();
    const pages = snapshot.value.pages as {
      name: string;
      groups: { name: string; widgets: { name: string; kind: string }[] }[];
    }[];
    expect(pages.map((p) => p.name)).toEqual(['Home', 'Heating']);
    expect(pages[0]!.groups.map((g) => [g.name, g.widgets.map((w) => `${w.name}:${w.kind}`)])).toEqual([
      ['Lights', ['Doorbell:button', 'Porch light:switch', 'Dimmer:slider']],
      ['Climate', ['Status:text', 'Temperature:gauge', 'Temperature history:chart']],
    ]);

    // A press starts its run: the switch's value goes out on mosquitto, its state moves.
    const stream = await openStream(`${base}/panel/api/stream`, TOKEN);
    cleanups.push(stream.close);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await stream.waitFor(() => stream.events.find((e) => e.event === 'panel'), 'the panel');
    const press = (body: unknown, headers: Record<string, string> = auth) =>
      fetch(`${base}/panel/api/press`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const pressed = await press({ widget: 'Porch light', value: true });
    expect(pressed.status, gw.output()).toBe(200);
    expect((await pressed.json()).value).toMatchObject({
      widget: 'Porch light',
      value: true,
      runId: expect.any(String),
    });
    expect(await mqttIn.next('porch/light/set')).toBe('true');
    await stream.waitFor(
      () =>
        stream.events.find(
          (e) =>
            e.event === 'update' && e.data.values.some((v) => v.widget === 'Porch light' && v.value === true),
        ),
      'the switch turned on',
    );
    expect((await press({ widget: 'Dimmer', value: 35 })).status).toBe(200);
    expect(JSON.parse(await mqttIn.next('porch/dimmer'))).toEqual({ level: 35 });
    expect((await press({ widget: 'Mode', value: 'comfort' })).status).toBe(200);
    expect(await mqttIn.next('heating/mode')).toBe('comfort');

    // Without the token, or with a wrong one, nothing runs.
    expect((await press({ widget: 'Doorbell' }, {})).status).toBe(401);
    expect((await press({ widget: 'Doorbell' }, { authorization: 'Bearer nope' })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(mqttIn.seen.filter((m) => m.topic === 'door/bell')).toEqual([]);

    // Bad input: refused with the reason, nothing run.
    const refused = async (
      body: unknown,
      status: number,
      message: RegExp,
      headers?: Record<string, string>,
    ) => {
      const response = await press(body, { ...auth, ...headers });
      const answer = await response.json();
      expect(response.status, JSON.stringify(answer)).toBe(status);
      expect(answer.error.message).toMatch(message);
    };
    await refused({ widget: 'Porch light', value: 'maybe' }, 400, /on value true or its off value false/);
    await refused({ widget: 'Dimmer', value: 500 }, 400, /a number from 0 to 100/);
    await refused({ widget: 'Mode', value: 'turbo' }, 400, /one of its options/);
    await refused({ widget: 'Garage' }, 404, /no control named "Garage"/);
    await refused({ widget: 'Temperature', value: 1 }, 404, /no control named "Temperature"/);
    await refused('{"widget": "Dimmer", "value": 3', 400, /not JSON/);
    await refused({ widget: 'Porch light', value: true }, 415, /as JSON/, { 'content-type': 'text/plain' });
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    await refused({ widget: 'Porch light', value: deep }, 400, /not JSON.*(deep|nest)/i);
    const big = await press({ widget: 'Porch light', value: 'x'.repeat(30_000) });
    expect(big.status).toBe(413);
    expect(mqttIn.seen.filter((m) => m.topic === 'porch/light/set')).toEqual([]);

    // Presses per second are bounded per control: a burst of 5, then 5 a second. However slowly a
    // loaded machine sends the burst, no more pass than that allows; one that takes under 3 s
    // must see refusals (20 > 5 + 3 × 5).
    const sent = Date.now();
    const burst = await Promise.all(Array.from({ length: 20 }, () => press({ widget: 'Doorbell' })));
    const seconds = (Date.now() - sent) / 1000;
    const passed = burst.filter((r) => r.status === 200).length;
    expect(passed).toBeGreaterThanOrEqual(1);
    expect(passed).toBeLessThanOrEqual(5 + Math.ceil(seconds * 5));
    expect(burst.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    if (seconds < 3) {
      const limited = burst.find((r) => r.status === 429)!;
      expect(limited.headers.get('retry-after')).toBe('1');
      expect((await limited.json()).error.code).toBe('panel.too_many_presses');
    }
    expect(await mqttIn.next('door/bell')).toBe('ring');

    // Shown values arrive on the live stream; a chart keeps its last `points`.
    for (const t of [20.5, 21, 21.5, 22]) probe.publish('porch/climate', JSON.stringify({ t, h: 40 }));
    probe.publish('porch/light/state', 'false');
    await stream.waitFor(
      () =>
        stream.events.find(
          (e) =>
            e.event === 'update' &&
            e.data.values.some((v) => v.widget === 'Porch light' && v.value === false),
        ),
      'the switch set off by a show',
    );
    await stream.waitFor(
      () =>
        stream.events.find(
          (e) =>
            e.event === 'update' && e.data.values.some((v) => v.widget === 'Temperature' && v.value === 22),
        ),
      'the gauge',
    );
    const now = (await (await fetch(`${base}/panel/api/panel`, { headers: auth })).json()).value;
    const climate = now.pages[0].groups[1].widgets as {
      name: string;
      state?: { value: unknown };
      points?: { value: number }[];
    }[];
    expect(climate.find((w) => w.name === 'Temperature')!.state!.value).toBe(22);
    expect(climate.find((w) => w.name === 'Status')!.state!.value).toBe('humidity 40 %');
    expect(climate.find((w) => w.name === 'Temperature history')!.points!.map((p) => p.value)).toEqual([
      21, 21.5, 22,
    ]);

    // Open streams are bounded.
    const more = await Promise.all(
      Array.from({ length: 15 }, () => openStream(`${base}/panel/api/stream`, TOKEN)),
    );
    for (const s of more) cleanups.push(s.close);
    expect(more.every((s) => s.response.status === 200)).toBe(true);
    const over = await fetch(`${base}/panel/api/stream`, { headers: auth });
    expect(over.status).toBe(503);
    expect((await over.json()).error.code).toBe('panel.busy');
    for (const s of more) s.close();
    stream.close();
    expect(gw.output()).not.toContain(TOKEN);

    // The real page in Chromium: asks for the token, draws the cards, a click runs the flow.
    const browser = await chromium.launch({
      executablePath: process.env.FIELDGRAPH_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    cleanups.push(() => browser.close());
    const tab = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    const outside: string[] = [];
    tab.on('request', (r) => {
      if (!r.url().startsWith(base)) outside.push(r.url());
    });
    await tab.goto(`${base}/panel`);
    await tab.getByLabel('Site HTTP token').fill('wrong');
    await tab.getByRole('button', { name: 'Open panel' }).click();
    await expect.poll(() => tab.locator('#login-error').textContent()).toMatch(/not the site’s HTTP token/);
    mkdirSync(screenshots, { recursive: true });
    await tab.screenshot({ path: join(screenshots, 'panel-token.png') });
    await tab.getByLabel('Site HTTP token').fill(TOKEN);
    await tab.getByRole('button', { name: 'Open panel' }).click();
    await tab.getByRole('switch', { name: 'Porch light' }).waitFor();
    expect(await tab.getByRole('switch', { name: 'Porch light' }).getAttribute('aria-checked')).toBe('false');
    await tab.getByRole('switch', { name: 'Porch light' }).click();
    expect(await mqttIn.next('porch/light/set')).toBe('true');
    await expect
      .poll(() => tab.getByRole('switch', { name: 'Porch light' }).getAttribute('aria-checked'))
      .toBe('true');
    await tab.getByRole('button', { name: 'Doorbell' }).click();
    expect(await mqttIn.next('door/bell')).toBe('ring');
    probe.publish('porch/climate', JSON.stringify({ t: 23.5, h: 45 }));
    await expect
      .poll(() => tab.locator('[data-widget="Temperature"] .reading').textContent())
      .toBe('23.5 °C');
    await expect
      .poll(() => tab.locator('[data-widget="Status"] .reading').textContent())
      .toBe('humidity 45 %');
    await tab.screenshot({ path: join(screenshots, 'panel-desktop.png') });
    // On a phone: one column, the other page a tab away; the token is remembered on the device.
    await tab.setViewportSize({ width: 390, height: 844 });
    await tab.reload();
    await tab.getByRole('switch', { name: 'Porch light' }).waitFor();
    await tab.screenshot({ path: join(screenshots, 'panel-phone.png'), fullPage: true });
    await tab.getByRole('tab', { name: 'Heating' }).click();
    await tab.getByLabel('Mode').selectOption('Eco');
    expect(await mqttIn.next('heating/mode')).toBe('eco');
    await tab.screenshot({ path: join(screenshots, 'panel-phone-heating.png') });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  }, 120_000);
});
