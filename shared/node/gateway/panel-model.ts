/**
 * What the panel shows, read from the flows a gateway runs: one widget per Panel control and
 * per shown widget name, placed by page, group and order. The validator's rules decide clashes
 * (validate-panel.ts) and the panel follows them when a package carries one anyway: the first
 * control of a name wins, a shown value under a control's name or shown another way than the
 * first is left out.
 */
import { configWithDefaults, getNodeKind } from '../../core/flow/catalog';
import { PANEL_STATEFUL_CONTROLS, type PanelControl, type PanelDisplay } from '../../core/flow/catalog/panel';
import type { Flow } from '../../core/flow/schema';

/** One widget as the page draws it (sent to the browser: no flow or node ids). */
export interface PanelWidget {
  /** The widget's name, unique on the panel. */
  readonly name: string;
  readonly page: string;
  readonly group: string;
  readonly label: string;
  readonly order: number;
  /** A control, or a display: text, gauge, chart or notice. */
  readonly kind: PanelControl | Exclude<PanelDisplay, 'control'>;
  readonly control: boolean;
  /** button: `value`; switch: `on`, `off`; slider/number: `min`, `max`, `step`; dropdown: `options`; gauge: `min`, `max`; chart: `points`. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** A control and the node whose runs it starts. */
export interface PanelControlNode {
  readonly widget: PanelWidget;
  readonly flowId: string;
  readonly nodeId: string;
  readonly topic?: string;
}

/** The panel of one deployed package. */
export interface PanelModel {
  /** Every widget, by page and group in the order they first appear in the package, then by order and label. */
  readonly widgets: readonly PanelWidget[];
  /** The controls by widget name. */
  readonly controls: ReadonlyMap<string, PanelControlNode>;
}

const text = (value: unknown, fallback: string): string =>
  typeof value === 'string' && value !== '' ? value : fallback;

const settingsOf = (kind: PanelWidget['kind'], c: Record<string, unknown>): Record<string, unknown> => {
  switch (kind) {
    case 'button':
      return { value: c.value ?? true };
    case 'switch':
      return { on: c.on ?? true, off: c.off ?? false };
    case 'slider':
    case 'number':
      return { min: c.min, max: c.max, step: c.step };
    case 'dropdown':
      return { options: c.options };
    case 'gauge':
      return { min: c.min, max: c.max, ...(c.unit ? { unit: c.unit } : {}) };
    case 'chart':
      return { points: c.points, ...(c.unit ? { unit: c.unit } : {}) };
    case 'text':
      return c.unit ? { unit: c.unit } : {};
    default:
      return {};
  }
};

/** The panel of `flows` (enabled flows only); empty when no flow has panel nodes. */
export const panelModel = (flows: readonly Flow[]): PanelModel => {
  const widgets: PanelWidget[] = [];
  const controls = new Map<string, PanelControlNode>();
  const shown = new Map<string, PanelWidget>();
  const pages: string[] = [];
  const groups: string[] = [];
  const add = (widget: PanelWidget) => {
    widgets.push(widget);
    if (!pages.includes(widget.page)) pages.push(widget.page);
    if (!groups.includes(`${widget.page}\n${widget.group}`)) groups.push(`${widget.page}\n${widget.group}`);
  };
  const nodes = flows
    .filter((f) => f.enabled !== false)
    .flatMap((f) => f.nodes.map((n) => ({ flow: f, node: n })));
  // Controls first, so a show earlier in the package cannot take a control's name.
  for (const { flow, node } of nodes) {
    const kind = getNodeKind(node.kind);
    if (node.kind !== 'trigger.panel' || !kind) continue;
    const c = configWithDefaults(kind, node.config);
    const name = String(c.widget ?? '');
    if (name === '' || controls.has(name)) continue;
    const control = String(c.control ?? 'button') as PanelControl;
    const widget: PanelWidget = {
      name,
      page: text(c.page, 'Home'),
      group: text(c.group, 'Controls'),
      label: text(c.label, name),
      order: Number(c.order ?? 0),
      kind: control,
      control: true,
      settings: settingsOf(control, c),
    };
    add(widget);
    const topic = typeof c.topic === 'string' && c.topic !== '' ? c.topic : undefined;
    controls.set(name, { widget, flowId: flow.id, nodeId: node.id, ...(topic ? { topic } : {}) });
  }
  for (const { node } of nodes) {
    const kind = getNodeKind(node.kind);
    if (node.kind !== 'action.panel-show' || !kind) continue;
    const c = configWithDefaults(kind, node.config);
    const name = String(c.widget ?? '');
    const display = String(c.display ?? 'text') as PanelDisplay;
    if (name === '' || display === 'control' || controls.has(name) || shown.has(name)) continue;
    const widget: PanelWidget = {
      name,
      page: text(c.page, 'Home'),
      group: text(c.group, 'Controls'),
      label: text(c.label, name),
      order: Number(c.order ?? 0),
      kind: display,
      control: false,
      settings: settingsOf(display, c),
    };
    shown.set(name, widget);
    add(widget);
  }
  const place = (w: PanelWidget) => groups.indexOf(`${w.page}\n${w.group}`);
  widgets.sort(
    (a, b) =>
      pages.indexOf(a.page) - pages.indexOf(b.page) ||
      place(a) - place(b) ||
      a.order - b.order ||
      a.label.localeCompare(b.label),
  );
  return { widgets, controls };
};

/** Whether a `display: control` show can set this widget's state (a stateful control). */
export const takesState = (widget: PanelWidget | undefined): boolean =>
  widget !== undefined && widget.control && PANEL_STATEFUL_CONTROLS.includes(widget.kind as PanelControl);
