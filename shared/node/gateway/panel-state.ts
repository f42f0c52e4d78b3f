/**
 * The panel's state while the gateway runs: the widgets of the installed package, the last
 * value shown on each (a control's state, a text or gauge reading, a chart's last points), and
 * the live streams of the open pages. Changes reach the streams in batches (at most one per
 * `flushMs`), so a flow showing values at full speed costs each page a few updates a second.
 * Kept in memory only: a gateway restart starts an empty panel; a deploy keeps the values of
 * widgets the new package still has (same name and kind) and drops the others.
 */
import { fitsPropertyBounds, type PanelShown } from '../../core/flow/catalog';
import { panelModel, takesState, type PanelModel, type PanelWidget } from './panel-model';

/** Bounds of the panel, checked before anything is kept or run. */
export const PANEL_LIMITS = {
  /** Bytes of a press's body. */
  body: 20 * 1024,
  /** Characters of a text control's value. */
  text: 4096,
  /** Live streams open at once, across all pages. */
  streams: 16,
  /** Presses one control takes per second (a burst of as many, then one per 1/n s). */
  pressesPerSecond: 5,
  /** Time between two batches of updates to the streams, in ms. */
  flushMs: 100,
  /** Notices one batch carries; more in the same batch are dropped. */
  notices: 20,
} as const;

/** One value shown, with the time it was shown (ms since epoch). */
export interface ShownValue {
  readonly value: unknown;
  readonly at: number;
}

/** A widget with its current state, as the page draws it. */
export type PanelWidgetState = PanelWidget & {
  readonly state?: ShownValue;
  readonly points?: readonly ShownValue[];
};

/** The whole panel for a page: its pages, their groups (cards) and widgets with their state. */
export interface PanelSnapshot {
  readonly pages: readonly {
    readonly name: string;
    readonly groups: readonly { readonly name: string; readonly widgets: readonly PanelWidgetState[] }[];
  }[];
}

/** A batch of changes for the streams. */
export interface PanelUpdate {
  readonly values: readonly (ShownValue & { readonly widget: string })[];
  readonly points: readonly (ShownValue & { readonly widget: string })[];
  readonly notices: readonly (ShownValue & { readonly widget: string; readonly label: string })[];
}

/** What one open page receives: the whole panel (at the start and after a deploy), or a batch of changes. */
export type PanelListener = (event: 'panel' | 'update', data: PanelSnapshot | PanelUpdate) => void;

/** The panel's state; one per gateway, across deploys. */
export interface PanelHub {
  /** The panel of the flows now installed (none: an empty panel); open pages get it at once. */
  deploy(flows: Parameters<typeof panelModel>[0]): void;
  readonly model: PanelModel;
  /** A Show on panel node's value: undefined when taken, else why not. */
  show(shown: PanelShown): string | undefined;
  /** A control's new state (after a press, or set by a show); the streams get it. */
  setState(widget: string, value: unknown): void;
  snapshot(): PanelSnapshot;
  /** Adds an open page; returns the function that removes it. */
  listen(listener: PanelListener): () => void;
  readonly listeners: number;
  close(): void;
}

// CEL gives whole numbers as bigint and bytes as Uint8Array: the page gets JSON.
const plain = (value: unknown): unknown =>
  value === undefined
    ? null
    : (JSON.parse(
        JSON.stringify(value, (_k, v: unknown) =>
          typeof v === 'bigint' ? Number(v) : v instanceof Uint8Array ? [...v] : v,
        ),
      ) as unknown);

const describe = (value: unknown): string => (JSON.stringify(plain(value)) ?? 'nothing').slice(0, 60);

/** Creates the panel's state, empty until the first deploy. */
export const createPanelHub = (clock: () => number = Date.now): PanelHub => {
  let model: PanelModel = panelModel([]);
  let byName = new Map<string, PanelWidget>();
  const states = new Map<string, ShownValue>();
  const charts = new Map<string, ShownValue[]>();
  const listeners = new Set<PanelListener>();
  // The kind each name had in the package before, so a deploy keeps only values that still fit.
  let kinds = new Map<string, string>();
  type Pending = {
    values: Map<string, ShownValue>;
    points: PanelUpdate['points'][number][];
    notices: PanelUpdate['notices'][number][];
  };
  const empty = (): Pending => ({ values: new Map(), points: [], notices: [] });
  let pending = empty();
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    timer = undefined;
    const batch: PanelUpdate = {
      values: [...pending.values].map(([widget, v]) => ({ widget, ...v })),
      points: pending.points,
      notices: pending.notices,
    };
    pending = empty();
    for (const listener of listeners) listener('update', batch);
  };
  const changed = () => {
    if (listeners.size === 0) {
      pending = empty();
      return;
    }
    timer ??= setTimeout(flush, PANEL_LIMITS.flushMs);
  };

  const snapshot = (): PanelSnapshot => {
    const pages: { name: string; groups: { name: string; widgets: PanelWidgetState[] }[] }[] = [];
    for (const widget of model.widgets) {
      let page = pages.find((p) => p.name === widget.page);
      if (!page) pages.push((page = { name: widget.page, groups: [] }));
      let group = page.groups.find((g) => g.name === widget.group);
      if (!group) page.groups.push((group = { name: widget.group, widgets: [] }));
      const state = states.get(widget.name);
      const points = charts.get(widget.name);
      group.widgets.push({
        ...widget,
        ...(state ? { state } : {}),
        ...(points ? { points: [...points] } : {}),
      });
    }
    return { pages };
  };

  const setState = (widget: string, value: unknown) => {
    const shown = { value: plain(value), at: clock() };
    states.set(widget, shown);
    pending.values.set(widget, shown);
    changed();
  };

  return {
    get model() {
      return model;
    },
    get listeners() {
      return listeners.size;
    },
    deploy(flows) {
      model = panelModel(flows);
      byName = new Map(model.widgets.map((w) => [w.name, w]));
      const old = { states: new Map(states), charts: new Map(charts) };
      states.clear();
      charts.clear();
      for (const widget of model.widgets) {
        const state = old.states.get(widget.name);
        // A value is kept only where it still means the same (same name, same kind of widget).
        if (state && kinds.get(widget.name) === widget.kind) states.set(widget.name, state);
        const points = old.charts.get(widget.name);
        if (points && widget.kind === 'chart')
          charts.set(widget.name, points.slice(-Number(widget.settings.points ?? 100)));
      }
      kinds = new Map(model.widgets.map((w) => [w.name, w.kind]));
      pending = empty();
      const whole = snapshot();
      for (const listener of listeners) listener('panel', whole);
    },
    show({ widget: name, display, value }) {
      if (!fitsPropertyBounds(value))
        return `The value is too large or too deeply nested to show (at most 16384 characters as JSON and 16 levels).`;
      const widget = byName.get(name);
      if (display === 'control') {
        if (!takesState(widget))
          return widget?.control
            ? `The panel control "${name}" is a ${widget.kind}, which has no state to set.`
            : `The panel has no control named "${name}" whose state this could set.`;
        setState(name, value);
        return undefined;
      }
      if (!widget || widget.kind !== display)
        return widget
          ? `The panel shows "${name}" as ${widget.kind} (its first Show on panel node or its control), not as ${display}.`
          : `The panel has no widget "${name}"; the gateway installed a package without it.`;
      const at = clock();
      if (display === 'gauge' || display === 'chart') {
        const number = typeof value === 'bigint' ? Number(value) : value;
        if (typeof number !== 'number' || !Number.isFinite(number))
          return `A ${display} shows numbers; the value was ${describe(value)}.`;
        if (display === 'gauge') {
          setState(name, number);
          return undefined;
        }
        const points = charts.get(name) ?? [];
        points.push({ value: number, at });
        const keep = Number(widget.settings.points ?? 100);
        if (points.length > keep) points.splice(0, points.length - keep);
        charts.set(name, points);
        pending.points.push({ widget: name, value: number, at });
        if (pending.points.length > 4 * keep) pending.points.splice(0, pending.points.length - keep);
        changed();
        return undefined;
      }
      if (display === 'notice') {
        if (pending.notices.length < PANEL_LIMITS.notices)
          pending.notices.push({ widget: name, label: widget.label, value: plain(value), at });
        changed();
        return undefined;
      }
      setState(name, value);
      return undefined;
    },
    setState,
    snapshot,
    listen(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      listeners.clear();
    },
  };
};
