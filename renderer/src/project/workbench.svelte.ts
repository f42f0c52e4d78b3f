/**
 * The workbench choices kept per site (discovery sources, deploy targets, the commissioning
 * installer): saved into the open project's `sites/<id>.json` under `workbench` when the site
 * belongs to it, and mirrored in this window's localStorage so they also come back where no
 * project is open. Broker URLs lose any user name or password before they are kept.
 */
import type { Site, SiteWorkbench } from '../../../shared/core/model/schema-site';
import { readSite, sites, updateSite } from '../flows/sites.svelte';
import { projectState } from './project-state.svelte';

const LOCAL = 'fieldgraph.workbench:';

/** A broker URL without credentials (they belong in the secret store, never in a file). */
export const withoutCredentials = (url: string): string => {
  try {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- parsed once here, never rendered
    const u = new URL(url.trim());
    if (!u.username && !u.password) return url.trim();
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.trim();
  }
};

/** The site's own broker as a URL (mqtts:// with TLS), or '' when the site names none. */
export const siteBrokerUrl = (site: Pick<Site, 'broker'> | null | undefined): string =>
  site?.broker ? `${site.broker.tls ? 'mqtts' : 'mqtt'}://${site.broker.host}:${site.broker.port}` : '';

const localKey = (scope: string) => `${LOCAL}${scope}`;

const readLocal = (scope: string): SiteWorkbench => {
  try {
    const value = JSON.parse(localStorage.getItem(localKey(scope)) ?? '{}') as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as SiteWorkbench) : {};
  } catch {
    return {};
  }
};

/** Where choices are kept when no site of the open project is meant: per project folder, or the window. */
const scopeOf = (siteId: string | null, projectDir?: string) =>
  `${projectDir ?? projectState.summary?.path ?? 'none'}#${siteId ?? ''}`;

const inOpenProject = (siteId: string | null, projectDir?: string): siteId is string =>
  !!siteId &&
  !!projectState.summary &&
  !projectState.summary.readOnly &&
  (projectDir === undefined || projectDir === projectState.summary.path) &&
  (sites.list.length === 0 || sites.list.some((s) => s.id === siteId));

/** The site of the open project that views without their own site picker use (the Flows view's). */
export const currentSite = (): string | null => sites.selected;

/** The kept choices and the site file itself (null outside the open project). */
export const loadWorkbench = async (
  siteId: string | null,
  projectDir?: string,
): Promise<{ workbench: SiteWorkbench; site: Site | null }> => {
  const local = readLocal(scopeOf(siteId, projectDir));
  if (!inOpenProject(siteId, projectDir)) return { workbench: local, site: null };
  const site = await readSite(siteId);
  return { workbench: { ...local, ...(site?.workbench ?? {}) }, site };
};

/** Keeps one section of the choices; returns an error message when the site file refused it. */
export const saveWorkbench = async <K extends keyof SiteWorkbench>(
  siteId: string | null,
  key: K,
  value: SiteWorkbench[K],
  projectDir?: string,
): Promise<string | null> => {
  const scope = scopeOf(siteId, projectDir);
  localStorage.setItem(localKey(scope), JSON.stringify({ ...readLocal(scope), [key]: value }));
  if (!inOpenProject(siteId, projectDir)) return null;
  return updateSite(siteId, (site) => ({ ...site, workbench: { ...(site.workbench ?? {}), [key]: value } }));
};
