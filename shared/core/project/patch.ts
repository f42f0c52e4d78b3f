/**
 * Changes to one project document, sent instead of the whole document: an edit that moves one
 * node of a 5,000-node flow sends that node, not 1.5 MB. A path walks object keys (strings) and
 * array elements by their `id` ({ id }), so a patch stays right however the array is ordered.
 */
import { FieldgraphError } from '../errors';
import { findSecretProblems } from './secret-ref';
import { canonicalize, NotJsonError, type JsonObject, type JsonValue } from './serialize';

/** One step of a patch path: an object key, or the element of an array whose `id` is `id`. */
export type PatchStep = string | { readonly id: string };

/** One change: put a value at a path (replacing or adding it), or remove what is there. */
export type PatchOp =
  | { readonly op: 'put'; readonly path: PatchStep[]; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: PatchStep[] };

/** The longest path a patch may walk; documents are nowhere near this deep. */
export const MAX_PATCH_DEPTH = 32;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const stepText = (step: PatchStep): string => (typeof step === 'string' ? step : `[id=${step.id}]`);
const pathText = (path: readonly PatchStep[]): string => path.map(stepText).join('.');

const refuse = (file: string, path: readonly PatchStep[], why: string): never => {
  throw new FieldgraphError('project.invalid', `${file}: ${pathText(path)}: ${why}`);
};

// A shallow copy of the container, so the document given to applyDocumentPatch is left as it was.
const copyOf = (value: JsonValue): JsonValue =>
  Array.isArray(value) ? [...value] : isObject(value) ? { ...value } : value;

const indexById = (list: JsonValue[], id: string): number =>
  list.findIndex((item) => isObject(item) && item.id === id);

const checked = (value: unknown, file: string, path: readonly PatchStep[]): JsonValue => {
  let json: JsonValue;
  try {
    json = canonicalize(value);
  } catch (error) {
    if (error instanceof NotJsonError) return refuse(file, path, error.message);
    throw error;
  }
  const secrets = findSecretProblems(json, file, pathText(path));
  if (secrets.length > 0) {
    throw new FieldgraphError(
      'project.secret_in_file',
      `${secrets[0]!.path}: ${secrets[0]!.message} ${secrets[0]!.hint ?? ''}`.trim(),
      { problems: secrets },
    );
  }
  return json;
};

/**
 * The document with `ops` applied in order; `doc` itself is not changed, and a patch that
 * fails (a path that does not exist, a secret value, something that is not JSON) changes
 * nothing. The document's own `id` cannot be patched. Values are checked like a whole
 * document: canonical JSON, no secret values.
 */
export const applyDocumentPatch = (doc: JsonObject, ops: readonly PatchOp[], file: string): JsonObject => {
  const root: JsonObject = { ...doc };
  // Containers already copied in this patch: each is copied once, however many ops touch it.
  const fresh = new Set<JsonValue>([root]);
  const own = (parent: JsonObject | JsonValue[], key: string | number): JsonValue => {
    const child = (parent as Record<string | number, JsonValue>)[key]!;
    if (fresh.has(child) || child === null || typeof child !== 'object') return child;
    const copy = copyOf(child);
    (parent as Record<string | number, JsonValue>)[key] = copy;
    fresh.add(copy);
    return copy;
  };
  for (const op of ops) {
    const path = op.path;
    if (path.length === 0) refuse(file, path, 'a patch cannot replace the whole document');
    if (path.length > MAX_PATCH_DEPTH) refuse(file, path, `paths are at most ${MAX_PATCH_DEPTH} steps`);
    if (path.length === 1 && path[0] === 'id') refuse(file, path, 'the document id cannot change');
    let here: JsonValue = root;
    for (let i = 0; i < path.length - 1; i++) {
      const step = path[i]!;
      if (typeof step === 'string') {
        if (!isObject(here) || !Object.hasOwn(here, step))
          return refuse(file, path.slice(0, i + 1), 'there is nothing here to change');
        here = own(here, step);
      } else {
        const at = Array.isArray(here) ? indexById(here, step.id) : -1;
        if (at < 0) return refuse(file, path.slice(0, i + 1), 'there is nothing here to change');
        here = own(here as JsonValue[], at);
      }
    }
    const last = path[path.length - 1]!;
    if (typeof last === 'string') {
      if (!isObject(here)) return refuse(file, path, 'the parent is not an object');
      if (op.op === 'remove') delete here[last];
      else
        Object.defineProperty(here, last, {
          value: checked(op.value, file, path),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      continue;
    }
    if (!Array.isArray(here)) return refuse(file, path, 'the parent is not a list');
    const at = indexById(here, last.id);
    if (op.op === 'remove') {
      if (at >= 0) here.splice(at, 1);
      continue;
    }
    const value = checked(op.value, file, path);
    if (!isObject(value)) return refuse(file, path, 'a list element put by id must be an object');
    const element: JsonObject = { ...value, id: last.id };
    if (at >= 0) here[at] = element;
    else here.push(element);
  }
  return root;
};
