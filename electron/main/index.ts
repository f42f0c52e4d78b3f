// The desktop app's composition root: the only main-process module that imports electron at
// runtime. Everything it wires is in small modules that take Electron objects as parameters,
// so unit tests run them against a fake without the Electron binary.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  webContents,
} from 'electron';
import { createDispatcher } from '../../shared/core/api/dispatch';
import { createEventHub } from '../../shared/core/api/events';
import { createLogger } from '../../shared/node/log';
import { defaultDataDir, rendererDir } from '../../shared/node/paths';
import { createServices } from '../../shared/node/services';
import { readJsonOr, writeJsonAtomic } from '../../shared/node/stores/json-file';
import { APP_HOST, APP_SCHEME, isAppUrl } from './app-url';
import { forwardEvents, registerIpc } from './ipc';
import { menuTemplate } from './menu';
import { resolveAppFile } from './protocol';
import { createSafeStorageSecretStore } from './safe-storage';
import { CONTENT_SECURITY_POLICY } from '../../shared/node/web/static';
import { createMainWindow, guardContents, type GuardedContents, type WindowState } from './window';

const log = createLogger('desktop');
const dataDir = defaultDataDir();
const windowStateFile = join(dataDir, 'window-state.json');
const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Every webContents ever created (windows, devtools, anything) gets the same guards.
  app.on('web-contents-created', (_event, contents) =>
    guardContents(contents as unknown as GuardedContents, shell),
  );

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(async () => {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);

    protocol.handle(APP_SCHEME, async (request) => {
      const target = isAppUrl(request.url) ? resolveAppFile(rendererDir, request.url) : null;
      if (!target) return new Response('Not found', { status: 404 });
      try {
        const body = await readFile(target.file);
        return new Response(body, {
          headers: { 'content-type': target.type, 'content-security-policy': CONTENT_SECURITY_POLICY },
        });
      } catch {
        return new Response('Not found', { status: 404 });
      }
    });

    const hub = createEventHub((error) => log.error('event listener failed', { error: String(error) }));
    const services = createServices({
      runtime: 'electron',
      dataDir,
      hub,
      log,
      electronVersion: process.versions.electron,
      pickFolder: async (purpose) => {
        const options = {
          properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[],
          title: purpose === 'open' ? 'Open project' : 'New project folder',
        };
        const result = mainWindow
          ? await dialog.showOpenDialog(mainWindow, options)
          : await dialog.showOpenDialog(options);
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      // The OS keychain; on Linux sessions that offer only basic_text the store refuses to
      // keep secrets (see safe-storage.ts) and says why.
      secrets: createSafeStorageSecretStore({ safeStorage, path: join(dataDir, 'secrets-keychain.json') }),
    });
    const dispatch = createDispatcher(services, {
      onInternalError: (method, error) => log.error('service failed', { method, error: String(error) }),
    });
    // The program owns its signals and its shutdown: Ctrl+C or SIGTERM quits the app, and the
    // app stops what the services started (discovery sockets, the demo's brokers, a Try it
    // gateway, connections) before it exits.
    let disposed = false;
    app.on('will-quit', (event) => {
      if (disposed) return;
      event.preventDefault();
      void services.dispose().finally(() => {
        disposed = true;
        app.quit();
      });
    });
    process.once('SIGINT', () => app.quit());
    process.once('SIGTERM', () => app.quit());
    registerIpc(ipcMain, dispatch, (method, url) => log.warn('refused IPC call', { method, url }));
    forwardEvents(hub, () => webContents.getAllWebContents().filter((c) => isAppUrl(c.getURL())));

    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate(
          process.platform,
          () => void shell.openExternal('https://github.com/fieldgraph/fieldgraph#readme'),
        ),
      ),
    );

    const saved = await readJsonOr<WindowState | undefined>(windowStateFile, undefined);
    mainWindow = createMainWindow({
      BrowserWindow,
      shell,
      preloadPath,
      packaged: app.isPackaged,
      saved,
      displays: screen.getAllDisplays().map((d) => d.workArea),
      saveState: (state) => {
        writeJsonAtomic(windowStateFile, state).catch((error: unknown) =>
          log.warn('could not save window state', { error: String(error) }),
        );
      },
    });
    mainWindow.on('closed', () => (mainWindow = null));
    log.info('desktop app started', { host: APP_HOST });
  });
}
