/**
 * Keeps the editor and the open project in step. Edited flows go to the project as documents
 * (project.putDocument, written by project.save); opening a project loads its flows.
 *
 * Stop-gap until the project API lists documents and exposes the project's roles: which flow
 * ids a project has, and its roles, are remembered in this browser's localStorage per project
 * folder. The flows themselves live only in the project.
 */
import type { Design, Flow, Role } from '../canvas/types';
import { api } from '../api';
import { projectState, saveProject, watchProject } from '../project/project-state.svelte';
import { fromFlowDocument, toFlowDocument } from './documents';
import { editor } from './session.svelte';

const indexKey = (path: string) => `fieldgraph.flows.index:${path}`;

interface ProjectIndex {
  readonly flows: readonly string[];
  readonly roles: readonly Role[];
}

const readIndex = (path: string): ProjectIndex => {
  try {
    const v = JSON.parse(localStorage.getItem(indexKey(path)) ?? 'null') as Partial<ProjectIndex> | null;
    return {
      flows: Array.isArray(v?.flows) ? v.flows.filter((f): f is string => typeof f === 'string') : [],
      roles: Array.isArray(v?.roles)
        ? v.roles.filter((r): r is Role => typeof r?.id === 'string' && typeof r?.capability === 'string')
        : [],
    };
  } catch {
    return { flows: [], roles: [] };
  }
};

/** Sync state: which project is loaded and the flow objects last written to it. */
export const sync = $state({ path: null as string | null, loading: false, error: null as string | null });
let written = new Map<string, Flow>();
let timer: ReturnType<typeof setTimeout> | undefined;

const load = async (path: string) => {
  sync.loading = true;
  sync.error = null;
  const index = readIndex(path);
  const flows: Flow[] = [];
  for (const id of index.flows) {
    const r = await api.project.getDocument({ kind: 'flows', id });
    const flow = r.ok ? fromFlowDocument(r.value) : null;
    if (flow) flows.push(flow);
  }
  const design: Design = {
    flows: flows.length > 0 ? flows : [{ id: 'flow-1', name: 'Flow 1', nodes: [], edges: [], groups: [] }],
    roles: index.roles,
  };
  written = new Map(flows.map((f) => [f.id, f]));
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
  localStorage.setItem(indexKey(path), JSON.stringify({ flows: [...next.keys()], roles }));
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
