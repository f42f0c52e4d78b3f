/**
 * The project folder layout: one `fieldgraph.json` for the project itself, and one JSON file
 * per flow, device model and site in their own sub-folders, so git diffs and merges stay small.
 * A project's own capabilities live in `models/` too (their ids look like `name@1`).
 */

/** The file that marks a folder as a Fieldgraph project and holds its meta and schemaVersion. */
export const PROJECT_FILE = 'fieldgraph.json';

/** Sub-folders holding one document per file, named `<id>.json`. */
export const DOCUMENT_KINDS = ['flows', 'models', 'sites'] as const;

/** Which sub-folder a document lives in. */
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Largest project file Fieldgraph reads; anything bigger is reported, never loaded into memory. */
export const MAX_PROJECT_FILE_BYTES = 8 * 1024 * 1024;

// Ids become file names: keep them portable (Windows, macOS, Linux) and free of path syntax.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/** True when `id` can name a document file on every platform (no slashes, no dot-files, ≤ 128 chars). */
export const isDocumentId = (id: string): boolean =>
  ID_PATTERN.test(id) && !id.endsWith('.') && !id.includes('..');

/** True when `kind` is one of the document sub-folders. */
export const isDocumentKind = (kind: string): kind is DocumentKind =>
  (DOCUMENT_KINDS as readonly string[]).includes(kind);

/** The project-relative path of a document, with forward slashes on every platform. */
export const documentPath = (kind: DocumentKind, id: string): string => `${kind}/${id}.json`;

/**
 * Splits a project-relative path into kind and id when it names a document file; null for
 * anything else (the project file, temp files, stray files).
 */
export const parseDocumentPath = (path: string): { kind: DocumentKind; id: string } | null => {
  const match = /^([a-z]+)\/([^/]+)\.json$/.exec(path);
  if (!match || !isDocumentKind(match[1]) || !isDocumentId(match[2])) return null;
  return { kind: match[1], id: match[2] };
};
