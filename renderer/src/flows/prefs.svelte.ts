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

const clamp = (v: unknown, min: number, max: number, fallback: number) =>
  typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;

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
    paletteWidth: clamp(stored.paletteWidth, 160, 480, defaults.paletteWidth),
    inspectorWidth: clamp(stored.inspectorWidth, 220, 560, defaults.inspectorWidth),
    problemsHeight: clamp(stored.problemsHeight, 60, 480, defaults.problemsHeight),
  };
};

/** The panel layout; changes are saved as they happen. */
export const panels: PanelLayout = $state(read());

/** Saves the panel layout (call after changing `panels`). */
export const savePanels = (): void => {
  localStorage.setItem(KEY, JSON.stringify(panels));
};

/** A pointerdown handler for a splitter: drags resize the panel, and the size is saved on release. */
export const resizePanel =
  (which: 'paletteWidth' | 'inspectorWidth' | 'problemsHeight', sign: 1 | -1) => (event: PointerEvent) => {
    const start = { x: event.clientX, y: event.clientY, value: panels[which] };
    const target = event.currentTarget as HTMLElement;
    target.setPointerCapture(event.pointerId);
    const move = (e: PointerEvent) => {
      const delta = which === 'problemsHeight' ? start.y - e.clientY : (e.clientX - start.x) * sign;
      panels[which] = Math.max(120, Math.min(600, start.value + delta));
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
