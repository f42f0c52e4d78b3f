import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FieldgraphError } from '../../core/errors';
import type { Logger } from '../log';
import { resourcesDir } from '../paths';
import type { FlowSet } from './runner';

// Same limit as the project store: a bigger file is refused, never read into memory.
const MAX_FILE_BYTES = 8 * 1024 * 1024;

const readJsonFolder = (dir: string, log: Logger): Record<string, unknown>[] => {
  if (!existsSync(dir)) return [];
  const out: Record<string, unknown>[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const path = join(dir, name);
    try {
      if (statSync(path).size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error('not a JSON object');
      out.push(value as Record<string, unknown>);
    } catch (error) {
      // One damaged file costs its own flow or model, not the whole gateway.
      log.warn('skipping a project file that cannot be read', { path, error: (error as Error).message });
    }
  }
  return out;
};

/**
 * Reads a project folder (`fieldgraph.json`, `flows/`, `models/`, `sites/`) as a FlowSet, with
 * the built-in library's device models behind the project's own (a project model with the same
 * id wins). Fails with `gateway.project_unreadable` when the folder is not a project.
 */
export const loadProjectFlowSet = (projectDir: string, log: Logger): FlowSet => {
  const dir = resolve(projectDir);
  const projectFile = join(dir, 'fieldgraph.json');
  if (!existsSync(projectFile)) {
    throw new FieldgraphError(
      'gateway.project_unreadable',
      `${dir} is not a Fieldgraph project: it has no fieldgraph.json. Pass the project folder with --project.`,
    );
  }
  let project: { roles?: unknown };
  try {
    project = JSON.parse(readFileSync(projectFile, 'utf8')) as { roles?: unknown };
  } catch (error) {
    throw new FieldgraphError(
      'gateway.project_unreadable',
      `${projectFile} is not valid JSON (${(error as Error).message}). Fix or restore the file.`,
    );
  }
  const builtIn = readJsonFolder(join(resourcesDir, 'library', 'models'), log);
  const own = readJsonFolder(join(dir, 'models'), log);
  const models = new Map<string, Record<string, unknown>>();
  for (const model of [...builtIn, ...own]) models.set(String(model.id), model);
  return {
    source: { kind: 'project', dir },
    flows: readJsonFolder(join(dir, 'flows'), log),
    roles: Array.isArray(project.roles) ? project.roles : [],
    models: [...models.values()],
    sites: readJsonFolder(join(dir, 'sites'), log),
  };
};
