/**
 * The device model's schemas: one TypeBox definition per format gives both the TypeScript
 * type and the JSON Schema published in resources/schemas. The vocabulary:
 * a Capability is what a device can do, a DeviceModel says how one kind of device does it on
 * the wire, a Site binds a design's Roles to real Devices.
 */
import { Capability } from './schema-capability';
import { DeviceModel, Mapping } from './schema-device-model';
import { Device, ProjectFile, Role, Site } from './schema-site';

export {
  CAPABILITY_ID_PATTERN,
  libraryDocumentKind,
  MODEL_SCHEMA_VERSION,
  NAME_PATTERN,
  SLUG_PATTERN,
} from './schema-common';
export * from './schema-capability';
export * from './schema-device-model';
export * from './schema-site';

/** The published file formats, by the name of their file in resources/schemas. */
export const publishedSchemas = {
  capability: Capability,
  'device-model': DeviceModel,
  mapping: Mapping,
  site: Site,
  'project-file': ProjectFile,
  role: Role,
  device: Device,
} as const;
