/**
 * The only way UI code reaches the services. Inside Electron the preload has put the API on
 * `window.fieldgraph`; in a browser (`fieldgraph web`) the WebSocket client provides it.
 */
import type { FieldgraphApi } from '../../../shared/core/api';
import { createWsClient, type ConnectionState } from './ws-client';

declare global {
  interface Window {
    fieldgraph?: FieldgraphApi;
  }
}

const pick = (): { api: FieldgraphApi; onState: (l: (s: ConnectionState) => void) => () => void } => {
  if (window.fieldgraph) {
    return {
      api: window.fieldgraph,
      onState: (listener) => {
        listener('open');
        return () => {};
      },
    };
  }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = createWsClient({ url: `${scheme}//${location.host}/api` });
  return { api: client.api, onState: client.onState };
};

const transport = pick();

/** The API, over whichever transport this window has. */
export const api: FieldgraphApi = transport.api;

/** Connection state changes (always "open" inside Electron). */
export const onConnectionState = transport.onState;

export type { ConnectionState };
