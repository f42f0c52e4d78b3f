import type { MenuItemConstructorOptions } from 'electron';

/** The application menu: the usual roles, so copy/paste, zoom and window keys work everywhere. */
export const menuTemplate = (
  platform: NodeJS.Platform,
  openDocs: () => void,
): MenuItemConstructorOptions[] => [
  ...(platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
  { role: 'fileMenu' },
  { role: 'editMenu' },
  { role: 'viewMenu' },
  { role: 'windowMenu' },
  {
    role: 'help',
    submenu: [{ label: 'Fieldgraph documentation', click: openDocs }],
  },
];
