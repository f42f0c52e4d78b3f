/**
 * What goes into a site's package: fieldgraph.json, every flow and device model, and the one
 * site file (devices and role bindings) — the project-folder layout, so an installed version
 * is itself a project folder the gateway can load.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FieldgraphError } from '../../core/errors';
import { NODE_RED_PLACEHOLDER, placeholderMessage } from '../../core/flow/catalog';

/** The package payload of `site` in the project at `dir`, and the project's id. */
export const collectSiteFiles = (
  dir: string,
  site: string,
): { projectId: string; files: Record<string, Uint8Array> } => {
  const projectFile = join(dir, 'fieldgraph.json');
  if (!existsSync(projectFile)) {
    throw new FieldgraphError(
      'package.invalid_input',
      `${dir} is not a Fieldgraph project folder (no fieldgraph.json). Give the project folder.`,
    );
  }
  const siteFile = join(dir, 'sites', `${site}.json`);
  if (!existsSync(siteFile)) {
    const known = existsSync(join(dir, 'sites'))
      ? readdirSync(join(dir, 'sites'))
          .filter((n) => n.endsWith('.json'))
          .map((n) => n.slice(0, -5))
      : [];
    throw new FieldgraphError(
      'package.invalid_input',
      `The project has no site "${site}". ${known.length ? `Sites: ${known.sort().join(', ')}.` : 'Add a site to the project first.'}`,
    );
  }
  const files: Record<string, Uint8Array> = {
    'fieldgraph.json': readFileSync(projectFile),
    [`sites/${site}.json`]: readFileSync(siteFile),
  };
  for (const kind of ['flows', 'models']) {
    const sub = join(dir, kind);
    if (!existsSync(sub)) continue;
    for (const name of readdirSync(sub).sort()) {
      if (name.startsWith('.') || !name.endsWith('.json')) continue;
      files[`${kind}/${name}`] = readFileSync(join(sub, name));
      if (kind === 'flows') refusePlaceholders(name, files[`flows/${name}`]!);
    }
  }
  let projectId = 'project';
  try {
    const meta = JSON.parse(readFileSync(projectFile, 'utf8')) as { id?: unknown };
    if (typeof meta.id === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(meta.id)) projectId = meta.id;
  } catch {
    throw new FieldgraphError(
      'package.invalid_input',
      `${projectFile} is not valid JSON; fix it before packing.`,
    );
  }
  return { projectId, files };
};

// A flow still holding a Node-RED placeholder would fail on the gateway; say so before packing.
const refusePlaceholders = (name: string, data: Uint8Array): void => {
  let flow: { nodes?: { id?: unknown; kind?: unknown; config?: Record<string, unknown> }[] };
  try {
    flow = JSON.parse(Buffer.from(data).toString('utf8')) as typeof flow;
  } catch {
    return;
  }
  const left = (Array.isArray(flow.nodes) ? flow.nodes : []).filter((n) => n?.kind === NODE_RED_PLACEHOLDER);
  if (left.length === 0) return;
  throw new FieldgraphError(
    'package.invalid_input',
    `flows/${name} still has ${left.length} Node-RED ${left.length === 1 ? 'node' : 'nodes'} that did not convert (${left
      .slice(0, 3)
      .map((n) => placeholderMessage(n.config ?? {}))
      .join(
        ' ',
      )}). Rebuild ${left.length === 1 ? 'it' : 'them'} with Fieldgraph nodes and delete the placeholders, then deploy again.`,
  );
};

/** Site ids of the project at `dir`, sorted; `project.not_found` when it is not a project folder. */
export const listSites = (dir: string): string[] => {
  if (!existsSync(join(dir, 'fieldgraph.json'))) {
    throw new FieldgraphError(
      'project.not_found',
      `${dir} is not a Fieldgraph project folder (no fieldgraph.json).`,
    );
  }
  const sites = join(dir, 'sites');
  return existsSync(sites)
    ? readdirSync(sites)
        .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
        .map((n) => n.slice(0, -5))
        .sort()
    : [];
};
