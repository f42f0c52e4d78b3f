/** Secret stores: the interface and the encrypted-file implementation (Electron's lives in electron/main). */
export * from './encrypted-file';
export * from './secret-store';
export * from './unlockable';
