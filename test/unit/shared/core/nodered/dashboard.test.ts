/**
 * Node-RED dashboard widgets (node-red-dashboard 1.x `ui_*`, Dashboard 2 `ui-*`) imported as the
 * gateway panel's nodes: hand-written exports for each widget and behaviour, and the real
 * dashboard flows of the corpus (test/fixtures/field/nodered, seen/ and fresh/).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FlowNode } from '../../../../../shared/core/flow/schema';
import { validateFlow } from '../../../../../shared/core/flow/validate';
import { declaredWidgets } from '../../../../../shared/core/flow/validate-panel';
import { formatValue, widgetName } from '../../../../../shared/core/nodered/convert-dashboard';
import { importNodeRed } from '../../../../../shared/core/nodered/import';

const tab = { id: 'tab', type: 'tab', label: 'Flow' };

/** The import's nodes, by kind, and its error problems with the package's widgets in view. */
const imported = (nodes: unknown[]) => {
  const result = importNodeRed(nodes);
  const flows = result.flows.map((f) => f.flow);
  const widgets = declaredWidgets(flows);
  const errors = flows.flatMap((f) =>
    validateFlow(f, [], { widgets })
      .filter((p) => p.severity === 'error' && p.code !== 'flow.unconverted_node')
      .map((p) => `${p.code} ${p.nodeId ?? ''} ${p.message}`),
  );
  const all = flows.flatMap((f) => f.nodes);
  const edges = flows.flatMap((f) => f.edges);
  const of = (kind: string) => all.filter((n) => n.kind === kind);
  const linked = (from: FlowNode, to: FlowNode) =>
    edges.some((e) => e.from.node === from.id && e.to.node === to.id);
  return { result, errors, all, edges, of, linked };
};

const notesOf = (r: ReturnType<typeof importNodeRed>, id: string) =>
  r.notes.filter((n) => n.nodeId === id).map((n) => `${n.severity}: ${n.message}`);

describe('Node-RED dashboard 1.x widgets', () => {
  const layout = [
    tab,
    { id: 'home', type: 'ui_tab', name: 'Living room' },
    { id: 'card', type: 'ui_group', name: 'Heating', tab: 'home', order: 1 },
  ];

  it('controls become Panel controls placed by tab, group and order, with what they send', () => {
    const { result, errors, of } = imported([
      ...layout,
      {
        id: 'b',
        type: 'ui_button',
        z: 'tab',
        group: 'card',
        order: 2,
        name: 'Boost',
        label: 'Boost 1 h',
        payload: '60',
        payloadType: 'num',
        topic: 'boost',
        wires: [['d']],
      },
      {
        id: 's',
        type: 'ui_switch',
        z: 'tab',
        group: 'card',
        order: 3,
        label: 'Heating',
        onvalue: 'ON',
        onvalueType: 'str',
        offvalue: 'OFF',
        offvalueType: 'str',
        wires: [['d']],
      },
      {
        id: 'sl',
        type: 'ui_slider',
        z: 'tab',
        group: 'card',
        order: 4,
        name: 'Setpoint',
        min: '30',
        max: '5',
        step: '0.5',
        wires: [['d']],
      },
      {
        id: 'dd',
        type: 'ui_dropdown',
        z: 'tab',
        group: 'card',
        order: 5,
        label: 'Mode',
        options: [
          { label: 'Eco', value: 'eco', type: 'str' },
          { label: '', value: 21, type: 'num' },
        ],
        wires: [['d']],
      },
      {
        id: 'ti',
        type: 'ui_text_input',
        z: 'tab',
        group: 'card',
        label: 'Note',
        mode: 'text',
        wires: [['d']],
      },
      {
        id: 'n',
        type: 'ui_numeric',
        z: 'tab',
        group: 'card',
        label: 'Hours',
        min: 0,
        max: 24,
        step: 1,
        wires: [['d']],
      },
      { id: 'd', type: 'debug', z: 'tab', wires: [] },
    ]);
    expect(errors).toEqual([]);
    expect(result.converted).toBe(result.total);
    expect(result.wiresKept).toBe(result.wires);
    const controls = Object.fromEntries(of('trigger.panel').map((n) => [n.config.widget, n.config]));
    const place = { page: 'Living room', group: 'Heating' };
    expect(controls.Boost).toEqual({
      widget: 'Boost',
      ...place,
      label: 'Boost 1 h',
      order: 2,
      control: 'button',
      value: 60,
      topic: 'boost',
    });
    expect(controls.Heating).toEqual({
      widget: 'Heating',
      ...place,
      label: 'Heating',
      order: 3,
      control: 'switch',
      on: 'ON',
      off: 'OFF',
    });
    // A slider running from 30 down to 5 runs from 5 up to 30, and the note says so.
    expect(controls.Setpoint).toMatchObject({ control: 'slider', min: 5, max: 30, step: 0.5 });
    expect(notesOf(result, 'sl').join()).toMatch(/larger end to its smaller/);
    expect(controls.Mode).toMatchObject({
      control: 'dropdown',
      options: [
        { label: 'Eco', value: 'eco' },
        { label: '21', value: 21 },
      ],
    });
    expect(controls.Note).toMatchObject({ control: 'text' });
    expect(controls.Hours).toMatchObject({ control: 'number', min: 0, max: 24, step: 1 });
  });

  it('a switch that messages enter becomes a Show on panel (display control) and the trigger, keeping every wire', () => {
    const { result, errors, of, linked, all } = imported([
      ...layout,
      { id: 'i', type: 'inject', z: 'tab', wires: [['s']] },
      {
        id: 's',
        type: 'ui_switch',
        z: 'tab',
        group: 'card',
        name: 'Pump',
        passthru: true,
        onvalue: 'true',
        onvalueType: 'bool',
        offvalue: 'false',
        offvalueType: 'bool',
        wires: [['d']],
      },
      { id: 'd', type: 'debug', z: 'tab', wires: [] },
    ]);
    expect(errors).toEqual([]);
    expect(result.wiresKept).toBe(result.wires);
    const [show] = of('action.panel-show');
    const [control] = of('trigger.panel');
    expect(show!.config).toMatchObject({ widget: 'Pump', display: 'control', value: 'payload' });
    expect(control!.config).toMatchObject({ widget: 'Pump', control: 'switch', on: true, off: false });
    const inject = all.find((n) => n.kind === 'trigger.manual')!;
    const debug = all.find((n) => n.kind === 'action.log')!;
    expect(linked(inject, show!)).toBe(true);
    // Pass-through: the message goes on from the show as well as from the control.
    expect(linked(show!, debug)).toBe(true);
    expect(linked(control!, debug)).toBe(true);
    expect(notesOf(result, 's').join()).toMatch(/passes on unchanged.*own value/);
  });

  it('without pass-through the message stops at the Show on panel node; a 1.x switch that showed its output says so', () => {
    const { result, of, linked, all } = imported([
      ...layout,
      { id: 'i', type: 'inject', z: 'tab', wires: [['s']] },
      {
        id: 's',
        type: 'ui_switch',
        z: 'tab',
        group: 'card',
        name: 'Pump',
        passthru: false,
        decouple: 'false',
        wires: [['d']],
      },
      { id: 'd', type: 'debug', z: 'tab', wires: [] },
    ]);
    const [show] = of('action.panel-show');
    expect(
      linked(
        show!,
        all.find((n) => n.kind === 'action.log')!,
      ),
    ).toBe(false);
    expect(result.wiresKept).toBe(result.wires);
    expect(notesOf(result, 's').join()).toMatch(/did not move it in Node-RED/);
  });

  it('a button that messages enter: pass-through presses it (a Transform sending its value), otherwise the message ends', () => {
    const pressed = imported([
      ...layout,
      { id: 'i', type: 'inject', z: 'tab', wires: [['b']] },
      {
        id: 'b',
        type: 'ui_button',
        z: 'tab',
        group: 'card',
        name: 'Go',
        passthru: true,
        payload: 'go',
        payloadType: 'str',
        topic: 't',
        wires: [['d']],
      },
      { id: 'd', type: 'debug', z: 'tab', wires: [] },
    ]);
    expect(pressed.errors).toEqual([]);
    const press = pressed.of('logic.transform')[0]!;
    expect(press.config).toEqual({ payload: '"go"', topic: '"t"' });
    expect(
      pressed.linked(
        press,
        pressed.all.find((n) => n.kind === 'action.log')!,
      ),
    ).toBe(true);
    expect(pressed.result.wiresKept).toBe(pressed.result.wires);
    const ends = imported([
      ...layout,
      { id: 'i', type: 'inject', z: 'tab', wires: [['b']] },
      {
        id: 'b',
        type: 'ui_button',
        z: 'tab',
        group: 'card',
        name: 'Go',
        payload: '',
        payloadType: 'str',
        wires: [['d']],
      },
      { id: 'd', type: 'debug', z: 'tab', wires: [] },
    ]);
    const sink = ends.of('logic.transform')[0]!;
    expect(sink.config).toEqual({});
    expect(ends.edges.some((e) => e.from.node === sink.id)).toBe(false);
    // 1.x sends the node's id when the payload is empty.
    expect(ends.of('trigger.panel')[0]!.config.value).toBe('b');
    expect(notesOf(ends.result, 'b').join()).toMatch(/end at a Transform that does nothing/);
  });

  it('texts, gauges, charts and toasts become Show on panel nodes; formats convert only where exact', () => {
    const { result, errors, of } = imported([
      ...layout,
      { id: 'i', type: 'inject', z: 'tab', wires: [['t1', 't2', 't3', 'g', 'c', 'toast', 'bar']] },
      {
        id: 't1',
        type: 'ui_text',
        z: 'tab',
        group: 'card',
        label: 'Temp',
        format: '{{msg.payload}} &deg;C',
        wires: [],
      },
      {
        id: 't2',
        type: 'ui_text',
        z: 'tab',
        group: 'card',
        label: 'Name',
        format: '{{payload.name}}',
        wires: [],
      },
      {
        id: 't3',
        type: 'ui_text',
        z: 'tab',
        group: 'card',
        label: 'Mixed',
        format: 'at {{msg.payload | number:1}}',
        wires: [],
      },
      {
        id: 'g',
        type: 'ui_gauge',
        z: 'tab',
        group: 'card',
        title: 'Power',
        name: 'Power',
        min: 0,
        max: '3000',
        units: 'W',
        format: '{{value}}',
        wires: [],
      },
      {
        id: 'c',
        type: 'ui_chart',
        z: 'tab',
        group: 'card',
        label: 'History',
        chartType: 'line',
        removeOlderPoints: '50',
        wires: [[]],
      },
      { id: 'bar', type: 'ui_chart', z: 'tab', group: 'card', label: 'Bars', chartType: 'bar', wires: [[]] },
      { id: 'toast', type: 'ui_toast', z: 'tab', position: 'top right', name: 'Alarm', wires: [] },
    ]);
    expect(errors).toEqual([]);
    const shows = Object.fromEntries(of('action.panel-show').map((n) => [n.config.widget, n.config]));
    expect(shows.Temp).toMatchObject({
      display: 'text',
      value: 'payload',
      unit: '°C',
      page: 'Living room',
      group: 'Heating',
    });
    expect(shows.Name).toMatchObject({ display: 'text', value: 'payload.name' });
    expect(notesOf(result, 't2').join()).toMatch(/without it fails the node/);
    expect(shows.Power).toMatchObject({
      display: 'gauge',
      value: 'type(payload) == string ? double(payload) : payload',
      min: 0,
      max: 3000,
      unit: 'W',
    });
    expect(shows.History).toMatchObject({
      value: 'type(payload) == string ? double(payload) : payload',
      display: 'chart',
      points: 50,
    });
    expect(shows.Alarm).toMatchObject({ display: 'notice', value: 'payload', group: 'Notices' });
    expect(notesOf(result, 't3').join()).toMatch(/^placeholder: .*mixes text, filters or HTML/);
    expect(notesOf(result, 'bar').join()).toMatch(/^placeholder: .*bar chart/);
    expect(result.placeholders).toBe(2);
    expect(result.wiresKept).toBe(result.wires);
  });

  it('what the panel cannot do stays a placeholder with its own reason', () => {
    const { result } = imported([
      ...layout,
      { id: 'tp', type: 'ui_template', z: 'tab', group: 'card', wires: [[]] },
      { id: 'f', type: 'ui_form', z: 'tab', group: 'card', wires: [[]] },
      { id: 'a', type: 'ui_audio', z: 'tab', wires: [] },
      { id: 'u', type: 'ui_ui_control', z: 'tab', wires: [[]] },
      { id: 'cp', type: 'ui_colour_picker', z: 'tab', group: 'card', wires: [[]] },
      {
        id: 'm',
        type: 'ui_dropdown',
        z: 'tab',
        group: 'card',
        multiple: true,
        options: [{ label: 'a', value: 'a', type: 'str' }],
        wires: [[]],
      },
      { id: 'e', type: 'ui_dropdown', z: 'tab', group: 'card', options: [], wires: [[]] },
      { id: 'col', type: 'ui_text_input', z: 'tab', group: 'card', mode: 'color', wires: [[]] },
      { id: 'dlg', type: 'ui_toast', z: 'tab', position: 'dialog', wires: [[]] },
    ]);
    expect(result.converted).toBe(0);
    const reasons = result.notes.filter((n) => n.severity === 'placeholder').map((n) => n.message);
    expect(reasons).toHaveLength(9);
    expect(new Set(reasons).size).toBe(9);
    for (const r of reasons) expect(r).not.toMatch(/Fieldgraph has no dashboard/);
  });

  it('a widget whose group is missing lands on the default page and card, with a note; names stay unique and ASCII', () => {
    const { result, errors, of } = imported([
      tab,
      { id: 'i', type: 'inject', z: 'tab', wires: [['a', 'b']] },
      { id: 'a', type: 'ui_text', z: 'tab', group: 'gone', name: 'Météo: dehors', wires: [] },
      { id: 'b', type: 'ui_text', z: 'tab', group: 'gone', name: 'Meteo dehors', wires: [] },
    ]);
    expect(errors).toEqual([]);
    const configs = of('action.panel-show').map((n) => n.config);
    expect(configs.map((c) => c.widget)).toEqual(['Meteo dehors', 'Meteo dehors 2']);
    expect(configs[0]).toMatchObject({ page: 'Home', group: 'Controls', label: 'Météo: dehors' });
    expect(notesOf(result, 'a').join()).toMatch(/names no dashboard group/);
  });

  it('values typed msg, flow, global, JSONata and env follow the importer’s rules', () => {
    const button = (id: string, payload: string, payloadType: string) => ({
      id,
      type: 'ui_button',
      z: 'tab',
      group: 'card',
      name: id,
      payload,
      payloadType,
      wires: [['d']],
    });
    const { result, errors, of } = imported([
      ...layout,
      button('glob', 'mode', 'global'),
      button('stamp', '', 'date'),
      button('fl', 'count', 'flow'),
      button('js', '$now()', 'jsonata'),
      button('jx', 'payload[0]', 'jsonata'),
      button('ev', 'HOME', 'env'),
      button('ms', 'payload', 'msg'),
      { id: 'd', type: 'debug', z: 'tab', wires: [] },
    ]);
    expect(errors).toEqual([]);
    const transforms = of('logic.transform').map((n) => n.config.payload);
    // JSONata translates where exact (jsonata.ts): $now() does, a filter (payload[0]) does not.
    expect(transforms.sort()).toEqual(['global.mode', 'jsonataNow(now)', 'now']);
    for (const id of ['fl', 'jx', 'ev', 'ms'])
      expect(notesOf(result, id).join()).toMatch(/placeholder: It sends /);
    expect(result.wiresKept).toBe(result.wires);
  });
  it('environment variables the export defines are read as their values, in typed fields and ${NAME} topics', () => {
    const { result, errors, of } = imported([
      {
        ...tab,
        env: [
          { name: 'MODE', value: 'eco', type: 'str' },
          { name: 'ROOM', value: 'kitchen', type: 'str' },
        ],
      },
      ...layout.slice(1),
      {
        id: 'b',
        type: 'ui_button',
        z: 'tab',
        group: 'card',
        name: 'Eco',
        payload: 'MODE',
        payloadType: 'env',
        topic: '${ROOM}',
        wires: [['d']],
      },
      { id: 'd', type: 'debug', z: 'tab', wires: [] },
    ]);
    expect(errors).toEqual([]);
    expect(of('trigger.panel')[0]!.config).toMatchObject({ value: 'eco', topic: 'kitchen' });
    expect(notesOf(result, 'b').join()).toMatch(/environment variable MODE/);
  });
});

describe('Node-RED Dashboard 2 widgets', () => {
  const layout = [
    tab,
    { id: 'base', type: 'ui-base', name: 'Dashboard', path: '/dashboard' },
    { id: 'pg', type: 'ui-page', name: 'Garden', ui: 'base' },
    { id: 'grp', type: 'ui-group', name: 'Watering', page: 'pg' },
  ];
  it('controls, texts, gauges, charts and notifications with their page and group', () => {
    const { result, errors, of } = imported([
      ...layout,
      { id: 'i', type: 'inject', z: 'tab', wires: [['btn', 'sw', 'txt', 'g', 'c', 'nt']] },
      {
        id: 'btn',
        type: 'ui-button',
        z: 'tab',
        group: 'grp',
        name: 'Water',
        emulateClick: true,
        payload: '{"litres":5}',
        payloadType: 'json',
        topic: 'topic',
        topicType: 'msg',
        wires: [['d']],
      },
      {
        id: 'sw',
        type: 'ui-switch',
        z: 'tab',
        group: 'grp',
        name: 'Valve',
        passthru: false,
        onvalue: 'open',
        onvalueType: 'str',
        offvalue: 'closed',
        offvalueType: 'str',
        topic: 'valve',
        topicType: 'str',
        wires: [['d']],
      },
      {
        id: 'txt',
        type: 'ui-text',
        z: 'tab',
        group: 'grp',
        name: 'Moisture',
        value: 'payload.moisture',
        valueType: 'msg',
        wires: [],
      },
      {
        id: 'g',
        type: 'ui-gauge',
        z: 'tab',
        group: 'grp',
        name: 'Tank',
        min: 0,
        max: 200,
        units: 'l',
        value: 'payload',
        valueType: 'msg',
        wires: [],
      },
      {
        id: 'c',
        type: 'ui-chart',
        z: 'tab',
        group: 'grp',
        name: 'Flow',
        chartType: 'line',
        action: 'append',
        yAxisProperty: 'rate',
        yAxisPropertyType: 'property',
        removeOlderPoints: '200',
        wires: [[]],
      },
      { id: 'nt', type: 'ui-notification', z: 'tab', ui: 'base', name: 'Alert', outputs: 1, wires: [['d']] },
      { id: 'd', type: 'debug', z: 'tab', wires: [] },
    ]);
    expect(errors).toEqual([]);
    expect(result.converted).toBe(result.total);
    expect(result.wiresKept).toBe(result.wires);
    const configs = Object.fromEntries(
      [...of('trigger.panel'), ...of('action.panel-show')].map((n) => [
        `${n.kind} ${n.config.widget}`,
        n.config,
      ]),
    );
    const place = { page: 'Garden', group: 'Watering' };
    expect(configs['trigger.panel Water']).toMatchObject({
      ...place,
      control: 'button',
      value: { litres: 5 },
    });
    expect(configs['trigger.panel Water']).not.toHaveProperty('topic');
    expect(configs['trigger.panel Valve']).toMatchObject({
      ...place,
      control: 'switch',
      on: 'open',
      off: 'closed',
      topic: 'valve',
    });
    expect(configs['action.panel-show Valve']).toMatchObject({ display: 'control' });
    expect(configs['action.panel-show Moisture']).toMatchObject({
      ...place,
      display: 'text',
      value: 'payload.moisture',
    });
    expect(configs['action.panel-show Tank']).toMatchObject({
      value: 'type(payload) == string ? double(payload) : payload',
      display: 'gauge',
      min: 0,
      max: 200,
      unit: 'l',
    });
    expect(configs['action.panel-show Flow']).toMatchObject({
      display: 'chart',
      value: 'type(payload.rate) == string ? double(payload.rate) : payload.rate',
      points: 200,
    });
    expect(configs['action.panel-show Alert']).toMatchObject({ display: 'notice' });
    expect(of('logic.transform').map((n) => n.config)).toEqual([{ payload: '{"litres": 5.0}' }]);
    expect(notesOf(result, 'btn').join()).toMatch(/topic came from msg.topic/);
    expect(notesOf(result, 'nt').join()).toMatch(/passes on when it is shown/);
  });

  it('a confirming notification, a bar chart and several choices at once stay placeholders', () => {
    const { result } = imported([
      ...layout,
      { id: 'nt', type: 'ui-notification', z: 'tab', ui: 'base', allowConfirm: true, wires: [['x']] },
      { id: 'c', type: 'ui-chart', z: 'tab', group: 'grp', chartType: 'bar', wires: [[]] },
      {
        id: 'dd',
        type: 'ui-dropdown',
        z: 'tab',
        group: 'grp',
        multiple: true,
        options: [{ label: 'a', value: 'a', type: 'str' }],
        wires: [[]],
      },
      { id: 'x', type: 'debug', z: 'tab', wires: [] },
    ]);
    expect(result.placeholders).toBe(3);
    expect(result.wiresKept).toBe(result.wires);
  });
});

describe('dashboard formats and names', () => {
  it('converts a Value Format only where the panel shows the same', () => {
    expect(formatValue('{{msg.payload}}')).toEqual({ cel: 'payload' });
    expect(formatValue('{{payload}}')).toEqual({ cel: 'payload' });
    expect(formatValue('{{value}} %')).toEqual({ cel: 'payload', unit: '%' });
    expect(formatValue('{{msg.topic}}')).toEqual({ cel: 'topic' });
    expect(formatValue('Closed')).toEqual({ cel: '"Closed"' });
    for (const f of [
      '{{value | uppercase}}',
      '<b>{{msg.payload}}</b>',
      'T: {{msg.payload}}',
      '{{msg.a}} {{msg.b}}',
    ])
      expect(formatValue(f), f).toHaveProperty('reason');
  });
  it('makes widget names the panel accepts', () => {
    expect(widgetName('Prévisions 7 jours')).toBe('Previsions 7 jours');
    expect(widgetName('a/b: c')).toBe('a b c');
    expect(widgetName('日本')).toBe('');
  });
});

describe('real dashboard flows of the corpus', () => {
  const root = 'test/fixtures/field/nodered';
  it.each([
    ['seen/ATLTVHEAD+live-stream-node-red-flow-backup/flows.json', 14],
    ['seen/DigitalHome-cloud+digitalhome-edge-nodered-flows/flows.json', 14],
    ['fresh/AntGervais+pi-domotique/nodered/flows.json', 1],
  ])('%s: every widget but templates becomes a panel node, with no panel problem', (file, widgets) => {
    const nodes = JSON.parse(readFileSync(`${root}/${file}`, 'utf8')) as { type: string; wires?: unknown }[];
    const { result, errors } = imported(nodes);
    const dashboardNodes = nodes.filter((n) => /^ui[-_]/.test(n.type) && Array.isArray(n.wires));
    const notTemplates = dashboardNodes.filter((n) => !/template/.test(n.type));
    expect(notTemplates).toHaveLength(widgets);
    const placeholders = result.notes.filter(
      (n) => n.severity === 'placeholder' && /^ui[-_]/.test(n.nodeType ?? ''),
    );
    expect(placeholders.map((n) => n.nodeType).filter((t) => !/template/.test(t!))).toEqual([]);
    expect(errors.filter((e) => /panel|invalid_config|missing_config/.test(e))).toEqual([]);
  });
});
