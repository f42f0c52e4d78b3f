/**
 * The Flows view's panel layout, remembered in localStorage so the editor opens the way it was
 * left. Bad stored values fall back to the defaults. (The colour theme is the window's, in
 * shell/theme.svelte.ts.)
 */

const KEY = 'fieldgraph.flows.layout';

/** Which panels show and how wide or tall they are, in px. */
export interface PanelLayout {
  palette: boolean;
  inspector: boolean;
  problems: boolean;
  paletteWidth: number;
  inspectorWidth: number;
  problemsHeight: number;
}

const defaults: PanelLayout = {
  palette: true,
  inspector: true,
  problems: true,
  paletteWidth: 240,
  inspectorWidth: 300,
  problemsHeight: 150,
};

type Size = 'paletteWidth' | 'inspectorWidth' | 'problemsHeight';

/** The sizes a panel may have, in px: dragging stops there, and a stored size is kept within them. */
const bounds: Record<Size, readonly [number, number]> = {
  paletteWidth: [160, 480],
  inspectorWidth: [220, 560],
  problemsHeight: [60, 480],
};

const clamp = (v: unknown, which: Size) =>
  typeof v === 'number' && Number.isFinite(v)
    ? Math.min(bounds[which][1], Math.max(bounds[which][0], v))
    : defaults[which];

const read = (): PanelLayout => {
  let stored: Record<string, unknown> = {};
  try {
    stored = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, unknown>;
  } catch {
    stored = {};
  }
  const flag = (k: 'palette' | 'inspector' | 'problems') =>
    typeof stored[k] === 'boolean' ? stored[k] : defaults[k];
  return {
    palette: flag('palette'),
    inspector: flag('inspector'),
    problems: flag('problems'),
    paletteWidth: clamp(stored.paletteWidth, 'paletteWidth'),
    inspectorWidth: clamp(stored.inspectorWidth, 'inspectorWidth'),
    problemsHeight: clamp(stored.problemsHeight, 'problemsHeight'),
  };
};

/** The panel layout; changes are saved as they happen. */
export const panels: PanelLayout = $state(read());

/** Saves the panel layout (call after changing `panels`). */
export const savePanels = (): void => {
  localStorage.setItem(KEY, JSON.stringify(panels));
};

/** A pointerdown handler for a splitter: drags resize the panel, and the size is saved on release. */
export const resizePanel = (which: Size, sign: 1 | -1) => (event: PointerEvent) => {
  const start = { x: event.clientX, y: event.clientY, value: panels[which] };
  const target = event.currentTarget as HTMLElement;
  target.setPointerCapture(event.pointerId);
  const move = (e: PointerEvent) => {
    const delta = which === 'problemsHeight' ? start.y - e.clientY : (e.clientX - start.x) * sign;
    panels[which] = clamp(start.value + delta, which);
  };
  const up = () => {
    target.removeEventListener('pointermove', move);
    target.removeEventListener('pointerup', up);
    savePanels();
  };
  target.addEventListener('pointermove', move);
  target.addEventListener('pointerup', up);
};

/** Shows or hides a panel, and remembers it. */
export const togglePanel = (which: 'palette' | 'inspector' | 'problems'): void => {
  panels[which] = !panels[which];
  savePanels();
};
