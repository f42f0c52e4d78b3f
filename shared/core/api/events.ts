import type { EventName } from './index';

/** A listener for every event, with its name. */
export type EventListener = (event: EventName, payload: unknown) => void;

/** Where services publish events and transports pick them up. */
export interface EventHub {
  emit(event: EventName, payload: unknown): void;
  subscribe(listener: EventListener): () => void;
}

/** An in-process hub; a throwing listener is isolated from the others. */
export const createEventHub = (onListenerError?: (error: unknown) => void): EventHub => {
  const listeners = new Set<EventListener>();
  return {
    emit(event, payload) {
      for (const listener of [...listeners]) {
        try {
          listener(event, payload);
        } catch (error) {
          onListenerError?.(error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};
