import type { BrowserWindow, BrowserWindowConstructorOptions, Rectangle, Shell } from 'electron';
import { APP_START_URL, isAppUrl, isExternalLinkAllowed } from './app-url';

/** The web preferences every Fieldgraph window gets: the renderer has no Node and no way out. */
export const secureWebPreferences = (
  preload: string,
  /** False in a packaged build: no DevTools for whoever finds the machine unlocked. */
  devTools = true,
): NonNullable<BrowserWindowConstructorOptions['webPreferences']> => ({
  preload,
  devTools,
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
});

/** The parts of a webContents the guards need. */
export interface GuardedContents {
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
}

/**
 * Keeps a window on the app's own pages: navigation elsewhere is cancelled, new windows are
 * denied, `https:` links go to the system browser, webviews cannot be attached.
 */
export const guardContents = (contents: GuardedContents, shell: Pick<Shell, 'openExternal'>): void => {
  const stayHome = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
};

/** Window size and position kept between runs. */
export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

/** The default size of a first window. */
export const DEFAULT_BOUNDS: Rectangle = { x: 0, y: 0, width: 1360, height: 860 };

/**
 * Restores `saved` only when it still overlaps a display (a monitor may have been unplugged);
 * otherwise the default size, centred by Electron.
 */
export const restoreBounds = (saved: WindowState | undefined, displays: Rectangle[]): Partial<Rectangle> => {
  if (!saved) return { width: DEFAULT_BOUNDS.width, height: DEFAULT_BOUNDS.height };
  const { x, y, width, height } = saved.bounds;
  const visible = displays.some(
    (d) => x < d.x + d.width - 80 && x + width > d.x + 80 && y >= d.y - 20 && y < d.y + d.height - 80,
  );
  const size = { width: Math.max(800, width), height: Math.max(560, height) };
  return visible ? { x, y, ...size } : size;
};

/** What creating the main window needs from Electron, injected by the composition root. */
export interface WindowDeps {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow;
  shell: Pick<Shell, 'openExternal'>;
  preloadPath: string;
  /** The packaged app (`app.isPackaged`): DevTools are off. */
  packaged: boolean;
  saved: WindowState | undefined;
  displays: Rectangle[];
  saveState: (state: WindowState) => void;
}

/** Creates the hardened main window on the start page and remembers its size and position. */
export const createMainWindow = (deps: WindowDeps): BrowserWindow => {
  const win = new deps.BrowserWindow({
    ...restoreBounds(deps.saved, deps.displays),
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Fieldgraph',
    backgroundColor: '#f6f7f9',
    webPreferences: secureWebPreferences(deps.preloadPath, !deps.packaged),
  });
  guardContents(win.webContents as unknown as GuardedContents, deps.shell);
  if (deps.saved?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  const save = () => {
    if (!win.isDestroyed()) deps.saveState({ bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  };
  win.on('close', save);
  void win.loadURL(APP_START_URL);
  return win;
};
