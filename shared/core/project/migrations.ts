import type { DocumentKind } from './layout';
import type { JsonObject, JsonValue } from './serialize';

/** The project format this build writes. Bump it only together with a new Migration and fixture. */
export const CURRENT_SCHEMA_VERSION = 2;

/** A parsed project before validation: the meta file and every document by kind and id. */
export interface RawProject {
  meta: JsonObject;
  documents: Record<DocumentKind, Record<string, JsonObject>>;
}

/** One step from `from` to `from + 1`; pure and total over any project of version `from`. */
export interface Migration {
  readonly from: number;
  readonly summary: string;
  migrate(project: RawProject): RawProject;
}

const mapDocuments = (
  project: RawProject,
  fn: (doc: JsonObject, id: string) => JsonObject,
): RawProject['documents'] => {
  const out = {} as RawProject['documents'];
  for (const [kind, docs] of Object.entries(project.documents) as [
    DocumentKind,
    Record<string, JsonObject>,
  ][]) {
    out[kind] = Object.fromEntries(Object.entries(docs).map(([id, doc]) => [id, fn(doc, id)]));
  }
  return out;
};

// Version 1 wrote secret references as "secret:<ref>" strings; version 2 makes them objects so a
// reference can never be mistaken for a password that happens to start with "secret:".
const upgradeSecretStrings = (value: JsonValue): JsonValue => {
  if (typeof value === 'string' && value.startsWith('secret:'))
    return { secret: value.slice('secret:'.length) };
  if (Array.isArray(value)) return value.map(upgradeSecretStrings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, upgradeSecretStrings(v)]));
  }
  return value;
};

/** Every step, in order; `migrations[i].from === i + 1`. */
export const migrations: readonly Migration[] = [
  {
    from: 1,
    summary:
      'fieldgraph.json "version" becomes "schemaVersion" and gains a "roles" list; every document ' +
      'carries its own "id"; "secret:<ref>" strings become { "secret": "<ref>" } references.',
    migrate(project) {
      const { version: _version, ...meta } = project.meta;
      return {
        meta: { ...meta, roles: Array.isArray(meta.roles) ? meta.roles : [], schemaVersion: 2 },
        documents: mapDocuments(project, (doc, id) => ({
          ...(upgradeSecretStrings(doc) as JsonObject),
          id: typeof doc.id === 'string' ? doc.id : id,
        })),
      };
    },
  },
];

/**
 * Reads the format version of a parsed `fieldgraph.json`: `schemaVersion` (version 2 on), or
 * the `version` field version 1 used; null when neither is a positive whole number.
 */
export const readSchemaVersion = (meta: JsonObject): number | null => {
  const v = meta.schemaVersion ?? meta.version;
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : null;
};

/** What migrating did. */
export interface MigrationOutcome {
  project: RawProject;
  /** Summaries of the steps applied, oldest first (empty when the project was current). */
  applied: string[];
}

/**
 * Migrates a project of version `from` (≤ CURRENT_SCHEMA_VERSION) to the current version one
 * step at a time; the input is left untouched.
 */
export const migrateProject = (project: RawProject, from: number): MigrationOutcome => {
  if (from > CURRENT_SCHEMA_VERSION) {
    throw new RangeError(
      `Version ${from} is newer than ${CURRENT_SCHEMA_VERSION}; open it read-only instead.`,
    );
  }
  let current = project;
  const applied: string[] = [];
  for (let v = from; v < CURRENT_SCHEMA_VERSION; v++) {
    const step = migrations[v - 1];
    current = step.migrate(current);
    applied.push(`${v} → ${v + 1}: ${step.summary}`);
  }
  return { project: current, applied };
};
