import { Type } from '@sinclair/typebox';
import { Role } from '../../model/schemas';
import { defineEvent, defineMethod } from '../contract';

/** One entry of the recent-projects list on the start page. */
export const RecentProject = Type.Object({
  path: Type.String(),
  name: Type.String(),
  openedAt: Type.String({ description: 'ISO 8601 time the project was last opened' }),
});

/** One located problem in a project (file, JSON path, what is wrong, how to fix it). */
export const ProjectProblem = Type.Object({
  code: Type.String(),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  path: Type.String({ description: '`<file>` or `<file>: <json.path>`, relative to the project folder' }),
  message: Type.String(),
  hint: Type.Optional(Type.String()),
});

/** The kinds of documents a project folder holds, one file each. */
export const DocumentKind = Type.Union([
  Type.Literal('flows'),
  Type.Literal('models'),
  Type.Literal('sites'),
]);

/** What the UI shows of the open project: name, state, problems, and any recovery offer. */
export const ProjectSummary = Type.Object({
  path: Type.String(),
  id: Type.String(),
  name: Type.String(),
  dirty: Type.Boolean(),
  readOnly: Type.Boolean({ description: 'written by a newer Fieldgraph: it can be viewed, not saved' }),
  savedAt: Type.Union([Type.String(), Type.Null()]),
  schemaVersion: Type.Integer({ description: 'format version on disk when opened' }),
  migrations: Type.Array(Type.String(), {
    description: 'migration steps applied in memory; written on save',
  }),
  problems: Type.Array(ProjectProblem),
  recovery: Type.Union([Type.Object({ savedAt: Type.String() }), Type.Null()], {
    description: 'autosaved work from an earlier session that differs from the files',
  }),
  counts: Type.Object({
    flows: Type.Integer(),
    models: Type.Integer(),
    sites: Type.Integer(),
  }),
  modelsRevision: Type.Integer({
    description:
      'changes whenever the models/ documents may have changed (a project opened, a model edited, recovered work restored); the library the editor reads follows it',
  }),
});

/** One folder suggested while typing a path. */
export const FolderSuggestion = Type.Object({
  path: Type.String(),
  isProject: Type.Boolean({ description: 'the folder holds a fieldgraph.json' }),
});

const Path = Type.String({ minLength: 1, maxLength: 4096 });
const DocumentId = Type.String({ minLength: 1, maxLength: 128 });
const JsonDocument = Type.Record(Type.String(), Type.Unknown());
const PatchPath = Type.Array(
  Type.Union([Type.String({ maxLength: 200 }), Type.Object({ id: Type.String({ maxLength: 200 }) })]),
  { minItems: 1, maxItems: 32 },
);

/** One change to a document: put a value at a path, or remove what is there (see shared/core/project/patch). */
export const DocumentPatchOp = Type.Union([
  Type.Object({ op: Type.Literal('put'), path: PatchPath, value: Type.Unknown() }),
  Type.Object({ op: Type.Literal('remove'), path: PatchPath }),
]);

/** The `project` area: the open project folder, its documents, saves and recovery. */
export const projectMethods = {
  recent: defineMethod(Type.Object({}), Type.Array(RecentProject), 'Recently opened projects, newest first.'),
  create: defineMethod(
    Type.Object({ path: Path, name: Type.String({ minLength: 1, maxLength: 200 }) }),
    ProjectSummary,
    'Creates a project folder (fieldgraph.json, flows/, models/, sites/) and opens it.',
  ),
  open: defineMethod(
    Type.Object({ path: Path }),
    ProjectSummary,
    'Opens a project folder; damaged files come back as problems while the rest opens.',
  ),
  save: defineMethod(
    Type.Object({}),
    ProjectSummary,
    'Writes every changed file durably; a failed save keeps the old files.',
  ),
  close: defineMethod(
    Type.Object({ discardChanges: Type.Optional(Type.Boolean()) }),
    Type.Object({}),
    'Closes the open project; refuses (project.unsaved_changes) when it has unsaved changes unless discardChanges.',
  ),
  current: defineMethod(
    Type.Object({}),
    Type.Union([ProjectSummary, Type.Null()]),
    'The open project, or null.',
  ),
  getDocument: defineMethod(
    Type.Object({ kind: DocumentKind, id: DocumentId }),
    Type.Union([JsonDocument, Type.Null()]),
    'One document of the open project, or null when there is none with that id.',
  ),
  listDocuments: defineMethod(
    Type.Object({ kind: DocumentKind }),
    Type.Array(Type.String()),
    'The ids of the open project’s documents of one kind, sorted.',
  ),
  getMeta: defineMethod(
    Type.Object({}),
    JsonDocument,
    'The open project’s fieldgraph.json as it will be saved: id, name, description, roles.',
  ),
  setRoles: defineMethod(
    Type.Object({ roles: Type.Array(Role, { maxItems: 1000 }) }),
    ProjectSummary,
    'Replaces the project’s roles (saved on project.save).',
  ),
  putDocument: defineMethod(
    Type.Object({ kind: DocumentKind, id: DocumentId, document: JsonDocument }),
    ProjectSummary,
    'Adds or replaces a document in memory (saved on project.save); refuses secret values (project.secret_in_file).',
  ),
  patchDocument: defineMethod(
    Type.Object({
      kind: DocumentKind,
      id: DocumentId,
      ops: Type.Array(DocumentPatchOp, { minItems: 1, maxItems: 20_000 }),
    }),
    ProjectSummary,
    'Changes part of a document in memory (saved on project.save): only what changed crosses, not the whole document. A patch that fails changes nothing.',
  ),
  deleteDocument: defineMethod(
    Type.Object({ kind: DocumentKind, id: DocumentId }),
    ProjectSummary,
    'Removes a document; its file is deleted on the next save.',
  ),
  rename: defineMethod(
    Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }),
    ProjectSummary,
    'Renames the open project.',
  ),
  recover: defineMethod(
    Type.Object({ action: Type.Union([Type.Literal('restore'), Type.Literal('discard')]) }),
    ProjectSummary,
    'Restores or discards the autosaved work offered when the project was opened.',
  ),
  suggestFolders: defineMethod(
    Type.Object({ input: Type.String({ maxLength: 4096 }) }),
    Type.Array(FolderSuggestion),
    'Folders matching a partly typed path (for the Open and New dialogs where no native dialog exists).',
  ),
  pickFolder: defineMethod(
    Type.Object({ purpose: Type.Union([Type.Literal('open'), Type.Literal('create')]) }),
    Type.Object({ native: Type.Boolean(), path: Type.Union([Type.String(), Type.Null()]) }),
    'Shows the native folder dialog where there is one (desktop app); native is false in a browser, where the UI asks for a path.',
  ),
};

/** Project events. */
export const projectEvents = {
  onProjectChanged: defineEvent(
    Type.Object({
      path: Type.Union([Type.String(), Type.Null()]),
      dirty: Type.Boolean(),
      summary: Type.Optional(Type.Union([ProjectSummary, Type.Null()])),
    }),
    'The open project changed (opened, edited, saved or closed).',
  ),
};
