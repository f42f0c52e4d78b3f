/** Ids, name patterns and small schema helpers shared by every model file format. */
import { Type, type TSchema } from '@sinclair/typebox';

/** Schema version of every file format defined here; project migrations step from it. */
export const MODEL_SCHEMA_VERSION = 1;

/** Pattern of a capability id: a lowercase name, `@`, and a major version (`switch@1`). */
export const CAPABILITY_ID_PATTERN = '^[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*@[1-9][0-9]*$';
const capabilityId = new RegExp(CAPABILITY_ID_PATTERN);

/**
 * What a document of the library or of a project's models/ folder is, by the one rule every
 * reader applies: a capability when its id is a capability id (`switch@1`), otherwise a device
 * model (whose schema then names what is wrong with it, if anything).
 */
export const libraryDocumentKind = (value: unknown): 'capability' | 'model' => {
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' && capabilityId.test(id) ? 'capability' : 'model';
};

/** Pattern of a device model, role, device, site or gateway id: lowercase slug. */
export const SLUG_PATTERN = '^[a-z0-9][a-z0-9_-]*$';
/** Pattern of an affordance or instance-variable name (camelCase or snake_case). */
export const NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

/** An affordance or variable name. */
export const Name = Type.String({ pattern: NAME_PATTERN, maxLength: 64 });
/** An id of a model, role, device, site or gateway. */
export const Slug = Type.String({ pattern: SLUG_PATTERN, maxLength: 128 });
/** Free text of bounded length. */
export const Text = (maxLength = 2000) => Type.String({ maxLength });
/** An optional field. */
export const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
// Records keyed by names refuse other keys: without `additionalProperties: false` a pattern key
// only constrains matching keys, and `{"": null}` would pass.
/** A map keyed by names; other keys are refused. */
export const NameMap = <T extends TSchema>(schema: T) =>
  Type.Record(Type.String({ pattern: NAME_PATTERN }), schema, { additionalProperties: false });
