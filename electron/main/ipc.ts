import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { methodList, type EventName } from '../../shared/core/api';
import type { Dispatch } from '../../shared/core/api/dispatch';
import type { EventHub } from '../../shared/core/api/events';
import { eventChannel, methodChannel } from '../../shared/core/api/ipc';
import { fail, type Result } from '../../shared/core/result';
import { isAppUrl } from './app-url';

/**
 * True when the call comes from the app's own page in a top-level frame. A sub-frame, a
 * navigated-away page or any other origin is refused, whatever it sends.
 */
export const isTrustedSender = (event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean => {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
};

/**
 * Registers one `ipcMain.handle` per contract method. Each handler checks the sender, then
 * dispatches (which validates arguments) and always resolves to a Result — it never throws,
 * because Electron keeps only `message` of an error thrown through `handle`.
 * Returns a function that removes the handlers.
 */
export const registerIpc = (
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  dispatch: Dispatch,
  onRefused?: (method: string, url: string | undefined) => void,
): (() => void) => {
  for (const { name } of methodList) {
    ipcMain.handle(methodChannel(name), async (event, args: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        onRefused?.(name, event.senderFrame?.url);
        return fail('api.forbidden', 'This frame may not call the Fieldgraph API.');
      }
      try {
        return await dispatch(name, args, { transport: 'ipc' });
      } catch {
        return fail('internal', `${name} failed unexpectedly; the log has the details.`);
      }
    });
  }
  return () => {
    for (const { name } of methodList) ipcMain.removeHandler(methodChannel(name));
  };
};

/** Something events can be sent to: a window's webContents. */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

/** Forwards every hub event to the app's windows, payload only. Returns the unsubscribe. */
export const forwardEvents = (hub: EventHub, targets: () => Iterable<EventTarget>): (() => void) =>
  hub.subscribe((event: EventName, payload) => {
    for (const target of targets()) {
      if (!target.isDestroyed()) target.send(eventChannel(event), payload);
    }
  });
