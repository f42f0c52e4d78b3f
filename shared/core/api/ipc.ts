/**
 * Channel names of the Electron transport, derived from the contract so no UI or shell code
 * writes one by hand. Both ends (electron/main and electron/preload) import these.
 */

/** The ipcMain.handle channel of one method. */
export const methodChannel = (method: string): string => `fieldgraph:call:${method}`;

/** The channel main uses to push one event to the renderer. */
export const eventChannel = (event: string): string => `fieldgraph:event:${event}`;
