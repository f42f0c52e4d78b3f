/**
 * The project's sites as the Flows view binds roles against them. One site is selected; its
 * devices and bindings are loaded into the editor's design (role.device, design.devices), where
 * binding is an undoable edit like any other, and every change goes back into `sites/<id>.json`
 * through project.putDocument (written on project.save, like flows). The gateway runtime and
 * `fieldgraph pack --site` read exactly those files.
 *
 * When a project has no site yet, the first binding creates "Site 1" (`site-1`): binding is the
 * moment the installer says "these devices, here", and asking for a name first would only get
 * in the way; the site can be renamed in its file, and more sites added with "New site".
 */
import type { Device, RoleBinding, Site } from '../../../shared/core/model/schemas';
import { deviceSlug } from '../../../shared/core/registry/to-site-device';
import type { Design } from '../canvas/types';
import { api } from '../api';
import { projectState } from '../project/project-state.svelte';

/** The sites of the open project and the one selected. */
export const sites = $state({
  /** Site ids with their names, sorted by id. */
  list: [] as { id: string; name: string }[],
  selected: null as string | null,
  error: null as string | null,
});

/** The selected site as loaded (rooms, gateways, Wi-Fi… are kept as they are). */
let base: Site | null = null;
/** Bindings of the loaded site for roles the design does not have: kept, never dropped silently. */
let orphans: RoleBinding[] = [];
let written = '';
let projectPath: string | null = null;

const selectionKey = (path: string) => `fieldgraph.flows.site:${path}`;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A site document as read, with the lists the schema requires present. */
const asSite = (id: string, doc: unknown): Site => {
  const d = isObject(doc) ? doc : {};
  return {
    ...(d as Partial<Site>),
    id,
    name: typeof d.name === 'string' && d.name ? d.name : id,
    rooms: Array.isArray(d.rooms) ? (d.rooms as Site['rooms']) : [],
    devices: Array.isArray(d.devices) ? (d.devices as Device[]).filter(isObject) : [],
    bindings: Array.isArray(d.bindings) ? (d.bindings as RoleBinding[]).filter(isObject) : [],
    gateways: Array.isArray(d.gateways) ? (d.gateways as Site['gateways']) : [],
  };
};

/** What the editor needs of the selected site. */
export interface LoadedSite {
  readonly devices: readonly Device[];
  readonly bindings: readonly RoleBinding[];
}

const empty: LoadedSite = { devices: [], bindings: [] };

const use = (site: Site | null, roleIds: readonly string[]): LoadedSite => {
  base = site;
  sites.selected = site?.id ?? null;
  if (projectPath && site) localStorage.setItem(selectionKey(projectPath), site.id);
  orphans = site ? site.bindings.filter((b) => !roleIds.includes(b.role)) : [];
  written = '';
  return site ? { devices: site.devices, bindings: site.bindings } : empty;
};

const fetchSite = async (id: string): Promise<Site | null> => {
  const r = await api.project.getDocument({ kind: 'sites', id });
  if (!r.ok) {
    sites.error = r.error.message;
    return null;
  }
  return r.value ? asSite(id, r.value) : null;
};

/**
 * Lists the open project's sites and loads the selected one: the one picked last time in this
 * window for this project, else the first. Bindings the editor once kept in localStorage are
 * dropped: they named discovered devices without the variables a site file needs.
 */
export const loadSites = async (path: string, roleIds: readonly string[]): Promise<LoadedSite> => {
  projectPath = path;
  sites.error = null;
  localStorage.removeItem(`fieldgraph.flows.bindings:${path}`);
  const ids = await api.project.listDocuments({ kind: 'sites' });
  if (!ids.ok) {
    sites.error = ids.error.message;
    sites.list = [];
    return use(null, roleIds);
  }
  const loaded = (await Promise.all(ids.value.map(fetchSite))).filter((s): s is Site => s !== null);
  sites.list = loaded.map((s) => ({ id: s.id, name: s.name }));
  const remembered = localStorage.getItem(selectionKey(path));
  return use(loaded.find((s) => s.id === remembered) ?? loaded[0] ?? null, roleIds);
};

/** Forgets the sites (the project closed). */
export const clearSites = (): void => {
  projectPath = null;
  sites.list = [];
  use(null, []);
};

/** Loads another site of the project for binding. */
export const openSite = async (id: string, roleIds: readonly string[]): Promise<LoadedSite | null> => {
  sites.error = null;
  const site = await fetchSite(id);
  if (!site) {
    sites.error ??= `The project has no site “${id}”; pick another one or create it with New site.`;
    return null;
  }
  return use(site, roleIds);
};

const uniqueId = (name: string): string => {
  const root = deviceSlug(name) || 'site';
  let id = root;
  for (let n = 2; sites.list.some((s) => s.id === id); n++) id = `${root}-${n}`;
  return id;
};

/** Adds a new, empty site named `name` to the project and selects it. */
export const createSite = async (name: string, roleIds: readonly string[]): Promise<LoadedSite | null> => {
  const site: Site = {
    schemaVersion: 1,
    id: uniqueId(name),
    name: name.trim().slice(0, 200) || 'Site',
    rooms: [],
    devices: [],
    bindings: [],
    gateways: [],
  };
  const r = await api.project.putDocument({ kind: 'sites', id: site.id, document: site });
  if (!r.ok) {
    sites.error = r.error.message;
    return null;
  }
  // A listing that ran while the file was written may hold it already.
  sites.list = [...sites.list.filter((s) => s.id !== site.id), { id: site.id, name: site.name }].sort(
    (a, b) => a.id.localeCompare(b.id),
  );
  sites.error = null;
  return use(site, roleIds);
};

/** The bindings of a design's roles, as a site file keeps them. */
export const bindingsOf = (design: Design): RoleBinding[] =>
  design.roles.flatMap((r) =>
    r.device
      ? [{ role: r.id, device: r.device, ...(r.implementation ? { implementation: r.implementation } : {}) }]
      : [],
  );

/** The selected site's document with the design's devices and bindings, or null when none is selected. */
const documentOf = (design: Design): Site | null => {
  if (!base) return null;
  const roleIds = design.roles.map((r) => r.id);
  return {
    ...base,
    schemaVersion: 1,
    devices: [...(design.devices ?? [])],
    bindings: [...bindingsOf(design), ...orphans.filter((b) => !roleIds.includes(b.role))],
  };
};

/**
 * Records the design just loaded as what the selected site holds, so that opening a project
 * or a site never counts as an edit (a file whose bindings are in another order, say, is not
 * rewritten until something is bound).
 */
export const settleSite = (design: Design): void => {
  const doc = documentOf(design);
  written = doc ? JSON.stringify(doc) : '';
};

/**
 * Writes the selected site with the design's devices and bindings when they changed. Creates
 * "Site 1" first when the project has no site and something is bound. Returns an error message.
 */
export const pushSite = (design: Design): Promise<string | null> => {
  // One write at a time: two edits in quick succession on a project without a site would both
  // create "Site 1" (the same id twice in the list) and could write the older design last. With
  // none in flight the write starts at once, as before.
  const run = pushing ? pushing.then(() => pushSiteNow(design)) : pushSiteNow(design);
  const settled: Promise<unknown> = run
    .catch(() => null)
    .finally(() => {
      if (pushing === settled) pushing = null;
    });
  pushing = settled;
  return run;
};
let pushing: Promise<unknown> | null = null;

const pushSiteNow = async (design: Design): Promise<string | null> => {
  if (!projectPath || projectState.summary?.readOnly) return null;
  const bindings = bindingsOf(design);
  if (!base) {
    if (bindings.length === 0) return null;
    const made = await createSite(
      'Site 1',
      design.roles.map((r) => r.id),
    );
    if (!made) return sites.error;
  }
  const site = documentOf(design)!;
  const text = JSON.stringify(site);
  if (text === written) return null;
  const r = await api.project.putDocument({ kind: 'sites', id: site.id, document: site });
  if (!r.ok) return r.error.message;
  base = site;
  written = text;
  return null;
};

/**
 * Changes one site of the open project in place (its workbench choices, its Wi-Fi or broker
 * profile) without touching devices and bindings; the selected site's loaded copy follows, so
 * the next binding edit does not write the old values back. Returns an error message.
 */
export const updateSite = async (id: string, change: (site: Site) => Site): Promise<string | null> => {
  // The open project, not the Flows view's copy of it: other views (Deploy, Commission) change
  // its sites before the Flows view has ever loaded them.
  if (!projectState.summary) return 'No project is open to keep it in.';
  if (projectState.summary.readOnly)
    return 'The project was written by a newer Fieldgraph: it can be viewed here, not changed.';
  const current = base?.id === id ? base : await fetchSite(id);
  if (!current) return `The project has no site “${id}”.`;
  const next = change(current);
  if (JSON.stringify(next) === JSON.stringify(current)) return null;
  const r = await api.project.putDocument({ kind: 'sites', id, document: next });
  if (!r.ok) return r.error.message;
  if (base?.id === id) {
    base = next;
    written = '';
  }
  return null;
};

/** One site of the open project as its file holds it, or null. */
export const readSite = (id: string): Promise<Site | null> =>
  base?.id === id ? Promise.resolve(base) : fetchSite(id);
