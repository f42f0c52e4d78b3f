/**
 * The library as the window receives it from `library.documents`, for renderer tests that need
 * capabilities without the API: read by the server's own folder reader from resources/library,
 * and turned into the editor's lookups by the renderer's own code.
 */
import { capabilityInfos, type CapabilityInfo } from '../../renderer/src/flows/capabilities';
import { loadLibrary } from '../../shared/node/library/load';
import type { ServiceContext } from '../../shared/node/services/context';
import { createLibraryService, type OpenProjectModels } from '../../shared/node/services/library';

/** The built-in library, loaded and validated as the services load it. */
export const builtinLibrary = await loadLibrary();

/** The built-in capabilities as the editor's lookups (a new map on each call, like a new reading). */
export const builtinCapabilities = (): ReadonlyMap<string, CapabilityInfo> =>
  capabilityInfos(builtinLibrary.catalog.capabilities);

/**
 * The real `library` area for a fake API: the built-in library from disk and, when given, the
 * open project's models/ (memoryProject's `openProjectModels`), checked by the server's rule.
 */
export const libraryService = (openProjectModels?: () => OpenProjectModels | null) =>
  createLibraryService({} as ServiceContext, openProjectModels ? { openProjectModels } : {});

/** A valid project device model of the built-in switch@1 (one MQTT write), for a project's models/. */
export const deskLamp = {
  schemaVersion: 1,
  id: 'desk-lamp',
  title: 'Desk lamp',
  protocols: ['mqtt'],
  implements: {
    s: { capability: 'switch@1', properties: { on: { write: { kind: 'mqtt', topic: 'lamp/set' } } } },
  },
};

/** A valid project capability extending switch@1 with an event of its own. */
export const doorCapability = {
  schemaVersion: 1,
  id: 'acme-door@1',
  title: 'Door',
  extends: ['switch@1'],
  events: { slammed: { title: 'Slammed' } },
};
