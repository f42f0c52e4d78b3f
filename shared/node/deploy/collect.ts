/**
 * What goes into a site's package: fieldgraph.json, every flow and device model, and the one
 * site file (devices and role bindings) — the project-folder layout, so an installed version
 * is itself a project folder the gateway can load. Read through the one project reader, so a
 * package holds exactly the files that open, as they are on disk.
 */
import { FieldgraphError } from '../../core/errors';
import { NODE_RED_PLACEHOLDER, placeholderMessage } from '../../core/flow/catalog';
import { PROJECT_FILE, type JsonObject } from '../../core/project';
import { openProjectFolder } from '../project/open';

/** The package payload of `site` in the project at `dir`, and the project's id. */
export const collectSiteFiles = async (
  dir: string,
  site: string,
): Promise<{ projectId: string; files: Record<string, Uint8Array> }> => {
  const { project, texts } = await openProjectFolder(dir, { code: 'package.invalid_input' });
  if (!Object.hasOwn(project.documents.sites, site)) {
    const known = Object.keys(project.documents.sites).sort();
    throw new FieldgraphError(
      'package.invalid_input',
      `The project has no site "${site}". ${known.length ? `Sites: ${known.join(', ')}.` : 'Add a site to the project first.'}`,
    );
  }
  const siteFile = `sites/${site}.json`;
  const packed = (path: string) => path === siteFile || /^(flows|models)\//.test(path);
  // A file that did not open would be missing from the package, and its flow from the gateway.
  const damaged = project.fileProblems.find((p) => p.severity === 'error' && packed(p.path));
  if (damaged) {
    throw new FieldgraphError(
      'package.invalid_input',
      `${damaged.path}: ${damaged.message} ${damaged.hint ?? 'Fix the file'}; then pack again.`,
      { problems: [damaged] },
    );
  }
  for (const [id, flow] of Object.entries(project.documents.flows))
    refusePlaceholders(`flows/${id}.json`, flow);
  const encoder = new TextEncoder();
  const files: Record<string, Uint8Array> = {};
  // The same order as before the reader was shared: fieldgraph.json, the site, flows, models.
  for (const path of [
    PROJECT_FILE,
    siteFile,
    ...[...texts.keys()].filter((p) => p !== siteFile && packed(p)),
  ])
    files[path] = encoder.encode(texts.get(path)!);
  const id = project.meta.id;
  const projectId = typeof id === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(id) ? id : 'project';
  return { projectId, files };
};

// A flow still holding a Node-RED placeholder would fail on the gateway; say so before packing.
const refusePlaceholders = (file: string, flow: JsonObject): void => {
  const nodes = Array.isArray(flow.nodes) ? flow.nodes : [];
  const left = nodes.filter((n): n is JsonObject => isObject(n) && n.kind === NODE_RED_PLACEHOLDER);
  if (left.length === 0) return;
  throw new FieldgraphError(
    'package.invalid_input',
    `${file} still has ${left.length} Node-RED ${left.length === 1 ? 'node' : 'nodes'} that did not convert (${left
      .slice(0, 3)
      .map((n) => placeholderMessage(isObject(n.config) ? n.config : {}))
      .join(
        ' ',
      )}). Rebuild ${left.length === 1 ? 'it' : 'them'} with Fieldgraph nodes and delete the placeholders, then deploy again.`,
  );
};

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Site ids of the project at `dir`, sorted; `project.not_found` when it is not a project folder. */
export const listSites = async (dir: string): Promise<string[]> =>
  Object.keys((await openProjectFolder(dir)).project.documents.sites).sort();
