import type { Static } from '@sinclair/typebox';
import type { FieldgraphServices } from '../../core/api';
import type { CapabilitySummary, DeviceModelSummary } from '../../core/api/areas/library';
import { FieldgraphError } from '../../core/errors';
import { capabilitiesOfModel, flattenCapability } from '../../core/model/catalog';
import { devicesForRole, modelsForRole } from '../../core/model/resolver';
import { modelToThingDescription } from '../../core/model/wot/export';
import {
  loadLibrary,
  loadProjectModels,
  projectModelsFrom,
  type LoadedLibrary,
  type ModelDocument,
} from '../library/load';
import type { ServiceContext } from './context';

/** The built-in library is read once per process: it ships with the app and never changes while it runs. */
let builtin: Promise<LoadedLibrary> | undefined;
const builtinLibrary = (): Promise<LoadedLibrary> => (builtin ??= loadLibrary());

/** The built-in library, plus a project's own models when `projectDir` is given. */
export const libraryFor = async (
  projectDir?: string,
): Promise<{ library: LoadedLibrary; project?: LoadedLibrary }> => {
  const library = await builtinLibrary();
  if (!projectDir) return { library };
  return { library, project: await loadProjectModels(projectDir, library) };
};

/** Summaries of every entry, sorted by id: what `library.list` and `fieldgraph library list` show. */
export const summarize = (
  library: LoadedLibrary,
  project?: LoadedLibrary,
): {
  capabilities: Static<typeof CapabilitySummary>[];
  deviceModels: Static<typeof DeviceModelSummary>[];
} => {
  const catalog = (project ?? library).catalog;
  const projectCaps = new Set(project?.capabilities.map((c) => c.id));
  const projectModels = new Set(project?.models.map((m) => m.id));
  const offers = new Map([...catalog.models.values()].map((m) => [m.id, capabilitiesOfModel(m, catalog)]));
  const byId = <T extends { id: string }>(a: T, b: T) => a.id.localeCompare(b.id);
  return {
    capabilities: [...catalog.capabilities.values()]
      .map((c) => ({
        id: c.id,
        title: c.title,
        ...(c.description ? { description: c.description } : {}),
        tags: c.tags ?? [],
        extends: c.extends ?? [],
        implementedBy: [...offers]
          .filter(([, caps]) => caps.has(c.id))
          .map(([id]) => id)
          .sort(),
        source: projectCaps.has(c.id) ? ('project' as const) : ('builtin' as const),
      }))
      .sort(byId),
    deviceModels: [...catalog.models.values()]
      .map((m) => ({
        id: m.id,
        title: m.title,
        ...(m.description ? { description: m.description } : {}),
        ...(m.manufacturer ? { manufacturer: m.manufacturer } : {}),
        ...(m.firmware ? { firmware: m.firmware } : {}),
        protocols: [...m.protocols],
        capabilities: [...(offers.get(m.id) ?? [])].sort(),
        commissioning: [...(m.commissioning ?? [])],
        source: projectModels.has(m.id) ? ('project' as const) : ('builtin' as const),
      }))
      .sort(byId),
  };
};

/** The open project's `models/` documents as the project store holds them (unsaved edits included). */
export interface OpenProjectModels {
  readonly path: string;
  /** The project summary's modelsRevision at the moment the documents were taken. */
  readonly modelsRevision: number;
  readonly documents: readonly ModelDocument[];
}

/** What the library area reads from the other areas: the open project's models, when one is open. */
export interface LibraryServiceDeps {
  readonly openProjectModels?: () => OpenProjectModels | null;
}

/** The `library` area. */
export const createLibraryService = (
  _ctx: ServiceContext,
  deps: LibraryServiceDeps = {},
): FieldgraphServices['library'] => ({
  documents: async () => {
    const library = await builtinLibrary();
    const builtin = { capabilities: [...library.capabilities], models: [...library.models] };
    const open = deps.openProjectModels?.() ?? null;
    if (!open) return { builtin, project: null, problems: [...library.problems] };
    const project = projectModelsFrom(open.documents, library);
    return {
      builtin,
      project: {
        path: open.path,
        modelsRevision: open.modelsRevision,
        capabilities: [...project.capabilities],
        models: [...project.models],
      },
      problems: [...library.problems, ...project.problems],
    };
  },
  list: async ({ projectDir }) => {
    const { library, project } = await libraryFor(projectDir);
    return { ...summarize(library, project), problems: [...library.problems, ...(project?.problems ?? [])] };
  },
  get: async ({ id, projectDir }) => {
    const { library, project } = await libraryFor(projectDir);
    const catalog = (project ?? library).catalog;
    const fromProject = (key: string) => project?.files.has(key) ?? false;
    const capability = catalog.capabilities.get(id);
    if (capability) {
      const key = `capability:${id}`;
      const flat = flattenCapability(id, catalog);
      if (!flat.ok)
        throw new FieldgraphError(
          'library.invalid',
          `The capability ${id} cannot be resolved.`,
          flat.failure,
        );
      const file = (fromProject(key) ? project!.files : library.files).get(key);
      return {
        kind: 'capability' as const,
        source: fromProject(key) ? ('project' as const) : ('builtin' as const),
        ...(file ? { file } : {}),
        capability,
        lineage: [...flat.capability.lineage],
        properties: { ...flat.capability.properties },
        actions: { ...flat.capability.actions },
        events: { ...flat.capability.events },
        implementedBy: [...catalog.models.values()]
          .filter((m) => capabilitiesOfModel(m, catalog).has(id))
          .map((m) => m.id)
          .sort(),
      };
    }
    const model = catalog.models.get(id);
    if (model) {
      const key = `model:${id}`;
      const file = (fromProject(key) ? project!.files : library.files).get(key);
      return {
        kind: 'deviceModel' as const,
        source: fromProject(key) ? ('project' as const) : ('builtin' as const),
        ...(file ? { file } : {}),
        model,
        capabilities: [...capabilitiesOfModel(model, catalog)].sort(),
      };
    }
    throw new FieldgraphError(
      'library.not_found',
      `No capability or device model has the id "${id}". Capability ids look like switch@1; \`fieldgraph library list\` shows them all.`,
    );
  },
  candidates: async ({ capability, alsoRequires, devices, projectDir }) => {
    const { library, project } = await libraryFor(projectDir);
    const catalog = (project ?? library).catalog;
    if (!catalog.capabilities.has(capability)) {
      throw new FieldgraphError(
        'library.not_found',
        `No capability has the id "${capability}". \`fieldgraph library list\` shows them all.`,
      );
    }
    const role = { id: 'role', capability, ...(alsoRequires ? { alsoRequires } : {}) };
    return {
      models: modelsForRole(role, catalog),
      devices: devicesForRole(role, devices ?? [], catalog),
    };
  },
  thingDescription: async ({ id, broker, variables, projectDir }) => {
    const { library, project } = await libraryFor(projectDir);
    const catalog = (project ?? library).catalog;
    const model = catalog.models.get(id);
    if (!model) {
      throw new FieldgraphError('library.not_found', `No device model has the id "${id}".`);
    }
    return {
      thingDescription: modelToThingDescription(model, catalog, {
        ...(broker ? { broker } : {}),
        ...(variables && Object.keys(variables).length ? { variables } : {}),
      }),
    };
  },
});
