// Bundled as one CommonJS file (dist/electron/preload.cjs) so it runs in a sandboxed renderer.
import { contextBridge, ipcRenderer } from 'electron';
import { exposeApi } from './expose';

exposeApi(contextBridge, ipcRenderer);
