/**
 * The colour theme of the whole window, one setting for every view: applied to the root
 * element (which every view's colours read) as soon as the app loads, and remembered in
 * localStorage. A stored value that is neither light nor dark falls back to the system's choice.
 */
const THEME_KEY = 'fieldgraph.theme';

type Mode = 'light' | 'dark';

const initial = (): Mode => {
  const stored = localStorage.getItem(THEME_KEY);
  if (stored === 'dark' || stored === 'light') return stored;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
};

/** The theme in use. */
export const theme = $state({ mode: initial() });

/** Applies and remembers a theme. */
export const setTheme = (mode: Mode): void => {
  theme.mode = mode;
  document.documentElement.dataset.theme = mode;
  document.documentElement.style.colorScheme = mode;
  localStorage.setItem(THEME_KEY, mode);
};

/** Applies the remembered theme; the app calls this once, before the first view draws. */
export const applyTheme = (): void => {
  document.documentElement.dataset.theme = theme.mode;
  document.documentElement.style.colorScheme = theme.mode;
};
