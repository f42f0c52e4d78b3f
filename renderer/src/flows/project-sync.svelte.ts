/**
 * Keeps the editor and the open project in step. Edited flows go to the project as documents
 * (project.putDocument, written by project.save) and its roles into fieldgraph.json
 * (project.setRoles); which device fills each role is a per-site binding, written into the
 * selected site's `sites/<id>.json` (see sites.svelte.ts). Opening a project lists and loads its
 * flows, roles, models and the selected site.
 */
import type { Design, Flow, Role } from '../canvas/types';
import { api } from '../api';
import { projectState, saveProject, watchProject } from '../project/project-state.svelte';
import { fromFlowDocument, toFlowDocument } from './documents';
import { editor } from './session.svelte';
import { clearProjectModels, loadProjectModels } from './project-models.svelte';
import { clearSites, createSite, loadSites, openSite, pushSite, settleSite } from './sites.svelte';

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;

/** The roles of fieldgraph.json, as the editor's roles (bound later, per site). */
const rolesOf = (meta: unknown): Role[] => {
  const raw = (meta as { roles?: unknown } | null)?.roles;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter(
      (
        r,
      ): r is {
        id: string;
        capability: string;
        title?: unknown;
        description?: unknown;
        alsoRequires?: unknown;
      } => typeof r?.id === 'string' && typeof r?.capability === 'string',
    )
    .map((r) => ({
      id: r.id,
      capability: r.capability,
      ...(typeof r.title === 'string' ? { title: r.title } : {}),
      ...(typeof r.description === 'string' ? { description: r.description } : {}),
      ...(strings(r.alsoRequires)?.length ? { alsoRequires: strings(r.alsoRequires) } : {}),
    }));
};

/** The roles as the project keeps them: without the site-specific device binding. */
const projectRoles = (roles: readonly Role[]) =>
  roles.map((r) => ({
    id: r.id,
    capability: r.capability,
    ...(r.title ? { title: r.title } : {}),
    ...(r.description ? { description: r.description } : {}),
    ...(r.alsoRequires?.length ? { alsoRequires: [...r.alsoRequires] } : {}),
  }));

/** Sync state: which project is loaded and the flow objects last written to it. */
export const sync = $state({ path: null as string | null, loading: false, error: null as string | null });
let written = new Map<string, Flow>();
let writtenRoles = '';
let timer: ReturnType<typeof setTimeout> | undefined;

const load = async (path: string) => {
  sync.loading = true;
  sync.error = null;
  const [ids, meta] = await Promise.all([
    api.project.listDocuments({ kind: 'flows' }),
    api.project.getMeta({}),
  ]);
  if (!ids.ok || !meta.ok) {
    sync.error = (!ids.ok ? ids.error : !meta.ok ? meta.error : null)?.message ?? null;
    sync.loading = false;
    return;
  }
  const unbound = rolesOf(meta.value);
  await loadProjectModels();
  const site = await loadSites(
    path,
    unbound.map((r) => r.id),
  );
  const flows: Flow[] = [];
  for (const id of ids.value) {
    const r = await api.project.getDocument({ kind: 'flows', id });
    const flow = r.ok ? fromFlowDocument(r.value) : null;
    if (flow) flows.push(flow);
  }
  const design: Design = {
    flows: flows.length > 0 ? flows : [{ id: 'flow-1', name: 'Flow 1', nodes: [], edges: [], groups: [] }],
    roles: unbound,
  };
  written = new Map(flows.map((f) => [f.id, f]));
  writtenRoles = JSON.stringify(projectRoles(unbound));
  editor.load(design);
  editor.loadSite(site.devices, site.bindings);
  settleSite(editor.design);
  sync.path = path;
  sync.loading = false;
};

/** Sends changed flows to the project (in memory there; files are written on save). */
const push = async () => {
  const path = sync.path;
  if (!path || projectState.summary?.readOnly) return;
  const { flows, roles } = editor.design;
  const next = new Map(flows.map((f) => [f.id, f]));
  for (const flow of flows) {
    if (written.get(flow.id) === flow) continue;
    const r = await api.project.putDocument({ kind: 'flows', id: flow.id, document: toFlowDocument(flow) });
    if (!r.ok) {
      sync.error = r.error.message;
      return;
    }
  }
  for (const id of written.keys()) {
    if (!next.has(id)) await api.project.deleteDocument({ kind: 'flows', id });
  }
  written = next;
  const nextRoles = JSON.stringify(projectRoles(roles));
  if (nextRoles !== writtenRoles) {
    const r = await api.project.setRoles({ roles: projectRoles(roles) });
    if (!r.ok) {
      sync.error = r.error.message;
      return;
    }
    writtenRoles = nextRoles;
  }
  const siteError = await pushSite(editor.design);
  if (siteError) {
    sync.error = siteError;
    return;
  }
  sync.error = null;
};

let following = false;

/** Follows the open project (once per window): loads its flows when one opens, pushes edits as they happen. */
export const followProject = (): void => {
  if (following) return;
  following = true;
  watchProject();
  $effect.root(() => {
    $effect(() => {
      const path = projectState.summary?.path ?? null;
      if (path && path !== sync.path) void load(path);
      if (!path && sync.path) {
        sync.path = null;
        clearSites();
        clearProjectModels();
      }
    });
    $effect(() => {
      void editor.design;
      if (!sync.path || sync.loading) return;
      clearTimeout(timer);
      timer = setTimeout(() => void push(), 200);
    });
  });
};

/** Pushes pending edits, then saves the project. */
export const saveFlows = async (): Promise<boolean> => {
  clearTimeout(timer);
  await push();
  return saveProject();
};

/** Switches binding to another site of the project (edits to the current one are sent first). */
export const selectSite = async (id: string): Promise<void> => {
  clearTimeout(timer);
  await push();
  const site = await openSite(
    id,
    editor.design.roles.map((r) => r.id),
  );
  if (!site) return;
  editor.loadSite(site.devices, site.bindings);
  settleSite(editor.design);
};

/** Adds a new site to the project and binds against it. */
export const newSite = async (name: string): Promise<void> => {
  clearTimeout(timer);
  await push();
  const site = await createSite(
    name,
    editor.design.roles.map((r) => r.id),
  );
  if (!site) return;
  editor.loadSite(site.devices, site.bindings);
  settleSite(editor.design);
};
