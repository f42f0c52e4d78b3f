/**
 * The gateway panel's two nodes: a control a person operates on the panel page (a button,
 * switch, slider… whose value starts a run, what Node-RED's dashboard widgets do) and the
 * action that shows a value there (a text, gauge, chart, notice, or the state of a control).
 * The gateway serves the page on its HTTP port at `/panel` (shared/node/gateway/panel.ts);
 * widgets are placed by page (a tab), group (a card on it) and order.
 */
import { Type } from '@sinclair/typebox';
import { expression, inPort, outPort, sizes } from './helpers';
import { fitsPropertyBounds, MESSAGE_PROPERTY_LIMITS } from './message';
import type { Message, NodeKind } from './types';

/** The controls a `trigger.panel` node can be. */
export const PANEL_CONTROLS = ['button', 'switch', 'slider', 'number', 'dropdown', 'text'] as const;
/** A control's kind. */
export type PanelControl = (typeof PANEL_CONTROLS)[number];
/** How an `action.panel-show` node shows its value. */
export const PANEL_DISPLAYS = ['text', 'gauge', 'chart', 'notice', 'control'] as const;
/** A shown value's display. */
export type PanelDisplay = (typeof PANEL_DISPLAYS)[number];

/** What a widget's name may be: what a person reads on the page and types in a URL without escaping trouble. */
export const PANEL_WIDGET_NAME = /^[A-Za-z0-9 _.-]{1,64}$/;
/** Options one dropdown may offer. */
export const PANEL_MAX_OPTIONS = 64;
/** Values a chart keeps at most. */
export const PANEL_MAX_POINTS = 1000;
/** Controls whose state a `display: control` show can set (a button has none). */
export const PANEL_STATEFUL_CONTROLS: readonly PanelControl[] = [
  'switch',
  'slider',
  'number',
  'dropdown',
  'text',
];

const jsonValue = (description: string, value: unknown) => Type.Unknown({ default: value, description });

// Where a widget sits on the panel; the same for controls and shown values.
const placement = {
  widget: Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: PANEL_WIDGET_NAME.source,
    description:
      'The widget’s name (letters, digits, space, _ - .); one control per name in a package, and Show on panel nodes with display control name it',
  }),
  page: Type.String({
    minLength: 1,
    maxLength: 64,
    default: 'Home',
    description: 'The panel page (a tab) the widget is on',
  }),
  group: Type.String({
    minLength: 1,
    maxLength: 64,
    default: 'Controls',
    description: 'The card on that page the widget is in',
  }),
  label: Type.Optional(
    Type.String({ maxLength: 64, description: 'Shown with the widget; its name when empty' }),
  ),
  order: Type.Integer({
    minimum: 0,
    maximum: 10_000,
    default: 0,
    description: 'Position in its card, smallest first (then by label)',
  }),
};

const boundsProblem = (path: string, value: unknown): { path: string; message: string }[] =>
  fitsPropertyBounds(value)
    ? []
    : [
        {
          path,
          message: `is too large or too deeply nested (at most ${MESSAGE_PROPERTY_LIMITS.chars} characters as JSON and ${MESSAGE_PROPERTY_LIMITS.depth} levels)`,
        },
      ];

const rangeProblems = (config: Record<string, unknown>): { path: string; message: string }[] => {
  const { min, max } = config;
  return typeof min === 'number' && typeof max === 'number' && !(min < max)
    ? [{ path: 'max', message: `must be larger than min (${min})` }]
    : [];
};

const control: NodeKind = {
  kind: 'trigger.panel',
  category: 'trigger',
  title: 'Panel control',
  doc: 'A control on the gateway’s panel page (`/panel` on its HTTP port): a button, switch, slider, number, dropdown or text box. Operating it starts a run whose `payload` is the control’s value (and `topic` when set). Pressing needs the site’s HTTP token.',
  icon: 'toggle-left',
  config: Type.Object({
    ...placement,
    control: Type.Union(
      PANEL_CONTROLS.map((c) => Type.Literal(c)),
      { default: 'button', description: 'What the person operates' },
    ),
    value: jsonValue('The value a button sends (JSON)', true),
    on: jsonValue('The value a switch sends when turned on (JSON)', true),
    off: jsonValue('The value a switch sends when turned off (JSON)', false),
    min: Type.Number({ default: 0, description: 'Smallest value of a slider or number' }),
    max: Type.Number({ default: 100, description: 'Largest value of a slider or number' }),
    step: Type.Number({
      exclusiveMinimum: 0,
      default: 1,
      description: 'Step of a slider or number',
    }),
    options: Type.Array(
      Type.Object({
        label: Type.String({ minLength: 1, maxLength: 64 }),
        value: Type.Unknown(),
      }),
      {
        default: [],
        maxItems: PANEL_MAX_OPTIONS,
        description: 'The choices of a dropdown: [{"label": "Eco", "value": "eco"}, …]',
      },
    ),
    topic: Type.Optional(Type.String({ maxLength: 256, description: 'Put on the message as `topic`' })),
  }),
  inputs: [],
  outputs: outPort,
  expressions: [],
  roleRefs: [],
  size: sizes.trigger,
  checkConfig: (config) => {
    const problems: { path: string; message: string; missing?: boolean }[] = [
      ...boundsProblem('value', config.value),
      ...boundsProblem('on', config.on),
      ...boundsProblem('off', config.off),
    ];
    const options = Array.isArray(config.options) ? (config.options as { value?: unknown }[]) : [];
    options.forEach((o, i) => problems.push(...boundsProblem(`options.${i}.value`, o?.value)));
    if (config.control === 'slider' || config.control === 'number') problems.push(...rangeProblems(config));
    if (config.control === 'switch' && JSON.stringify(config.on) === JSON.stringify(config.off))
      problems.push({ path: 'off', message: 'must differ from on, or the switch cannot say where it is' });
    if (config.control === 'dropdown') {
      if (options.length === 0)
        problems.push({ path: 'options', message: 'a dropdown needs at least one option', missing: true });
      const seen = new Set<string>();
      options.forEach((o, i) => {
        const key = JSON.stringify(o?.value ?? null);
        if (seen.has(key)) problems.push({ path: `options.${i}.value`, message: `${key} is offered twice` });
        seen.add(key);
      });
    }
    return problems;
  },
  create: ({ config }) => {
    const topic = typeof config.topic === 'string' && config.topic !== '' ? config.topic : undefined;
    return {
      trigger: { type: 'panel', widget: String(config.widget) },
      // The panel hands over the value alone; the message gets the control's topic.
      accept: (message: Message) =>
        topic === undefined ? { payload: message.payload } : { payload: message.payload, topic },
    };
  },
};

const show: NodeKind = {
  kind: 'action.panel-show',
  category: 'action',
  title: 'Show on panel',
  doc: 'Shows a value on the gateway’s panel page: as text, a gauge, a chart of the last values, a passing notice, or as the state of the Panel control with the same widget name (the control moves, no run starts). Passes the message on unchanged.',
  icon: 'monitor',
  config: Type.Object({
    ...placement,
    display: Type.Union(
      PANEL_DISPLAYS.map((d) => Type.Literal(d)),
      {
        default: 'text',
        description:
          'text, gauge, chart, notice, or control: set the state of the Panel control with this widget name',
      },
    ),
    value: expression('CEL expression for the value shown', 'payload'),
    unit: Type.Optional(Type.String({ maxLength: 16, description: 'Shown after the value, e.g. °C' })),
    min: Type.Number({ default: 0, description: 'Smallest value of a gauge' }),
    max: Type.Number({ default: 100, description: 'Largest value of a gauge' }),
    points: Type.Integer({
      minimum: 1,
      maximum: PANEL_MAX_POINTS,
      default: 100,
      description: 'How many last values a chart keeps',
    }),
  }),
  inputs: inPort,
  outputs: outPort,
  expressions: [{ path: 'value' }],
  roleRefs: [],
  size: sizes.action,
  checkConfig: (config) => (config.display === 'gauge' ? rangeProblems(config) : []),
  create: ({ config }, { compile }) => {
    const source = String(config.value ?? 'payload');
    const value = source.trim() === 'payload' ? undefined : compile(source);
    const widget = String(config.widget);
    const display = String(config.display ?? 'text') as PanelDisplay;
    return {
      receive: (ctx, message) => {
        const shown = value ? ctx.evaluate(value, message) : message.payload;
        // What the gateway refuses (a value past the bounds) fails the node with the reason.
        const refused = ctx.io.show?.({ widget, display, value: shown });
        if (refused !== undefined) throw new Error(refused);
        ctx.send('out', message);
      },
    };
  },
};

/** The Panel control trigger and the Show on panel action. */
export const panelKinds = { control, show } as const;
