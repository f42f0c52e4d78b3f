import { go } from '../shell/nav.svelte';

/** Which device the device page shows. */
export const devicePage = $state<{ id: string | null; sightings: string[] }>({ id: null, sightings: [] });

/**
 * Shows the page of the device with `id`. `sightings` (`<source>:<key>`) let the page follow the
 * device when discovery merges it into another one while the page is open.
 */
export const openDevicePage = (id: string, sightings: readonly string[] = []): void => {
  devicePage.id = id;
  devicePage.sightings = [...sightings];
  go('device');
};
