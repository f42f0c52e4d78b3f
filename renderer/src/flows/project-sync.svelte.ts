/**
 * Keeps the editor and the open project in step. Edited flows go to the project as documents
 * (project.putDocument, written by project.save) and its roles into fieldgraph.json
 * (project.setRoles); opening a project lists and loads its flows and roles.
 *
 * Which discovered device fills each role is a per-site binding, not part of the design; until
 * the canvas writes site files, those bindings are remembered in this browser's localStorage
 * per project folder.
 */
import type { Design, Flow, Role } from '../canvas/types';
import { api } from '../api';
import { projectState, saveProject, watchProject } from '../project/project-state.svelte';
import { fromFlowDocument, toFlowDocument } from './documents';
import { editor } from './session.svelte';

const bindingsKey = (path: string) => `fieldgraph.flows.bindings:${path}`;

/** Role id → device id, as last bound in this browser for the project at `path`. */
const readBindings = (path: string): Record<string, string> => {
  try {
    const v = JSON.parse(localStorage.getItem(bindingsKey(path)) ?? 'null') as unknown;
    if (!v || typeof v !== 'object') return {};
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    );
  } catch {
    return {};
  }
};

/** The roles of fieldgraph.json, as the editor's roles with this browser's bindings. */
const rolesOf = (meta: unknown, bindings: Record<string, string>): Role[] => {
  const raw = (meta as { roles?: unknown } | null)?.roles;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter(
      (r): r is { id: string; capability: string; title?: string } =>
        typeof r?.id === 'string' && typeof r?.capability === 'string',
    )
    .map((r) => ({
      id: r.id,
      capability: r.capability,
      ...(typeof r.title === 'string' ? { title: r.title } : {}),
      ...(bindings[r.id] ? { device: bindings[r.id] } : {}),
    }));
};

/** The roles as the project keeps them: without the site-specific device binding. */
const projectRoles = (roles: readonly Role[]) =>
  roles.map((r) => ({ id: r.id, capability: r.capability, ...(r.title ? { title: r.title } : {}) }));

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
  const roles = rolesOf(meta.value, readBindings(path));
  const flows: Flow[] = [];
  for (const id of ids.value) {
    const r = await api.project.getDocument({ kind: 'flows', id });
    const flow = r.ok ? fromFlowDocument(r.value) : null;
    if (flow) flows.push(flow);
  }
  const design: Design = {
    flows: flows.length > 0 ? flows : [{ id: 'flow-1', name: 'Flow 1', nodes: [], edges: [], groups: [] }],
    roles,
  };
  written = new Map(flows.map((f) => [f.id, f]));
  writtenRoles = JSON.stringify(projectRoles(roles));
  editor.load(design);
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
  localStorage.setItem(
    bindingsKey(path),
    JSON.stringify(Object.fromEntries(roles.filter((r) => r.device).map((r) => [r.id, r.device]))),
  );
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
      if (!path) sync.path = null;
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
