import { resolve } from 'node:path';
import { loadLibrary } from '../library/load';
import type { Logger } from '../log';
import { openProjectFolder } from '../project/open';
import type { FlowSet } from './runner';

/**
 * Reads a project folder (`fieldgraph.json`, `flows/`, `models/`, `sites/`) through the one
 * project reader as a FlowSet, with the built-in library's device models behind the project's
 * own (a project model with the same id wins). A damaged file costs its own flow or model and
 * is logged with its fix; a folder that is not a project fails with `gateway.project_unreadable`.
 */
export const loadProjectFlowSet = async (projectDir: string, log: Logger): Promise<FlowSet> => {
  const { root, project } = await openProjectFolder(resolve(projectDir), {
    code: 'gateway.project_unreadable',
  });
  for (const problem of project.fileProblems) {
    log.warn('skipping a project file that cannot be read', {
      path: problem.path,
      error: problem.message,
      ...(problem.hint ? { fix: problem.hint } : {}),
    });
  }
  const models = new Map<string, unknown>();
  for (const model of (await loadLibrary()).models) models.set(model.id, model);
  for (const [id, model] of Object.entries(project.documents.models)) models.set(id, model);
  return {
    source: { kind: 'project', dir: root },
    flows: Object.values(project.documents.flows),
    roles: Array.isArray(project.meta.roles) ? project.meta.roles : [],
    models: [...models.values()],
    sites: Object.values(project.documents.sites),
  };
};
