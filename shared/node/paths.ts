import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const findPackageRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'fieldgraph')
          return dir;
      } catch {
        // an unreadable package.json on the way up is not ours; keep climbing
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the fieldgraph package root above ' + import.meta.url);
    dir = parent;
  }
};

/** The folder holding fieldgraph's package.json, from source or from dist/. */
export const packageRoot = findPackageRoot();

/** Fieldgraph's version, from package.json. */
export const appVersion: string = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;

/** Built-in resources: library, schemas, samples. */
export const resourcesDir = join(packageRoot, 'resources');

/** The built renderer served by the web app and loaded by Electron. */
export const rendererDir = join(packageRoot, 'dist', 'renderer');

/**
 * Where Fieldgraph keeps per-user state (recent projects, window state, secrets file):
 * FIELDGRAPH_DATA_DIR when set (tests use it), else the XDG config folder.
 */
export const defaultDataDir = (): string => {
  if (process.env.FIELDGRAPH_DATA_DIR) return resolve(process.env.FIELDGRAPH_DATA_DIR);
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'fieldgraph');
};
