/**
 * The Devices view's discovery choices (mDNS and its interfaces, USB serial, the site broker),
 * kept for the window so a second visit finds them as they were, and with the site (see
 * project/workbench) so the next day on that site starts the same way. The first visit on a
 * site with a broker and no kept choices offers that broker.
 */
import {
  currentSite,
  loadWorkbench,
  saveWorkbench,
  siteBrokerUrl,
  withoutCredentials,
} from '../project/workbench.svelte';
import { projectState } from '../project/project-state.svelte';

/** What discovery starts with. */
export const choices = $state({
  useMdns: true,
  /** IPv4 addresses of the interfaces to browse. */
  chosen: [] as string[],
  useSerial: true,
  brokerUrl: '',
  /** False until the kept choices are read: the controls wait, so nothing typed is overwritten. */
  ready: false,
});

/**
 * The project folder and site the choices were last restored for (undefined before the first
 * visit): two projects may each have a `site-1`.
 */
let restoredFor: string | undefined;

/**
 * Restores the kept choices for the current site once per site (a later visit to the view keeps
 * whatever was changed since); interfaces that no longer exist are dropped.
 */
export const restoreDiscoveryChoices = async (interfaces: readonly string[]): Promise<void> => {
  const site = currentSite();
  const key = `${projectState.summary?.path ?? ''}#${site ?? ''}`;
  if (restoredFor === key) {
    choices.chosen = choices.chosen.filter((a) => interfaces.includes(a));
    choices.ready = true;
    return;
  }
  choices.ready = false;
  restoredFor = key;
  const { workbench, site: file } = await loadWorkbench(site);
  const kept = workbench.discovery;
  choices.useMdns = kept?.mdns ?? true;
  choices.useSerial = kept?.serial ?? true;
  choices.chosen = kept?.interfaces ? kept.interfaces.filter((a) => interfaces.includes(a)) : [...interfaces];
  choices.brokerUrl = kept?.brokerUrl ?? siteBrokerUrl(file);
  choices.ready = true;
};

/** Keeps the choices with the current site; returns why the site file refused them, or null. */
export const keepDiscoveryChoices = (): Promise<string | null> =>
  saveWorkbench(currentSite(), 'discovery', {
    mdns: choices.useMdns,
    interfaces: [...choices.chosen],
    serial: choices.useSerial,
    ...(choices.brokerUrl.trim() ? { brokerUrl: withoutCredentials(choices.brokerUrl) } : {}),
  });
