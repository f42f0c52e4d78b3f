import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { EventName, FieldgraphApi, FieldgraphServices } from '../../shared/core/api';
import { createDispatcher } from '../../shared/core/api/dispatch';
import { createEventHub, type EventHub } from '../../shared/core/api/events';
import { FieldgraphError } from '../../shared/core/errors';
import { forwardEvents, registerIpc } from '../../electron/main/ipc';
import { exposeApi } from '../../electron/preload/expose';
import { silentLogger } from '../../shared/node/log';
import { rendererDir } from '../../shared/node/paths';
import { createServices } from '../../shared/node/services';
import { startWebServer, type WebServer } from '../../shared/node/web/server';
import { createWsClient, type WebSocketLike } from '../../renderer/src/api/ws-client';
import { FakeContextBridge, FakeIpcMain, FakeIpcRenderer, type FakeFrame } from './fake-electron';

/** One API transport, set up end to end around the real services and dispatcher. */
export interface TransportHarness {
  readonly api: FieldgraphApi;
  emit(event: EventName, payload: unknown): void;
  close(): Promise<void>;
}

/**
 * The real services, with `app.ping` taught two failure modes so the suite can check how
 * errors cross each transport: echo "coded" throws a catalogued error, "crash" a plain one.
 */
const testServices = (hub: EventHub, dataDir: string): FieldgraphServices => {
  const services = createServices({ runtime: 'web', dataDir, hub, log: silentLogger });
  return {
    ...services,
    app: {
      ...services.app,
      ping: (args, context) => {
        if (args.echo === 'coded')
          throw new FieldgraphError('not_implemented', 'Ping is not implemented today.');
        if (args.echo === 'crash') throw new Error('secret internals /etc/shadow');
        return services.app.ping(args, context);
      },
    },
  };
};

const core = () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fg-contract-'));
  const hub = createEventHub();
  const dispatch = createDispatcher(testServices(hub, dataDir), { checkResults: true });
  return { dataDir, hub, dispatch };
};

/** The web app's transport: the real server on 127.0.0.1 and the real browser client. */
export const webSocketHarness = async (): Promise<TransportHarness & { server: WebServer }> => {
  const { dataDir, hub, dispatch } = core();
  const server = await startWebServer({ dispatch, hub, log: silentLogger, rendererDir, port: 0 });
  const origin = `http://127.0.0.1:${server.port}`;
  const client = createWsClient({
    url: `ws://127.0.0.1:${server.port}/api?token=${server.token}`,
    createSocket: (url) => new WebSocket(url, { origin }) as unknown as WebSocketLike,
  });
  return {
    api: client.api,
    server,
    emit: (event, payload) => hub.emit(event, payload),
    async close() {
      client.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/** The app's own top frame. */
export const appFrame: FakeFrame = { url: 'app://fieldgraph/index.html', parent: null };

/** The desktop transport: main's IPC handlers and the preload, joined by the fake electron. */
export const ipcHarness = async (
  frame: FakeFrame = appFrame,
): Promise<
  TransportHarness & { ipcMain: FakeIpcMain; ipcRenderer: FakeIpcRenderer; bridge: FakeContextBridge }
> => {
  const { dataDir, hub, dispatch } = core();
  const ipcMain = new FakeIpcMain();
  const ipcRenderer = new FakeIpcRenderer(ipcMain, frame);
  const bridge = new FakeContextBridge();
  const unregister = registerIpc(ipcMain, dispatch);
  const stopEvents = forwardEvents(hub, () => [
    { isDestroyed: () => false, send: (channel, payload) => ipcRenderer.deliver(channel, payload) },
  ]);
  exposeApi(bridge, ipcRenderer as unknown as Parameters<typeof exposeApi>[1]);
  return {
    api: bridge.exposed.get('fieldgraph') as FieldgraphApi,
    ipcMain,
    ipcRenderer,
    bridge,
    emit: (event, payload) => hub.emit(event, payload),
    async close() {
      stopEvents();
      unregister();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
