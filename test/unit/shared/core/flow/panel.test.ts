import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { compileExpression, toPlainValue } from '../../../../../shared/core/expr/cel';
import { configWithDefaults, getNodeKind, type StepContext } from '../../../../../shared/core/flow/catalog';
import { validateFlow } from '../../../../../shared/core/flow/validate';
import { declaredWidgets } from '../../../../../shared/core/flow/validate-panel';

const control = getNodeKind('trigger.panel')!;
const show = getNodeKind('action.panel-show')!;

type NodeSpec = [id: string, kind: string, config: Record<string, unknown>];
const flow = (id: string, nodes: NodeSpec[], edges: [string, string][] = []) => ({
  schemaVersion: 1,
  id,
  name: id,
  roles: [],
  runMode: { mode: 'parallel', max: 10 },
  nodes: nodes.map(([nodeId, kind, config]) => ({ id: nodeId, kind, config, position: { x: 0, y: 0 } })),
  edges: edges.map(([from, to]) => ({
    id: `${from}-${to}`,
    from: { node: from, port: 'out' },
    to: { node: to, port: 'in' },
  })),
});

/** Problems of each flow validated as one package, as the project validator does. */
const validatePackage = (flows: ReturnType<typeof flow>[], sitesWithoutToken?: string[]) => {
  const widgets = declaredWidgets(flows);
  return flows.flatMap((f) =>
    validateFlow(f, [], { widgets, ...(sitesWithoutToken ? { sitesWithoutToken } : {}) }),
  );
};

const configProblems = (kind: typeof control, config: Record<string, unknown>) =>
  validateFlow(
    flow(
      'f',
      [['n', kind.kind, config], ...(kind === show ? ([['t', 'trigger.manual', {}]] as NodeSpec[]) : [])],
      kind === show ? [['t', 'n']] : [],
    ),
    [],
  ).filter((p) => p.code === 'flow.invalid_config' || p.code === 'flow.missing_config');

describe('the panel nodes in the catalog', () => {
  it('fill in the defaults the spec names', () => {
    expect(configWithDefaults(control, { widget: 'Lamp' })).toEqual({
      widget: 'Lamp',
      page: 'Home',
      group: 'Controls',
      order: 0,
      control: 'button',
      value: true,
      on: true,
      off: false,
      min: 0,
      max: 100,
      step: 1,
      options: [],
    });
    expect(configWithDefaults(show, { widget: 'Temp' })).toEqual({
      widget: 'Temp',
      page: 'Home',
      group: 'Controls',
      order: 0,
      display: 'text',
      value: 'payload',
      min: 0,
      max: 100,
      points: 100,
    });
  });

  it('ask for a widget name and refuse names, ranges and values that cannot work', () => {
    expect(configProblems(control, {}).map((p) => [p.code, p.path])).toContainEqual([
      'flow.missing_config',
      'widget',
    ]);
    const bad = (config: Record<string, unknown>) => [
      ...new Set(configProblems(control, { widget: 'W', ...config }).map((p) => p.path)),
    ];
    expect(bad({ widget: 'a/b' })).toEqual(['widget']);
    expect(bad({ widget: 'x'.repeat(65) })).toEqual(['widget']);
    expect(bad({ control: 'knob' })).toEqual(['control']);
    expect(bad({ control: 'slider', min: 10, max: 10 })).toEqual(['max']);
    expect(bad({ control: 'slider', step: 0 })).toEqual(['step']);
    expect(bad({ control: 'switch', on: 'x', off: 'x' })).toEqual(['off']);
    expect(bad({ control: 'dropdown' })).toEqual(['options']);
    expect(
      bad({
        control: 'dropdown',
        options: [
          { label: 'A', value: 1 },
          { label: 'B', value: 1 },
        ],
      }),
    ).toEqual(['options.1.value']);
    expect(bad({ value: 'x'.repeat(20_000) })).toEqual(['value']);
    expect(bad({ options: Array.from({ length: 65 }, (_, i) => ({ label: `o${i}`, value: i })) })).toEqual([
      'options',
    ]);
    // A range only matters for the controls that have one.
    expect(bad({ control: 'button', min: 5, max: 1 })).toEqual([]);
    expect(bad({ control: 'number', min: -5, max: 5, step: 0.5, topic: 'heating/setpoint' })).toEqual([]);
    const showBad = (config: Record<string, unknown>) => [
      ...new Set(configProblems(show, { widget: 'T', ...config }).map((p) => p.path)),
    ];
    expect(showBad({ display: 'meter' })).toEqual(['display']);
    expect(showBad({ points: 0 })).toEqual(['points']);
    expect(showBad({ points: 1001 })).toEqual(['points']);
    expect(showBad({ display: 'gauge', min: 50, max: 0 })).toEqual(['max']);
    expect(showBad({ display: 'chart', points: 1000, unit: '°C' })).toEqual([]);
  });

  it('a control gives its runs the pressed value and its topic', () => {
    const config = configWithDefaults(control, { widget: 'Lamp', topic: 'lamp/set' });
    expect(Value.Check(control.config, config)).toBe(true);
    const runtime = control.create({ id: 'n', config }, { compile: compileExpression });
    expect(runtime.trigger).toEqual({ type: 'panel', widget: 'Lamp' });
    expect(runtime.accept?.({ payload: 42, topic: 'other' }, () => undefined)).toEqual({
      payload: 42,
      topic: 'lamp/set',
    });
  });

  it('a show evaluates its value, hands it to the panel and passes the message on unchanged', () => {
    const config = configWithDefaults(show, { widget: 'Temp', display: 'gauge', value: 'payload.t * 2.0' });
    const runtime = show.create({ id: 'n', config }, { compile: compileExpression });
    const shown: unknown[] = [];
    const sent: unknown[] = [];
    const refusal: { reason?: string } = {};
    const ctx = {
      evaluate: (e: ReturnType<typeof compileExpression>, m: { payload: unknown }) =>
        toPlainValue(e({ payload: m.payload, topic: '', vars: {}, global: {}, roles: {}, now: 0 })),
      send: (port: string, m: unknown) => sent.push([port, m]),
      io: {
        show: (s: unknown) => {
          shown.push(s);
          return refusal.reason;
        },
      },
    } as unknown as StepContext;
    const message = { payload: { t: 10.5 }, topic: 'x' };
    void runtime.receive!(ctx, message, 'in');
    expect(shown).toEqual([{ widget: 'Temp', display: 'gauge', value: 21 }]);
    expect(sent).toEqual([['out', message]]);
    refusal.reason = 'The value is too large to show.';
    expect(() => runtime.receive!(ctx, message, 'in')).toThrow('too large to show');
  });
});

describe('the validator on panel widgets across a package', () => {
  const lamp: NodeSpec = ['lamp', 'trigger.panel', { widget: 'Lamp', control: 'switch' }];
  const log: NodeSpec = ['log', 'action.log', {}];

  it('takes a package whose controls and shows fit', () => {
    const problems = validatePackage([
      flow('a', [lamp, log], [['lamp', 'log']]),
      flow(
        'b',
        [
          ['t', 'trigger.mqtt', { topic: 'lamp/state' }],
          ['state', 'action.panel-show', { widget: 'Lamp', display: 'control' }],
          ['temp', 'action.panel-show', { widget: 'Temp', display: 'chart' }],
          ['temp2', 'action.panel-show', { widget: 'Temp', display: 'chart', value: 'payload + 1.0' }],
        ],
        [
          ['t', 'state'],
          ['state', 'temp'],
          ['t', 'temp2'],
        ],
      ),
    ]);
    expect(problems.filter((p) => p.code.includes('panel'))).toEqual([]);
  });

  it('reports a second control with the same name, in another flow too', () => {
    const problems = validatePackage([
      flow('a', [lamp, log], [['lamp', 'log']]),
      flow('b', [['lamp2', 'trigger.panel', { widget: 'Lamp' }], log], [['lamp2', 'log']]),
    ]);
    const dup = problems.filter((p) => p.code === 'flow.duplicate_panel_control');
    expect(dup).toHaveLength(1);
    expect(dup[0]).toMatchObject({ flowId: 'b', nodeId: 'lamp2', path: 'widget', severity: 'error' });
    expect(dup[0]!.message).toContain('flow "a"');
  });

  it('reports a show that names no control, a button, or a control’s name for another display', () => {
    const problems = validatePackage([
      flow(
        'a',
        [
          lamp,
          ['bell', 'trigger.panel', { widget: 'Bell' }],
          ['t', 'trigger.manual', {}],
          ['ghost', 'action.panel-show', { widget: 'Fan', display: 'control' }],
          ['press', 'action.panel-show', { widget: 'Bell', display: 'control' }],
          ['text', 'action.panel-show', { widget: 'Lamp', display: 'text' }],
          ['g', 'action.panel-show', { widget: 'Temp', display: 'gauge' }],
          ['c', 'action.panel-show', { widget: 'Temp', display: 'chart' }],
        ],
        [
          ['t', 'ghost'],
          ['t', 'press'],
          ['t', 'text'],
          ['t', 'g'],
          ['t', 'c'],
        ],
      ),
    ]).filter((p) => p.code.includes('panel'));
    expect(problems.map((p) => [p.code, p.nodeId, p.path])).toEqual([
      ['flow.panel_control_missing', 'ghost', 'widget'],
      ['flow.panel_display_mismatch', 'press', 'display'],
      ['flow.panel_display_mismatch', 'text', 'widget'],
      ['flow.panel_display_mismatch', 'c', 'display'],
    ]);
    expect(problems[1]!.message).toContain('is a button, which has no state');
  });

  it('warns once per flow with panel nodes when a site names no HTTP token', () => {
    const flows = [
      flow('a', [lamp, log], [['lamp', 'log']]),
      flow('b', [['t', 'trigger.manual', {}], log], [['t', 'log']]),
    ];
    const warnings = validatePackage(flows, ['home']).filter((p) => p.code === 'flow.panel_without_token');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ flowId: 'a', severity: 'warning' });
    expect(warnings[0]!.message).toContain('Site "home" names no HTTP token');
    expect(warnings[0]!.message).toContain('503');
    expect(validatePackage(flows, []).filter((p) => p.code === 'flow.panel_without_token')).toEqual([]);
  });
});
