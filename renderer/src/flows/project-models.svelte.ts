/**
 * The catalog the Flows view resolves roles against: the built-in library plus the open
 * project's own models and capabilities from models/ (a project may override a library model).
 */
import { createCatalog, type Catalog } from '../../../shared/core/model/catalog';
import { libraryDocumentKind, type Capability, type DeviceModel } from '../../../shared/core/model/schemas';
import { api } from '../api';
import { libraryCapabilities, libraryModels } from './devices.svelte';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

class DeviceCatalog {
  projectModels = $state.raw<readonly DeviceModel[]>([]);
  projectCapabilities = $state.raw<readonly Capability[]>([]);
  /** The library with the project's models and capabilities over it. */
  readonly catalog: Catalog = $derived(
    createCatalog(
      [...libraryCapabilities, ...this.projectCapabilities],
      [...libraryModels, ...this.projectModels],
    ),
  );
}

/** The catalog of this window, following the open project. */
export const deviceCatalog = new DeviceCatalog();

/** Reads the open project's models/ documents into the catalog (none when no project is open). */
export const loadProjectModels = async (): Promise<void> => {
  const ids = await api.project.listDocuments({ kind: 'models' });
  const models: DeviceModel[] = [];
  const capabilities: Capability[] = [];
  for (const id of ids.ok ? ids.value : []) {
    const r = await api.project.getDocument({ kind: 'models', id });
    if (!r.ok || !isObject(r.value)) continue;
    // models/ holds both kinds of file; a model needs its implementations to be of any use here.
    if (libraryDocumentKind(r.value) === 'capability') capabilities.push(r.value as unknown as Capability);
    else if (isObject(r.value.implements)) models.push(r.value as unknown as DeviceModel);
  }
  deviceCatalog.projectModels = models;
  deviceCatalog.projectCapabilities = capabilities;
};

/** Clears the project's part of the catalog (the project closed). */
export const clearProjectModels = (): void => {
  deviceCatalog.projectModels = [];
  deviceCatalog.projectCapabilities = [];
};
