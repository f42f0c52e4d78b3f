/**
 * The validator's checks of the gateway panel (catalog/panel.ts) across the package: two
 * controls with one widget name, a Show on panel with display `control` that names no control
 * or one without a state (a button), a shown value that takes a control's name, one name shown
 * two ways, and panel nodes of a site that names no HTTP token (the panel then answers 503).
 */
import { PANEL_STATEFUL_CONTROLS } from './catalog/panel';
import type { FlowProblemCode } from './problems';
import type { Flow } from './schema';
import { documentNodes, SITE_TOKEN_FIX } from './validate-http';

/** A panel node of one flow: what the package-wide checks compare. */
export interface DeclaredWidget {
  readonly flowId: string;
  readonly nodeId: string;
  readonly widget: string;
  /** `control` for a Panel control node, `show` for a Show on panel node. */
  readonly role: 'control' | 'show';
  /** The control's kind (`button`, `switch`…) or the show's display (`text`, `control`…). */
  readonly as: string;
}

/** The panel nodes the given flow documents declare, in package order (malformed ones are skipped). */
export const declaredWidgets = (flows: readonly unknown[]): DeclaredWidget[] => {
  const out: DeclaredWidget[] = [];
  for (const { flowId, nodeId, kind, config } of documentNodes(flows)) {
    const role = kind === 'trigger.panel' ? 'control' : kind === 'action.panel-show' ? 'show' : undefined;
    const widget = config.widget;
    if (!role || typeof widget !== 'string' || widget === '') continue;
    const as = role === 'control' ? config.control : config.display;
    out.push({
      flowId,
      nodeId,
      widget,
      role,
      as: typeof as === 'string' ? as : role === 'control' ? 'button' : 'text',
    });
  }
  return out;
};

type Add = (
  code: FlowProblemCode,
  message: string,
  hint: string,
  where: { nodeId: string; path?: string },
  severity?: 'error' | 'warning',
) => void;

const where = (flowId: string, other: DeclaredWidget): string =>
  other.flowId === flowId ? 'another node of this flow' : `flow "${other.flowId}"`;

/**
 * Adds the panel problems of `flow` (already schema-checked). `widgets` are those of every
 * flow of the package (only this flow's when not given); sites named in `sitesWithoutToken`
 * get a warning that the panel cannot be used there.
 */
export const checkPanel = (
  flow: Flow,
  widgets: readonly DeclaredWidget[] | undefined,
  sitesWithoutToken: readonly string[] | undefined,
  add: Add,
): void => {
  const all = widgets ?? declaredWidgets([flow]);
  const own = all.filter((w) => w.flowId === flow.id);
  if (own.length === 0) return;
  if (sitesWithoutToken && sitesWithoutToken.length > 0)
    add(
      'flow.panel_without_token',
      `${sitesWithoutToken.length === 1 ? `Site "${sitesWithoutToken[0]}" names` : `Sites ${sitesWithoutToken.map((s) => `"${s}"`).join(', ')} name`} no HTTP token, so the gateway’s panel (/panel) answers 503 there and its controls cannot be used.`,
      `${SITE_TOKEN_FIX}.`,
      { nodeId: own[0]!.nodeId },
      'warning',
    );
  const controls = all.filter((w) => w.role === 'control');
  for (const w of own) {
    const index = all.indexOf(w);
    if (w.role === 'control') {
      // The first of two is served (the gateway's rule): the later one gets the problem.
      const first = controls.find((c) => c.widget === w.widget);
      if (first && first !== w)
        add(
          'flow.duplicate_panel_control',
          `The panel has a control named "${w.widget}" already (in ${where(flow.id, first)}); one name is one control.`,
          'Give each Panel control its own widget name.',
          { nodeId: w.nodeId, path: 'widget' },
        );
      continue;
    }
    const control = controls.find((c) => c.widget === w.widget);
    if (w.as === 'control') {
      if (!control)
        add(
          'flow.panel_control_missing',
          `No Panel control is named "${w.widget}", so there is no control whose state this could set.`,
          'Name an existing Panel control in widget, or choose another display.',
          { nodeId: w.nodeId, path: 'widget' },
        );
      else if (!PANEL_STATEFUL_CONTROLS.includes(control.as as never))
        add(
          'flow.panel_display_mismatch',
          `The control "${w.widget}" is a ${control.as}, which has no state to set.`,
          `Point display control at a ${PANEL_STATEFUL_CONTROLS.join(', ')} control, or show the value as text.`,
          { nodeId: w.nodeId, path: 'display' },
        );
      continue;
    }
    if (control) {
      add(
        'flow.panel_display_mismatch',
        `"${w.widget}" is the name of a Panel control; a value shown as ${w.as} needs a name of its own.`,
        'Choose display control to move that control, or give this widget another name.',
        { nodeId: w.nodeId, path: 'widget' },
      );
      continue;
    }
    // Several nodes may feed one shown widget, all the same way (the first places it).
    const other = all
      .slice(0, index)
      .find((o) => o.role === 'show' && o.widget === w.widget && o.as !== 'control' && o.as !== w.as);
    if (other)
      add(
        'flow.panel_display_mismatch',
        `"${w.widget}" is shown as ${other.as} by ${where(flow.id, other)}; one widget is shown one way.`,
        `Show it as ${other.as} here too, or give this widget another name.`,
        { nodeId: w.nodeId, path: 'display' },
      );
  }
};
