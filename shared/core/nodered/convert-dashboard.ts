/**
 * Node-RED dashboard widgets (node-red-dashboard 1.x `ui_*` and FlowFuse Dashboard 2 `ui-*`) as
 * the gateway panel's nodes: controls become Panel control triggers (see
 * convert-dashboard-controls.ts), texts, gauges, charts and notifications Show on panel actions.
 * Each widget keeps its page (Node-RED tab or page), group (card) and order. What the panel does
 * differently is said in a note; a widget the panel has no equivalent for stays a placeholder
 * with the reason.
 */
import { convertControl, CONTROL_TYPES } from './convert-dashboard-controls';
import { single, text, type Conversion, type Note, type RedNode } from './types';
import { celString, msgPath, typedValue } from './values';

/** Where a widget sits on the panel, and its name: what every panel node's config starts with. */
export interface Placement {
  readonly widget: string;
  readonly page: string;
  readonly group: string;
  readonly label: string;
  readonly order: number;
}

/** What converting one widget needs besides the node: where it sits, and whether wires enter it. */
export interface WidgetContext {
  readonly placement: Placement;
  readonly hasInput: boolean;
  readonly flowVars: ReadonlySet<string>;
}

/** Converts one dashboard widget of an import; names stay unique across the import. */
export type DashboardConverter = (n: RedNode, note: Note, flowVars: ReadonlySet<string>) => Conversion;

/** Whether a Node-RED type is a dashboard node (1.x `ui_…` or Dashboard 2 `ui-…`). */
export const isDashboardType = (type: string): boolean => type.startsWith('ui_') || type.startsWith('ui-');

const DEFAULT_PAGE = 'Home';
const DEFAULT_GROUP = 'Controls';

// Why the dashboard nodes the panel has no equivalent for stay placeholders.
const NO_PANEL: Record<string, string> = {
  template: 'It is a dashboard template (its own HTML and script), which the panel cannot run.',
  form: 'It is a dashboard form (several fields sent together), which the panel has not; use one Panel control per field.',
  audio: 'It plays sound or speech on the dashboard, which the panel does not.',
  ui_control: 'It switches dashboard tabs or reacts to browser connections, which the panel has not.',
  control: 'It switches dashboard pages or reacts to browser connections, which the panel has not.',
  colour_picker: 'It is a colour picker, which the panel has not.',
  date_picker: 'It is a date picker, which the panel has not.',
  link: 'It is a link to another web page in the dashboard menu, which the panel has not.',
  spacer: 'It is blank space in the dashboard layout; the panel places widgets by their order, so delete it.',
  table: 'It is a table, which the panel has not.',
  markdown: 'It is a Markdown widget, which the panel has not; a Show on panel node shows text.',
  event: 'It reports what people do in the dashboard’s pages, which the panel does not.',
  'file-input': 'It uploads a file from the browser, which the panel does not.',
  'radio-group':
    'It is a group of radio buttons, which the panel has not; a Panel control dropdown offers choices.',
  'button-group':
    'It is a group of buttons, which the panel has not; use one Panel control button per choice.',
  progress: 'It is a progress bar, which the panel has not; a Show on panel gauge shows a value in a range.',
};

/** Text a Node-RED setting holds, cut to `max` characters, or '' when it is none. */
const short = (v: unknown, max = 64): string => text(v).trim().slice(0, max);

/** A widget name the panel accepts: ASCII letters, digits, space, `_-.` (accents dropped). */
export const widgetName = (raw: string): string =>
  raw
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 _.-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 60)
    .trim();

/** Page and group names from the widget's Node-RED group and its tab (1.x) or page (Dashboard 2). */
const placeOf = (
  n: RedNode,
  byId: ReadonlyMap<string, RedNode>,
  note: Note,
): { page: string; group: string } => {
  const dashboard2 = n.type.startsWith('ui-');
  if (n.type === 'ui_toast' || n.type === 'ui-notification')
    // A notification shows over whatever page is open; it has no group.
    return { page: DEFAULT_PAGE, group: 'Notices' };
  const group = byId.get(text(n.group));
  if (!group || group.type !== (dashboard2 ? 'ui-group' : 'ui_group')) {
    note(
      'changed',
      `It names no dashboard group of this export, so it is placed on page “${DEFAULT_PAGE}”, card “${DEFAULT_GROUP}”.`,
    );
    return { page: DEFAULT_PAGE, group: DEFAULT_GROUP };
  }
  const page = byId.get(text(dashboard2 ? group.page : group.tab));
  const pageName = page && page.type === (dashboard2 ? 'ui-page' : 'ui_tab') ? short(page.name) : '';
  if (!pageName)
    note(
      'changed',
      `Its group “${short(group.name) || group.id}” names no dashboard ${dashboard2 ? 'page' : 'tab'} of this export, so it is placed on page “${DEFAULT_PAGE}”.`,
    );
  return { page: pageName || DEFAULT_PAGE, group: short(group.name) || DEFAULT_GROUP };
};

/** What a widget is called when it has neither name nor label. */
const kindName = (type: string): string => type.slice(3).replace(/[_-]/g, ' ');

/**
 * The dashboard converter of one import: `byId` holds the export's nodes (groups, tabs, pages),
 * `hasInput` tells whether wires enter a node. Widget names are made unique across the import,
 * since the panel has one widget per name.
 */
export const dashboardImport = (
  byId: ReadonlyMap<string, RedNode>,
  hasInput: (id: string) => boolean,
): DashboardConverter => {
  const taken = new Set<string>();
  const unique = (base: string): string => {
    let name = base;
    for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base} ${i}`;
    taken.add(name.toLowerCase());
    return name;
  };
  return (n, note, flowVars) => {
    const kind = n.type.slice(3);
    const control = CONTROL_TYPES[n.type];
    const display = DISPLAYS[n.type];
    if (!control && !display)
      return {
        reason:
          NO_PANEL[kind] ??
          (kind === 'tab' || kind === 'group' || kind === 'base' || kind === 'page'
            ? 'It is dashboard layout; the panel takes pages and cards from the widgets.'
            : `It is a dashboard node (${n.type}) the panel has no equivalent for.`),
      };
    const rawLabel = text(n.label).trim();
    const dynamicLabel = rawLabel.includes('{{');
    if (dynamicLabel)
      note(
        'changed',
        `Its label “${rawLabel.slice(0, 60)}” was filled from messages; the panel shows its name.`,
      );
    const fixedLabel = dynamicLabel ? '' : rawLabel.replace(/<[^>]*>/g, '').trim();
    const base = widgetName(short(n.name, 200)) || widgetName(fixedLabel) || kindName(n.type);
    const order = Number(n.order);
    const placement: Placement = {
      widget: unique(base),
      ...placeOf(n, byId, note),
      label: (fixedLabel || short(n.name) || base).slice(0, 64),
      order: Number.isInteger(order) && order >= 0 ? Math.min(order, 10_000) : 0,
    };
    const context: WidgetContext = { placement, hasInput: hasInput(n.id), flowVars };
    return control ? convertControl(n, note, context) : display!(n, note, context);
  };
};

/** A Show on panel node's config. */
const show = (placement: Placement, display: string, value: string, extra: Record<string, unknown> = {}) => ({
  ...placement,
  display,
  value,
  min: 0,
  max: 100,
  points: 100,
  ...extra,
});

const ENTITIES: Record<string, string> = { '&deg;': '°', '&nbsp;': ' ', '&amp;': '&', '&percnt;': '%' };

/**
 * A 1.x Value Format as a CEL value and unit, where that shows the same: one `{{msg.path}}` (or
 * `{{value}}`, the payload) with at most a short unit after it, or plain text.
 */
export const formatValue = (format: string): { cel: string; unit?: string } | { reason: string } => {
  const f = format.trim().replace(/&[a-z]+;/g, (e) => ENTITIES[e] ?? e);
  if (f === '') return { cel: celString('') };
  if (!f.includes('{{') && !/[<&]/.test(f)) return { cel: celString(f) };
  const m = /^\{\{\s*(?:msg\.)?([A-Za-z_$][\w$.[\]'"]*)\s*\}\}([^{}<&]*)$/.exec(f);
  const path = m ? (m[1] === 'value' ? 'payload' : msgPath(m[1]!)) : null;
  const unit = m?.[2]?.trim() ?? '';
  if (!m || !path || unit.length > 16)
    return {
      reason: `Its format “${format.slice(0, 60)}” mixes text, filters or HTML with values; write it as a CEL expression in a Show on panel node.`,
    };
  return unit ? { cel: path, unit } : { cel: path };
};

/** The note when a shown path goes inside the payload, which a message may lack. */
const deepPathNote = (cel: string, note: Note): void => {
  if (/^(payload|topic)$/.test(cel) || cel.startsWith('"')) return;
  note('changed', `It shows ${cel}; a message without it fails the node, where Node-RED showed nothing.`);
};

/** A Dashboard 2 typed value (`value` + `valueType`, default msg.payload) as CEL, or a reason. */
const typedShown = (n: RedNode, ctx: WidgetContext): { cel: string } | { reason: string } => {
  const type = text(n.valueType) || 'msg';
  const v = typedValue(text(n.value) || 'payload', type, ctx.flowVars);
  return 'cel' in v ? v : { reason: `It shows ${v.reason}.` };
};

const uiText = (n: RedNode, note: Note, ctx: WidgetContext): Conversion => {
  const value = n.type === 'ui-text' ? typedShown(n, ctx) : formatValue(text(n.format) || '{{msg.payload}}');
  if ('reason' in value) return value;
  if (n.type === 'ui-text' && text(n.format) && text(n.format) !== '{{msg.payload}}')
    note('changed', 'Its format field, which Dashboard 2 does not use either, was left out.');
  deepPathNote(value.cel, note);
  return single(
    'action.panel-show',
    show(ctx.placement, 'text', value.cel, 'unit' in value && value.unit ? { unit: value.unit } : {}),
  );
};

const numberOr = (v: unknown, fallback: number): number => {
  const x = Number(v);
  return text(v).trim() !== '' && Number.isFinite(x) ? x : fallback;
};

/**
 * A gauge's or chart's value as the number the panel takes: Node-RED read numbers from text
 * (MQTT payloads often are), so text is read as a number; what is no number fails the node.
 */
const numeric = (cel: string, note: Note): string => {
  note(
    'changed',
    'Text holding a number is shown as that number, as in Node-RED; a value that is no number fails the node, where Node-RED showed or drew nothing.',
  );
  return `type(${cel}) == string ? double(${cel}) : ${cel}`;
};

const gauge = (n: RedNode, note: Note, ctx: WidgetContext): Conversion => {
  const value = n.type === 'ui-gauge' ? typedShown(n, ctx) : { cel: 'payload' };
  if ('reason' in value) return value;
  deepPathNote(value.cel, note);
  let min = numberOr(n.min, 0);
  let max = numberOr(n.max, n.type === 'ui-gauge' ? 10 : 100);
  if (min > max) [min, max] = [max, min];
  if (min === max) return { reason: `Its range ${min} to ${max} is empty.` };
  const format = text(n.format).trim();
  if (format && !/^\{\{\s*(value|msg\.payload)\s*\}\}$/.test(format))
    note(
      'changed',
      `Its value format “${format.slice(0, 60)}” was left out; the panel shows the value itself.`,
    );
  const unit = short(n.units, 16);
  return single(
    'action.panel-show',
    show(ctx.placement, 'gauge', numeric(value.cel, note), { min, max, ...(unit ? { unit } : {}) }),
  );
};

/** How many values a chart keeps: its point limit, or 100 with a note about its time window. */
const chartPoints = (n: RedNode, note: Note): number => {
  const points = Number(n.removeOlderPoints);
  if (Number.isInteger(points) && points >= 1) return Math.min(points, 1000);
  const age = numberOr(n.removeOlder, 1);
  const unit = Number(n.removeOlderUnit) || 3600;
  note('changed', `It kept the values of the last ${age * unit} s; the panel keeps the last 100 values.`);
  return 100;
};

const chart = (n: RedNode, note: Note, ctx: WidgetContext, outputs: boolean): Conversion => {
  const type = text(n.chartType) || 'line';
  if (type !== 'line')
    return { reason: `It draws a ${type} chart; the panel’s chart is a line of the last values.` };
  let value: { cel: string } | { reason: string } = { cel: 'payload' };
  if (n.type === 'ui-chart') {
    if ((text(n.action) || 'append') !== 'append')
      return {
        reason:
          'It replaces the whole chart with each message; the panel’s chart adds one value per message.',
      };
    const propType = text(n.yAxisPropertyType) || 'msg';
    const prop = text(n.yAxisProperty) || 'payload';
    const path =
      propType === 'msg' ? msgPath(prop) : propType === 'property' ? msgPath(`payload.${prop}`) : null;
    value = path
      ? { cel: path }
      : { reason: `It charts a ${propType} value “${prop.slice(0, 40)}”, which has no CEL equivalent here.` };
  }
  if ('reason' in value) return value;
  deepPathNote(value.cel, note);
  const series = n.type === 'ui-chart' ? text(n.category) || 'topic' : 'topic';
  note(
    'changed',
    `Node-RED drew one line per value of ${series === 'topic' ? 'msg.topic' : `“${series.slice(0, 40)}”`}; the panel draws all values as one line, and a list payload (a whole chart) fails the node.`,
  );
  if (outputs) note('changed', 'Its output sent the chart’s data; here the message passes on unchanged.');
  return single(
    'action.panel-show',
    show(ctx.placement, 'chart', numeric(value.cel, note), { points: chartPoints(n, note) }),
  );
};

const notice = (n: RedNode, note: Note, ctx: WidgetContext, outputs: boolean): Conversion => {
  const position = text(n.position);
  if (
    position === 'dialog' ||
    position === 'prompt' ||
    (n.type === 'ui-notification' && n.allowConfirm === true && outputs)
  )
    return { reason: 'It asks a question (OK / Cancel) and sends the answer; the panel only shows notices.' };
  if (n.type === 'ui_toast')
    note('changed', 'Node-RED showed msg.topic as the notice’s title; the panel shows the value alone.');
  if (outputs)
    note(
      'changed',
      'It sent a message when the notice was closed; here the message passes on when it is shown.',
    );
  return single('action.panel-show', show(ctx.placement, 'notice', 'payload'));
};

const wired = (n: RedNode): boolean =>
  Array.isArray(n.wires) && n.wires.some((w) => Array.isArray(w) && w.length > 0);

const DISPLAYS: Record<string, (n: RedNode, note: Note, ctx: WidgetContext) => Conversion> = {
  ui_text: uiText,
  'ui-text': uiText,
  ui_gauge: gauge,
  'ui-gauge': gauge,
  ui_chart: (n, note, ctx) => chart(n, note, ctx, wired(n)),
  'ui-chart': (n, note, ctx) => chart(n, note, ctx, wired(n)),
  ui_toast: (n, note, ctx) => notice(n, note, ctx, wired(n)),
  'ui-notification': (n, note, ctx) => notice(n, note, ctx, wired(n)),
};
