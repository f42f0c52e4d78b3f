import type { Result } from '../result';
import { eventNames, methodList, type EventName, type FieldgraphApi } from './index';

/** Sends one call over some transport and resolves to its Result. */
export type CallFn = (method: string, args: unknown) => Promise<Result<unknown>>;
/** Subscribes to one event over some transport; returns the unsubscribe function. */
export type SubscribeFn = (event: EventName, listener: (payload: unknown) => void) => () => void;

/**
 * Builds the UI-side API object (one function per method, one subscribe function per event)
 * over any transport. The preload, the WebSocket client and the tests all use it.
 */
export const buildApiClient = (call: CallFn, subscribe: SubscribeFn): FieldgraphApi => {
  const areas: Record<string, Record<string, (args: unknown) => Promise<Result<unknown>>>> = {};
  for (const { name, area, verb } of methodList) {
    areas[area] ??= {};
    areas[area][verb] = (args: unknown) => call(name, args ?? {});
  }
  const events: Record<string, (listener: (payload: unknown) => void) => () => void> = {};
  for (const event of eventNames) {
    events[event] = (listener) => subscribe(event, listener);
  }
  return { ...areas, events } as unknown as FieldgraphApi;
};
