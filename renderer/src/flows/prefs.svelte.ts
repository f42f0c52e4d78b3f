/**
 * The Flows view's panel layout and the colour theme, remembered in localStorage so the
 * editor opens the way it was left. Bad stored values fall back to the defaults.
 */

const KEY = 'fieldgraph.flows.layout';
const THEME_KEY = 'fieldgraph.theme';

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

/** The colour theme of the whole window. */
export const theme = $state({
  mode: (localStorage.getItem(THEME_KEY) === 'dark' ? 'dark' : 'light') as 'light' | 'dark',
});

/** Applies and remembers a theme. */
export const setTheme = (mode: 'light' | 'dark'): void => {
  theme.mode = mode;
  document.documentElement.dataset.theme = mode;
  localStorage.setItem(THEME_KEY, mode);
};

setTheme(theme.mode);
