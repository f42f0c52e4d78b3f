/**
 * Keeps the editor and the open project in step. Edited flows go to the project as changes
 * (project.patchDocument: a moved node sends that node, not the flow; new flows go whole with
 * project.putDocument; all written by project.save) and its roles into fieldgraph.json
 * (project.setRoles); which device fills each role is a per-site binding, written into the
 * selected site's `sites/<id>.json` (see sites.svelte.ts). Opening a project lists and loads its
 * flows, roles, models and the selected site. Work drawn while no project was open is never
 * dropped: it moves into the next project created, or the person is asked before one opens.
 */
import type { Design, Flow, Role } from '../canvas/types';
import { api } from '../api';
import { projectState, saveProject, startProjectDialog, watchProject } from '../project/project-state.svelte';
import { askConfirm } from '../shell/ask.svelte';
import { flowPatch, fromFlowDocument, toFlowDocument } from './documents';
import { editor } from './session.svelte';
import { clearProjectModels, followLibrary, loadLibrary } from './project-models.svelte';
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

/**
 * Sync state: which project is loaded, and whether edits are waiting to be sent (`pending` turns
 * true in the same frame as the edit, so the window shows unsaved work at once).
 */
export const sync = $state({
  path: null as string | null,
  loading: false,
  error: null as string | null,
  pending: false,
});
let written = new Map<string, Flow>();
let writtenRoles = '';
let timer: ReturnType<typeof setTimeout> | undefined;

const emptyDesign = (): Design => ({
  flows: [{ id: 'flow-1', name: 'Flow 1', nodes: [], edges: [], groups: [] }],
  roles: [],
});

/** What the editor holds that is in no project: drawn nodes or added roles. Null when nothing. */
const looseWork = (design: Design): { flows: number; nodes: number; roles: number } | null => {
  const drawn = design.flows.filter((f) => f.nodes.length > 0);
  const nodes = drawn.reduce((n, f) => n + f.nodes.length, 0);
  if (nodes === 0 && design.roles.length === 0) return null;
  return { flows: drawn.length, nodes, roles: design.roles.length };
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The loose design's flows added after the project's, with ids and names that do not collide. */
const merge = (project: Design, loose: Design): Design => {
  // Local bookkeeping inside one call, never rendered.
  /* eslint-disable svelte/prefer-svelte-reactivity */
  const ids = new Set(project.flows.map((f) => f.id));
  const names = new Set(project.flows.map((f) => f.name));
  /* eslint-enable svelte/prefer-svelte-reactivity */
  const added = loose.flows
    .filter((f) => f.nodes.length > 0)
    .map((f) => {
      let id = f.id;
      for (let n = 2; ids.has(id); n++) id = `${f.id}-${n}`;
      let name = f.name;
      for (let n = 2; names.has(name); n++) name = `${f.name} (${n})`;
      ids.add(id);
      names.add(name);
      return { ...f, id, name };
    });
  const roleIds = new Set(project.roles.map((r) => r.id));
  return {
    flows: [...project.flows, ...added],
    roles: [...project.roles, ...loose.roles.filter((r) => !roleIds.has(r.id))],
  };
};

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
  // The project's own capabilities and models first, so its roles never show as unknown.
  await loadLibrary();
  const flows: Flow[] = [];
  for (const id of ids.value) {
    const r = await api.project.getDocument({ kind: 'flows', id });
    const flow = r.ok ? fromFlowDocument(r.value) : null;
    if (flow) flows.push(flow);
  }
  // Read once the project is in hand, not before: what was drawn while it loaded counts too.
  const loose = sync.path === null ? editor.design : null;
  const looseCount = loose ? looseWork(loose) : null;
  const name = projectState.summary?.name ?? 'the project';
  if (loose && looseCount && flows.length === 0 && unbound.length === 0) {
    // A new, empty project: the drawing simply becomes its content, undo history and all.
    const site = await loadSites(
      path,
      loose.roles.map((r) => r.id),
    );
    if (site.devices.length > 0 || site.bindings.length > 0) editor.loadSite(site.devices, site.bindings);
    written = new Map();
    writtenRoles = '[]';
    sync.path = path;
    sync.loading = false;
    editor.status = `Your drawing (${plural(looseCount.nodes, 'node')}) is now part of “${name}”.`;
    await push();
    return;
  }
  let design: Design = {
    flows: flows.length > 0 ? flows : emptyDesign().flows,
    roles: unbound,
  };
  let adopted = false;
  if (loose && looseCount) {
    adopted = await askConfirm({
      title: `Add your drawing to “${name}”?`,
      message: `While no project was open you drew ${plural(looseCount.flows, 'flow')} with ${plural(looseCount.nodes, 'node')}${looseCount.roles ? ` and ${plural(looseCount.roles, 'role')}` : ''}. Add them to this project (as new flows beside its own), or discard them?`,
      confirm: 'Add to the project',
      cancel: 'Discard the drawing',
      dismissMeans: true,
    });
    if (adopted) design = merge({ flows, roles: unbound }, loose);
  }
  const site = await loadSites(
    path,
    design.roles.map((r) => r.id),
  );
  written = new Map(flows.map((f) => [f.id, f]));
  writtenRoles = JSON.stringify(projectRoles(unbound));
  editor.load(design);
  editor.loadSite(site.devices, site.bindings);
  settleSite(editor.design);
  sync.path = path;
  sync.loading = false;
  if (adopted) {
    editor.status = `Your drawing was added to “${name}”.`;
    await push();
  }
};

/** Sends changed flows to the project (in memory there; files are written on save). */
const push = async () => {
  const path = sync.path;
  if (!path || projectState.summary?.readOnly) {
    sync.pending = false;
    return;
  }
  const { flows, roles } = editor.design;
  const next = new Map(flows.map((f) => [f.id, f]));
  const summaryBefore = projectState.summary;
  let wrote = false;
  for (const flow of flows) {
    const before = written.get(flow.id);
    if (before === flow) continue;
    const ops = before ? flowPatch(before, flow) : null;
    if (ops && ops.length === 0) continue;
    const r = ops
      ? await api.project.patchDocument({ kind: 'flows', id: flow.id, ops })
      : await api.project.putDocument({ kind: 'flows', id: flow.id, document: toFlowDocument(flow) });
    if (!r.ok) {
      sync.error = r.error.message;
      return;
    }
    wrote = true;
  }
  for (const id of written.keys()) {
    if (next.has(id)) continue;
    const r = await api.project.deleteDocument({ kind: 'flows', id });
    if (!r.ok) {
      sync.error = r.error.message;
      return;
    }
    wrote = true;
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
    wrote = true;
  }
  // What was just sent is in the project but not yet in its files. The project's own event says
  // so a moment later; until it arrives the Save button must not read "Saved". (A summary that
  // changed meanwhile, a save's included, already tells the truth.)
  const summary = projectState.summary;
  if (wrote && summary && summary === summaryBefore && !summary.dirty)
    projectState.summary = { ...summary, dirty: true };
  const siteError = await pushSite(editor.design);
  if (siteError) {
    sync.error = siteError;
    return;
  }
  sync.error = null;
  // Edits made while this push ran are sent by the push their own change scheduled.
  if (editor.design.flows === flows && editor.design.roles === roles) sync.pending = false;
};

let following = false;
// The project being loaded: the project summary changes while it loads (a first push marks it
// dirty), and a second load started then would find no loose work and empty the canvas.
let loadingFor: string | null = null;

const follow = (path: string): void => {
  if (path === sync.path || path === loadingFor) return;
  loadingFor = path;
  void load(path).finally(() => {
    loadingFor = null;
    // Another project opened while this one loaded: load that one now.
    const now = projectState.summary?.path ?? null;
    if (now && now !== sync.path) follow(now);
  });
};

/** Follows the open project (once per window): loads its flows when one opens, pushes edits as they happen. */
export const followProject = (): void => {
  if (following) return;
  following = true;
  watchProject();
  followLibrary();
  $effect.root(() => {
    $effect(() => {
      const path = projectState.summary?.path ?? null;
      if (path) follow(path);
      if (!path && sync.path) {
        sync.path = null;
        sync.pending = false;
        clearSites();
        clearProjectModels();
        // The project was saved or its changes discarded on purpose: its flows are not loose
        // work to carry into the next project.
        editor.load(emptyDesign());
      }
    });
    $effect(() => {
      void editor.design;
      if (!sync.path || sync.loading) return;
      sync.pending = true;
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

/**
 * Ctrl/Cmd+S from anywhere: saves the open project; with none open but a drawing on the
 * canvas, opens the New project dialog so the drawing has somewhere to go.
 */
export const saveEverything = async (): Promise<void> => {
  if (projectState.summary) {
    if (!projectState.summary.readOnly) await saveFlows();
    return;
  }
  if (looseWork(editor.design)) {
    editor.status = 'Create a project to save your drawing in; it moves into the new project.';
    await startProjectDialog('create');
  }
};

/** True when closing the window now would lose work: unsaved project changes, or a drawing in no project. */
export const unsavedWork = (): boolean =>
  projectState.summary ? projectState.summary.dirty || sync.pending : looseWork(editor.design) !== null;

/** What the Save buttons show: the project's state, or edits not yet sent to it. */
export const flowsDirty = (): boolean => (projectState.summary?.dirty ?? false) || sync.pending;

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
