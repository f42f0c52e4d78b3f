import { Type } from '@sinclair/typebox';
import { defineMethod } from '../contract';
import {
  ActionAffordance,
  Capability,
  CapabilityId,
  Device,
  DeviceModel,
  EventAffordance,
  PropertyAffordance,
} from '../../model/schemas';

/** A located problem found while loading the library or a project's models. */
export const LibraryProblem = Type.Object({
  code: Type.String(),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  file: Type.Optional(Type.String()),
  path: Type.String(),
  message: Type.String(),
  hint: Type.String(),
});

/** Where an entry comes from. */
export const LibrarySource = Type.Union([Type.Literal('builtin'), Type.Literal('project')]);

/** One capability in the list, with the models that implement it. */
export const CapabilitySummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.Optional(Type.String()),
  tags: Type.Array(Type.String()),
  extends: Type.Array(Type.String()),
  implementedBy: Type.Array(Type.String()),
  source: LibrarySource,
});

/** One device model in the list, with the capabilities it offers (inherited ones included). */
export const DeviceModelSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.Optional(Type.String()),
  manufacturer: Type.Optional(Type.String()),
  firmware: Type.Optional(Type.String()),
  protocols: Type.Array(Type.String()),
  capabilities: Type.Array(Type.String()),
  commissioning: Type.Array(Type.String()),
  source: LibrarySource,
});

const Where = Type.Object({
  projectDir: Type.Optional(
    Type.String({ minLength: 1, maxLength: 4096, description: "Also load this project's models/ folder" }),
  ),
});

/** One way a model or device can fill a role (see shared/core/model/resolver.ts). */
export const RoleCandidate = Type.Object({
  model: Type.String(),
  device: Type.Optional(Type.String()),
  implementation: Type.String(),
  score: Type.Number(),
  reason: Type.String(),
});

/** Capabilities and device models as their files hold them, each valid against its schema and the rest. */
export const LibraryDocumentSet = Type.Object({
  capabilities: Type.Array(Capability),
  models: Type.Array(DeviceModel),
});

/**
 * The library documents the editor builds its capability lookups and device catalog from: the
 * built-in library, and the open project's own `models/` (null when no project is open).
 */
export const LibraryDocuments = Type.Object({
  builtin: LibraryDocumentSet,
  project: Type.Union([
    Type.Object({
      path: Type.String(),
      modelsRevision: Type.Integer({
        description: 'the project summary’s modelsRevision these documents were read at',
      }),
      capabilities: Type.Array(Capability),
      models: Type.Array(DeviceModel),
    }),
    Type.Null(),
  ]),
  problems: Type.Array(LibraryProblem),
});

/** The `library` area: the built-in capabilities and device models, plus a project's own. */
export const libraryMethods = {
  list: defineMethod(
    Where,
    Type.Object({
      capabilities: Type.Array(CapabilitySummary),
      deviceModels: Type.Array(DeviceModelSummary),
      problems: Type.Array(LibraryProblem),
    }),
    'Every capability and device model (built-in, and the project’s when projectDir is given), sorted by id, with the problems found loading them.',
  ),
  documents: defineMethod(
    Type.Object({}),
    LibraryDocuments,
    'Every valid capability and device model document: the built-in library, and the open project’s models/ as it is in memory (unsaved edits included); a file that does not load is left out and named in problems.',
  ),
  get: defineMethod(
    Type.Composite([Where, Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) })]),
    Type.Union([
      Type.Object({
        kind: Type.Literal('capability'),
        source: LibrarySource,
        file: Type.Optional(Type.String()),
        capability: Capability,
        lineage: Type.Array(Type.String()),
        properties: Type.Record(Type.String(), PropertyAffordance),
        actions: Type.Record(Type.String(), ActionAffordance),
        events: Type.Record(Type.String(), EventAffordance),
        implementedBy: Type.Array(Type.String()),
      }),
      Type.Object({
        kind: Type.Literal('deviceModel'),
        source: LibrarySource,
        file: Type.Optional(Type.String()),
        model: DeviceModel,
        capabilities: Type.Array(Type.String()),
      }),
    ]),
    'One capability (with everything it inherits and the models implementing it) or one device model, by id; library.not_found when there is none.',
  ),
  candidates: defineMethod(
    Type.Composite([
      Where,
      Type.Object({
        capability: CapabilityId,
        alsoRequires: Type.Optional(Type.Array(CapabilityId, { maxItems: 20 })),
        devices: Type.Optional(Type.Array(Device, { maxItems: 10_000 })),
      }),
    ]),
    Type.Object({ models: Type.Array(RoleCandidate), devices: Type.Array(RoleCandidate) }),
    'Which device models, and which of the given devices, can fill a role of this capability; best first (exact capability before inherited), each with the reason.',
  ),
  thingDescription: defineMethod(
    Type.Composite([
      Where,
      Type.Object({
        id: Type.String({ minLength: 1, maxLength: 200 }),
        broker: Type.Optional(Type.String({ pattern: '^mqtts?://[^/\\s]+$', maxLength: 300 })),
        variables: Type.Optional(
          Type.Record(
            Type.String({ maxLength: 64 }),
            Type.Union([Type.String({ maxLength: 500 }), Type.Number()]),
          ),
        ),
      }),
    ]),
    Type.Object({ thingDescription: Type.Record(Type.String(), Type.Unknown()) }),
    'The W3C WoT Thing Description of a device model (of one device when variables are given); library.not_found when there is no such model.',
  ),
};
