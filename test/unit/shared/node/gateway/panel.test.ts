import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Flow } from '../../../../../shared/core/flow/schema';
import { startGatewayHttp, type GatewayHttp } from '../../../../../shared/node/gateway/http';
import { servePanel, type PanelFlows } from '../../../../../shared/node/gateway/panel';
import { panelModel } from '../../../../../shared/node/gateway/panel-model';
import {
  createPanelHub,
  PANEL_LIMITS,
  type PanelUpdate,
} from '../../../../../shared/node/gateway/panel-state';
import { silentLogger } from '../../../../../shared/node/log';

type NodeSpec = [id: string, kind: string, config: Record<string, unknown>];
const flow = (id: string, nodes: NodeSpec[], enabled = true): Flow =>
  ({
    schemaVersion: 1,
    id,
    name: id,
    enabled,
    roles: [],
    runMode: { mode: 'parallel', max: 10 },
    nodes: nodes.map(([nodeId, kind, config]) => ({ id: nodeId, kind, config, position: { x: 0, y: 0 } })),
    edges: [],
  }) as Flow;

const home = flow('home', [
  ['temp', 'action.panel-show', { widget: 'Temp', display: 'chart', points: 2, group: 'Climate' }],
  ['lamp', 'trigger.panel', { widget: 'Lamp', control: 'switch', order: 2 }],
  ['bell', 'trigger.panel', { widget: 'Bell', order: 1, label: 'Ring the bell' }],
  ['lamp2', 'trigger.panel', { widget: 'Lamp', control: 'slider' }],
  ['shadow', 'action.panel-show', { widget: 'Lamp', display: 'text' }],
  ['gauge', 'action.panel-show', { widget: 'Temp', display: 'gauge' }],
  ['hum', 'action.panel-show', { widget: 'Humidity', display: 'gauge', page: 'Cellar', unit: '%' }],
]);

describe('the panel model', () => {
  it('places widgets by page, group and order, and follows the validator where names clash', () => {
    const model = panelModel([home, flow('off', [['x', 'trigger.panel', { widget: 'Off' }]], false)]);
    expect(model.widgets.map((w) => [w.page, w.group, w.name, w.kind, w.label])).toEqual([
      ['Home', 'Controls', 'Bell', 'button', 'Ring the bell'],
      ['Home', 'Controls', 'Lamp', 'switch', 'Lamp'],
      ['Home', 'Climate', 'Temp', 'chart', 'Temp'],
      ['Cellar', 'Controls', 'Humidity', 'gauge', 'Humidity'],
    ]);
    expect(model.controls.get('Lamp')).toMatchObject({ flowId: 'home', nodeId: 'lamp' });
    expect(model.widgets.find((w) => w.name === 'Humidity')!.settings).toEqual({
      min: 0,
      max: 100,
      unit: '%',
    });
  });
});

describe('the panel state', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps shown values, a chart’s last points, refuses what does not fit, and batches changes', () => {
    vi.useFakeTimers();
    const hub = createPanelHub(() => 1000);
    hub.deploy([home]);
    const batches: PanelUpdate[] = [];
    hub.listen((event, data) => {
      if (event === 'update') batches.push(data as PanelUpdate);
    });
    for (const value of [1, 2n, 3])
      expect(hub.show({ widget: 'Temp', display: 'chart', value })).toBeUndefined();
    expect(hub.show({ widget: 'Humidity', display: 'gauge', value: 'wet' })).toMatch(
      /gauge shows numbers; the value was "wet"/,
    );
    expect(hub.show({ widget: 'Temp', display: 'gauge', value: 1 })).toMatch(/shows "Temp" as chart/);
    expect(hub.show({ widget: 'Bell', display: 'control', value: 1 })).toMatch(
      /is a button, which has no state/,
    );
    expect(hub.show({ widget: 'Nope', display: 'control', value: 1 })).toMatch(/no control named "Nope"/);
    expect(hub.show({ widget: 'Lamp', display: 'control', value: true })).toBeUndefined();
    expect(hub.show({ widget: 'Lamp', display: 'control', value: 'x'.repeat(20_000) })).toMatch(/too large/);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(PANEL_LIMITS.flushMs);
    expect(batches).toEqual([
      {
        values: [{ widget: 'Lamp', value: true, at: 1000 }],
        points: [1, 2, 3].map((value) => ({ widget: 'Temp', value, at: 1000 })),
        notices: [],
      },
    ]);
    const widgets = hub.snapshot().pages.flatMap((p) => p.groups.flatMap((g) => g.widgets));
    expect(widgets.find((w) => w.name === 'Temp')!.points!.map((p) => p.value)).toEqual([2, 3]);
    expect(widgets.find((w) => w.name === 'Lamp')!.state).toEqual({ value: true, at: 1000 });
  });

  it('a deploy keeps the values of widgets still there and of the same kind, drops the others, and tells the pages', () => {
    const hub = createPanelHub(() => 5);
    hub.deploy([home]);
    hub.setState('Lamp', true);
    hub.show({ widget: 'Humidity', display: 'gauge', value: 50 });
    const whole: unknown[] = [];
    hub.listen((event, data) => event === 'panel' && whole.push(data));
    hub.deploy([
      flow('next', [
        ['lamp', 'trigger.panel', { widget: 'Lamp', control: 'switch' }],
        ['hum', 'action.panel-show', { widget: 'Humidity', display: 'text' }],
      ]),
    ]);
    const widgets = hub.snapshot().pages.flatMap((p) => p.groups.flatMap((g) => g.widgets));
    expect(widgets.map((w) => [w.name, w.state?.value])).toEqual([
      ['Humidity', undefined],
      ['Lamp', true],
    ]);
    expect(whole).toHaveLength(1);
    hub.deploy([]);
    expect(hub.snapshot()).toEqual({ pages: [] });
    hub.close();
  });
});

describe('the panel API without a usable token', () => {
  let http: GatewayHttp | undefined;
  afterEach(async () => {
    await http?.close();
    http = undefined;
  });

  it('answers 503 naming why when the site has no token, 404 when nothing is on the panel', async () => {
    http = await startGatewayHttp('127.0.0.1', 0, silentLogger);
    const running: { flows?: PanelFlows } = {};
    const hub = servePanel(http, () => running.flows, silentLogger);
    const base = `http://127.0.0.1:${http.port}`;
    const nothing = await fetch(`${base}/panel/api/panel`);
    expect(nothing.status).toBe(404);
    running.flows = {
      flows: [home],
      press: () => 'run-1',
      token: () => ({ problem: 'the site names no HTTP token.' }),
    };
    hub.deploy(running.flows.flows);
    const noToken = await fetch(`${base}/panel/api/press`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
      body: '{"widget": "Bell"}',
    });
    expect(noToken.status).toBe(503);
    expect((await noToken.json()).error).toEqual({
      code: 'panel.unavailable',
      message: "The panel needs the site's HTTP token, but the site names no HTTP token.",
    });
    // The page itself needs nothing.
    expect((await fetch(`${base}/panel/`)).status).toBe(200);
    expect((await fetch(`${base}/panel/panel.css`)).headers.get('content-type')).toMatch(/^text\/css/);
  });
});
