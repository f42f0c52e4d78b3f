/**
 * A small fake of the parts of the `electron` module the shell wires, because the Electron
 * binary cannot run on these machines (docs/testing.md). It models what the real objects do at
 * the boundary: handlers keyed by channel, invoke going through the handler with an event
 * that carries the sender frame, contextBridge exposing an object, events to listeners.
 */
import type { IpcMainInvokeEvent } from 'electron';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

/** The sender frame of a call: its URL and whether it is the top frame. */
export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

/** Fake ipcMain: one handler per channel, like the real one (a second handle() throws). */
export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke does: calls the handler, rejects when there is none. */
  async invoke(frame: FakeFrame | null, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    // Electron structured-clones arguments and results across the process boundary.
    const cloned = structuredClone(args);
    const event = { senderFrame: frame } as unknown as IpcMainInvokeEvent;
    return structuredClone(await handler(event, ...cloned));
  }
}

/** Fake ipcRenderer bound to one frame of one window. */
export class FakeIpcRenderer {
  private readonly listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  constructor(
    private readonly main: FakeIpcMain,
    public frame: FakeFrame | null,
  ) {}
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    return this.main.invoke(this.frame, channel, ...args);
  }
  on(channel: string, listener: (...args: unknown[]) => void): this {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    return this;
  }
  removeListener(channel: string, listener: (...args: unknown[]) => void): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  /** What webContents.send does on the main side: the listener gets (event, payload). */
  deliver(channel: string, payload: unknown): void {
    for (const listener of this.listeners.get(channel) ?? [])
      listener({ sender: 'ipc-event' }, structuredClone(payload));
  }
  listenerCount(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }
}

/** Fake contextBridge: records what the preload exposes. */
export class FakeContextBridge {
  readonly exposed = new Map<string, unknown>();
  exposeInMainWorld(key: string, api: unknown): void {
    if (this.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property: ${key}`);
    this.exposed.set(key, api);
  }
}

/** Fake webContents for the navigation guards. */
export class FakeWebContents {
  readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly sent: { channel: string; payload: unknown }[] = [];
  destroyed = false;
  on(event: string, listener: (...args: unknown[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
  /** Emits a cancellable event; returns whether a listener prevented it. */
  emitCancellable(event: string, ...args: unknown[]): boolean {
    let prevented = false;
    const e = { preventDefault: () => (prevented = true) };
    for (const listener of this.listeners.get(event) ?? []) listener(e, ...args);
    return prevented;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
}

/** Fake BrowserWindow: records its options and lifecycle calls. */
export class FakeBrowserWindow {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly events = new Map<string, (() => void)[]>();
  loadedUrl: string | null = null;
  maximized = false;
  constructor(readonly options: Record<string, unknown>) {
    FakeBrowserWindow.created.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  on(event: string, listener: () => void): this {
    this.events.set(event, [...(this.events.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: () => void): this {
    return this.on(event, listener);
  }
  emit(event: string): void {
    for (const listener of this.events.get(event) ?? []) listener();
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isDestroyed(): boolean {
    return false;
  }
  getNormalBounds() {
    return { x: 10, y: 20, width: 1000, height: 700 };
  }
  show(): void {}
}
