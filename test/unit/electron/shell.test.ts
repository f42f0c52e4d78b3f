import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { methodList } from '../../../shared/core/api';
import { methodChannel } from '../../../shared/core/api/ipc';
import { APP_START_URL, isAppUrl, isExternalLinkAllowed } from '../../../electron/main/app-url';
import { isTrustedSender } from '../../../electron/main/ipc';
import { menuTemplate } from '../../../electron/main/menu';
import { resolveAppFile } from '../../../electron/main/protocol';
import {
  createMainWindow,
  guardContents,
  restoreBounds,
  type WindowDeps,
} from '../../../electron/main/window';
import { FakeBrowserWindow, FakeWebContents } from '../../helpers/fake-electron';
import { appFrame, ipcHarness } from '../../helpers/transports';

describe('IPC sender checks', () => {
  const frame = (url: string, parent: object | null = null) => ({ senderFrame: { url, parent } }) as never;

  it('trusts only the app’s own top frame', () => {
    expect(isTrustedSender(frame('app://fieldgraph/index.html'))).toBe(true);
    expect(isTrustedSender(frame('app://fieldgraph/index.html', { url: 'app://fieldgraph/' }))).toBe(false);
    for (const url of [
      'https://evil.example/',
      'app://fieldgraph.evil/index.html',
      'app://evil@fieldgraph/index.html',
      'app://user@fieldgraph/index.html',
      'file:///work/main/dist/renderer/index.html',
      'http://127.0.0.1:5173/',
      'not a url',
      '',
    ]) {
      expect(isTrustedSender(frame(url)), url).toBe(false);
    }
    expect(isTrustedSender({ senderFrame: null } as never)).toBe(false);
  });

  it('refuses calls from a sub-frame or a foreign page with api.forbidden, and serves the app frame', async () => {
    const h = await ipcHarness();
    expect(await h.api.app.ping({ echo: 'mine' })).toMatchObject({ ok: true });
    h.ipcRenderer.frame = { url: 'https://evil.example/', parent: null };
    expect(await h.api.app.ping({ echo: 'theirs' })).toMatchObject({
      ok: false,
      error: { code: 'api.forbidden' },
    });
    h.ipcRenderer.frame = { url: appFrame.url, parent: appFrame };
    expect(await h.api.app.info({})).toMatchObject({ ok: false, error: { code: 'api.forbidden' } });
    await h.close();
  });

  it('registers one handler per contract method and removes them all', async () => {
    const h = await ipcHarness();
    expect([...h.ipcMain.handlers.keys()].sort()).toEqual(
      methodList.map((m) => methodChannel(m.name)).sort(),
    );
    await h.close();
    expect(h.ipcMain.handlers.size).toBe(0);
  });

  it('the preload forwards events without the IPC event object', async () => {
    const h = await ipcHarness();
    const args: unknown[][] = [];
    const off = h.api.events.onProjectChanged((...received: unknown[]) => args.push(received));
    h.emit('onProjectChanged', { path: '/p', dirty: false });
    expect(args).toEqual([[{ path: '/p', dirty: false }]]);
    off();
    expect(h.ipcRenderer.listenerCount('fieldgraph:event:onProjectChanged')).toBe(0);
    await h.close();
  });
});

describe('window hardening', () => {
  const deps = (overrides: Partial<WindowDeps> = {}): WindowDeps => ({
    BrowserWindow: FakeBrowserWindow as never,
    shell: { openExternal: vi.fn(async () => {}) },
    preloadPath: '/app/preload.cjs',
    packaged: false,
    saved: undefined,
    displays: [{ x: 0, y: 0, width: 1920, height: 1080 }],
    saveState: vi.fn(),
    ...overrides,
  });

  it('creates the window sandboxed, isolated, without Node, on the app page', () => {
    const d = deps();
    const win = createMainWindow(d) as unknown as FakeBrowserWindow;
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
    });
    expect(win.loadedUrl).toBe(APP_START_URL);
    expect(win.options.webPreferences).toMatchObject({ devTools: true });
    const packaged = createMainWindow(deps({ packaged: true })) as unknown as FakeBrowserWindow;
    expect(packaged.options.webPreferences).toMatchObject({ devTools: false });
    win.emit('close');
    expect(d.saveState).toHaveBeenCalledWith({
      bounds: { x: 10, y: 20, width: 1000, height: 700 },
      maximized: false,
    });
  });

  it('cancels navigation away from the app and denies every new window', () => {
    const contents = new FakeWebContents();
    const shell = { openExternal: vi.fn(async () => {}) };
    guardContents(contents as never, shell);
    expect(contents.emitCancellable('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.emitCancellable('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(contents.emitCancellable('will-navigate', 'app://fieldgraph/index.html#/flows')).toBe(false);
    expect(contents.emitCancellable('will-attach-webview')).toBe(true);

    expect(contents.openHandler!({ url: 'https://github.com/fieldgraph/fieldgraph#readme' })).toEqual({
      action: 'deny',
    });
    expect(shell.openExternal).toHaveBeenCalledWith('https://github.com/fieldgraph/fieldgraph#readme');
    for (const url of [
      'https://docs.example/help',
      'http://plain.example/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'app://fieldgraph/x',
    ]) {
      expect(contents.openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });

  it('opens only https links to documentation hosts externally', () => {
    expect(isExternalLinkAllowed('https://www.w3.org/TR/wot-thing-description11/')).toBe(true);
    expect(isExternalLinkAllowed('https://example.org')).toBe(false);
    expect(isExternalLinkAllowed('https://github.com.evil.example/')).toBe(false);
    expect(isExternalLinkAllowed('https://user:pw@github.com/')).toBe(false);
    expect(isExternalLinkAllowed('https://github.com:8443/')).toBe(false);
    expect(isExternalLinkAllowed('http://github.com/')).toBe(false);
    expect(isExternalLinkAllowed('smb://share')).toBe(false);
    expect(isAppUrl(APP_START_URL)).toBe(true);
  });

  it('restores a remembered position only while it is on a display', () => {
    const saved = { bounds: { x: 100, y: 80, width: 1200, height: 800 }, maximized: false };
    expect(restoreBounds(saved, [{ x: 0, y: 0, width: 1920, height: 1080 }])).toEqual(saved.bounds);
    expect(
      restoreBounds({ ...saved, bounds: { ...saved.bounds, x: 4000 } }, [
        { x: 0, y: 0, width: 1920, height: 1080 },
      ]),
    ).toEqual({
      width: 1200,
      height: 800,
    });
    expect(restoreBounds(undefined, [])).toEqual({ width: 1360, height: 860 });
  });

  it('has an application menu built from the standard roles', () => {
    const roles = menuTemplate('linux', () => {}).map((item) => item.role);
    expect(roles).toEqual(['fileMenu', 'editMenu', 'viewMenu', 'windowMenu', 'help']);
    expect(menuTemplate('darwin', () => {})[0].role).toBe('appMenu');
  });

  it('serves app:// files only from inside the renderer folder', () => {
    expect(resolveAppFile('/r', 'app://fieldgraph/assets/a.js')).toEqual({
      file: '/r/assets/a.js',
      type: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppFile('/r', 'app://fieldgraph/flows/abc')).toMatchObject({ file: '/r/index.html' });
    // `..` is clamped at the renderer folder: whatever the path, the file stays inside it.
    for (const url of ['app://fieldgraph/..%2f..%2fetc/passwd.txt', 'app://fieldgraph/%2e%2e/%2e%2e/x.js']) {
      expect(resolveAppFile('/r', url)?.file).toMatch(/^\/r\//);
    }
    expect(resolveAppFile('/r', 'app://fieldgraph/%E0%A4%A')).toBeNull();
  });
});

describe('electron/ stays loadable without the Electron binary', () => {
  it('imports electron at runtime only from the two entry files', () => {
    const offenders: string[] = [];
    for (const dir of ['electron/main', 'electron/preload']) {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
        const text = readFileSync(join(dir, file), 'utf8');
        if (/^import\s+(?!type\b)[^;]*from\s+'electron'/m.test(text)) offenders.push(`${dir}/${file}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
