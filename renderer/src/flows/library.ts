/// <reference types="vite/client" />
/**
 * The built-in library (resources/library) as the window ships it: read once, at build time,
 * for the palette, the catalog roles are resolved against, and the capabilities the flow
 * validator and the inspector read.
 */
import type { Capability, DeviceModel } from '../../../shared/core/model/schemas';

const capabilityFiles = import.meta.glob<Capability>('../../../resources/library/capabilities/*.json', {
  eager: true,
  import: 'default',
});
const modelFiles = import.meta.glob<DeviceModel>('../../../resources/library/models/*.json', {
  eager: true,
  import: 'default',
});

/** The built-in library's capabilities. */
export const libraryCapabilities: readonly Capability[] = Object.values(capabilityFiles);
/** The built-in library's device models. */
export const libraryModels: readonly DeviceModel[] = Object.values(modelFiles);
