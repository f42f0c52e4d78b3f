import { buildApiClient } from '../../../shared/core/api/client';
import type { EventName, FieldgraphApi } from '../../../shared/core/api';
import type { WireCall, WireEvent, WireResult } from '../../../shared/core/api/wire';
import { fail, type Result } from '../../../shared/core/result';

/** The part of the WebSocket interface the client uses (browser WebSocket, or `ws` in tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

/** Connection states the UI can show. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Options of the WebSocket client. */
export interface WsClientOptions {
  url: string;
  createSocket?: (url: string) => WebSocketLike;
  /** Milliseconds before a call without answer resolves to `api.timeout`. */
  callTimeoutMs?: number;
  /** Longest pause between reconnect attempts. */
  maxBackoffMs?: number;
}

/** The API over the web app's WebSocket, with reconnect; same interface as the IPC transport. */
export interface WsApiClient {
  readonly api: FieldgraphApi;
  onState(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

interface Pending {
  resolve: (result: Result<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Connects to `/api`. Calls made while disconnected wait for the connection; calls in flight
 * when it drops resolve to `api.disconnected` (never hang), and the client reconnects with
 * exponential backoff.
 */
export const createWsClient = (options: WsClientOptions): WsApiClient => {
  const createSocket =
    options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as WebSocketLike);
  const callTimeoutMs = options.callTimeoutMs ?? 120_000;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const pending = new Map<number, Pending>();
  const queue: WireCall[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let socket: WebSocketLike | null = null;
  let nextId = 1;
  let backoff = 250;
  let closed = false;
  let state: ConnectionState = 'connecting';
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const setState = (next: ConnectionState) => {
    state = next;
    for (const listener of stateListeners) listener(next);
  };

  const settle = (id: number, result: Result<unknown>) => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(result);
  };

  const connect = () => {
    const ws = createSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      backoff = 250;
      setState('open');
      for (const call of queue.splice(0)) ws.send(JSON.stringify(call));
    };
    ws.onmessage = (event) => {
      let message: WireResult | WireEvent;
      try {
        message = JSON.parse(String(event.data)) as WireResult | WireEvent;
      } catch {
        return;
      }
      if (message.t === 'result') settle(message.id, message.result as Result<unknown>);
      else if (message.t === 'event') {
        for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
      }
    };
    ws.onerror = () => {};
    ws.onclose = () => {
      socket = null;
      for (const id of [...pending.keys()]) {
        settle(
          id,
          fail('api.disconnected', 'The connection to Fieldgraph dropped; try again once it is back.'),
        );
      }
      if (closed) {
        setState('closed');
        return;
      }
      setState('reconnecting');
      retryTimer = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, maxBackoffMs);
    };
  };

  const call = (method: string, args: unknown): Promise<Result<unknown>> => {
    if (closed) return Promise.resolve(fail('api.disconnected', 'The client was closed.'));
    const id = nextId++;
    const wire: WireCall = { t: 'call', id, method, args };
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => settle(id, fail('api.timeout', `${method} did not answer within ${callTimeoutMs / 1000} s.`)),
        callTimeoutMs,
      );
      pending.set(id, { resolve, timer });
      if (socket && state === 'open') socket.send(JSON.stringify(wire));
      else queue.push(wire);
    });
  };

  const subscribe = (event: EventName, listener: (payload: unknown) => void) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(listener);
    return () => set.delete(listener);
  };

  connect();
  return {
    api: buildApiClient(call, subscribe),
    onState(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => stateListeners.delete(listener);
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      socket?.close();
    },
  };
};
