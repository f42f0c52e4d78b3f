import type { ContextBridge, IpcRenderer } from 'electron';
import { buildApiClient } from '../../shared/core/api/client';
import { eventChannel, methodChannel } from '../../shared/core/api/ipc';
import { fail, type Result } from '../../shared/core/api';

/**
 * Puts the API on `window.fieldgraph`: exactly one function per contract method and one
 * subscribe function per event — never `ipcRenderer` itself, never a generic invoke.
 * Event listeners receive the payload only, not the IPC event.
 */
export const exposeApi = (
  contextBridge: Pick<ContextBridge, 'exposeInMainWorld'>,
  ipcRenderer: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>,
): void => {
  const api = buildApiClient(
    (method, args) =>
      (ipcRenderer.invoke(methodChannel(method), args) as Promise<Result<unknown>>).catch(() =>
        fail('api.disconnected', 'The desktop app did not answer the call.'),
      ),
    (event, listener) => {
      const channel = eventChannel(event);
      const handler = (_event: unknown, payload: unknown) => listener(payload);
      ipcRenderer.on(channel, handler);
      return () => {
        ipcRenderer.removeListener(channel, handler);
      };
    },
  );
  contextBridge.exposeInMainWorld('fieldgraph', api);
};
