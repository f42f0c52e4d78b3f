/**
 * The library the Flows view works against, read through the API (`library.documents`): the
 * built-in capabilities and device models, and the open project's own models/ over them (a
 * project may override a library model). The window holds no copy of resources/library; it
 * reads the library when it starts, when a project opens or closes, and when the open
 * project's models change (the project summary's `modelsRevision`).
 */
import { untrack } from 'svelte';
import type { Static } from '@sinclair/typebox';
import type { LibraryDocuments } from '../../../shared/core/api/areas/library';
import { createCatalog, type Catalog } from '../../../shared/core/model/catalog';
import type { Capability, DeviceModel } from '../../../shared/core/model/schemas';
import { api } from '../api';
import { projectState, watchProject } from '../project/project-state.svelte';
import { capabilityInfos, type CapabilityInfo } from './capabilities';

/** The open project a read is for, as the project summary names it (both null for none). */
interface LibraryKey {
  readonly path: string | null;
  readonly modelsRevision: number | null;
}

const keyText = (key: LibraryKey) => `${key.modelsRevision ?? ''}:${key.path ?? ''}`;

const wantedKey = (): LibraryKey => ({
  path: projectState.summary?.path ?? null,
  modelsRevision: projectState.summary?.modelsRevision ?? null,
});

class DeviceCatalog {
  /** `loading` until the library first arrives; `failed` (see `error`) when it could not be read. */
  status = $state<'loading' | 'ready' | 'failed'>('loading');
  /** Why the last read failed, in a sentence; null when it did not. */
  error = $state<string | null>(null);
  builtinCapabilities = $state.raw<readonly Capability[]>([]);
  builtinModels = $state.raw<readonly DeviceModel[]>([]);
  projectModels = $state.raw<readonly DeviceModel[]>([]);
  projectCapabilities = $state.raw<readonly Capability[]>([]);
  /** The project path the project's part was read for (null: none open). */
  projectPath = $state<string | null>(null);
  /** The library with the project's models and capabilities over it. */
  readonly catalog: Catalog = $derived(
    createCatalog(
      [...this.builtinCapabilities, ...this.projectCapabilities],
      [...this.builtinModels, ...this.projectModels],
    ),
  );
  /** Every capability of the catalog as the editor's pickers and validator read it. */
  readonly capabilities: ReadonlyMap<string, CapabilityInfo> = $derived(
    capabilityInfos(this.catalog.capabilities),
  );
}

/** The library of this window, following the open project. */
export const deviceCatalog = new DeviceCatalog();

// Only the newest read may land: an answer for a project already closed is dropped.
let sequence = 0;
let inFlight: { key: string; done: Promise<void> } | null = null;
/** The key of the reading the catalog holds. */
let loadedKey: string | null = null;

/**
 * Puts a reading of `library.documents` into the catalog. The window's own reads come through
 * here; a harness with no services behind it (the editor benchmark) hands one over itself.
 */
export const showLibrary = (documents: Static<typeof LibraryDocuments>): void => {
  const { builtin, project } = documents;
  // A reading that says what the catalog already holds (a new project with no models of its
  // own) changes nothing: the editor's roles and every node's layout stay as they are.
  const fresh = <T>(now: readonly T[], next: readonly T[]) =>
    JSON.stringify(now) === JSON.stringify(next) ? now : next;
  deviceCatalog.builtinCapabilities = fresh(deviceCatalog.builtinCapabilities, builtin.capabilities);
  deviceCatalog.builtinModels = fresh(deviceCatalog.builtinModels, builtin.models);
  deviceCatalog.projectCapabilities = fresh(deviceCatalog.projectCapabilities, project?.capabilities ?? []);
  deviceCatalog.projectModels = fresh(deviceCatalog.projectModels, project?.models ?? []);
  deviceCatalog.projectPath = project?.path ?? null;
  deviceCatalog.error = null;
  deviceCatalog.status = 'ready';
  loadedKey = keyText({ path: project?.path ?? null, modelsRevision: project?.modelsRevision ?? null });
};

const read = async (): Promise<void> => {
  const seq = ++sequence;
  const r = await api.library.documents({});
  if (seq !== sequence) return;
  if (r.ok) showLibrary(r.value);
  else {
    deviceCatalog.error = `The device library could not be read: ${r.error.message}`;
    if (deviceCatalog.status !== 'ready') deviceCatalog.status = 'failed';
  }
};

/**
 * Reads the library for the open project, unless the catalog already holds that reading or a
 * read for it is under way (then it joins it). With the library in hand and the project
 * closed, the project's part is dropped without a read.
 */
export const loadLibrary = (): Promise<void> => {
  const wanted = wantedKey();
  const key = keyText(wanted);
  if (inFlight?.key === key) return inFlight.done;
  if (deviceCatalog.status === 'ready' && (key === loadedKey || wanted.path === null)) {
    if (key !== loadedKey) {
      clearProjectModels();
      loadedKey = key;
    }
    return Promise.resolve();
  }
  const done = read().finally(() => {
    if (inFlight?.done === done) inFlight = null;
  });
  inFlight = { key, done };
  return done;
};

/** Clears the project's part of the catalog (the project closed); an answer still on its way is dropped. */
export const clearProjectModels = (): void => {
  sequence++;
  inFlight = null;
  loadedKey = null;
  if (deviceCatalog.projectModels.length > 0) deviceCatalog.projectModels = [];
  if (deviceCatalog.projectCapabilities.length > 0) deviceCatalog.projectCapabilities = [];
  deviceCatalog.projectPath = null;
};

let following = false;

/**
 * Keeps the library in step with the open project (once per window): read at once, then again
 * whenever the project or its models' revision changes; other edits cost nothing.
 */
export const followLibrary = (): void => {
  if (following) return;
  following = true;
  watchProject();
  $effect.root(() => {
    const key = $derived(keyText(wantedKey()));
    $effect(() => {
      void key;
      // Only the key is followed; what loadLibrary reads must not make this run on every edit.
      untrack(() => void loadLibrary());
    });
  });
};
