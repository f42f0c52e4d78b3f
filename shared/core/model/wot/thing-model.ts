/**
 * Thing Model composition: `tm:extends` links and `tm:ref` pointers are followed, within the
 * file or through a loader the caller gives (files of the same folder, or documents fetched
 * beforehand), and merged as the TD 1.1 Thing Model rules say — the extending model's
 * definitions win, objects merge, lists are replaced. Platform-free: loading is injected.
 */
import { isObject, str, type Json } from './forms';

/** A linked Thing Model, read by the caller: its id (for cycles and relative links) and content. */
export interface LoadedModel {
  readonly id: string;
  readonly json: unknown;
}

/** Reads the Thing Model `href` names, relative to the document `from`; undefined when it cannot. */
export type LoadModel = (href: string, from: string | undefined) => LoadedModel | undefined;

const MAX_DEPTH = 8;
/** Most tm:ref expansions and linked models one import follows: a model pointing at itself must not explode. */
const MAX_EXPANSIONS = 500;

/** Objects merge key by key with `over` winning; anything else is replaced by `over`. */
export const mergeModels = (base: unknown, over: unknown): unknown => {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeModels(base[k], v) : v;
  return out;
};

/** The value at a JSON pointer (`/properties/power`), or undefined. */
const atPointer = (doc: unknown, pointer: string): unknown => {
  if (pointer === '' || pointer === '/') return doc;
  let at: unknown = doc;
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (isObject(at)) at = at[key];
    else if (Array.isArray(at) && /^\d+$/.test(key)) at = at[Number(key)];
    else return undefined;
  }
  return at;
};

/**
 * The model with its `tm:extends` parents merged in and every `tm:ref` replaced by what it
 * points at (local keys win). What cannot be followed is reported through `warn` and left out.
 */
export const composeThingModel = (
  input: Json,
  options: { load?: LoadModel; file?: string; warn: (path: string, message: string, hint: string) => void },
): Json => {
  const { load, warn } = options;
  let expansions = 0;
  const spend = (what: string): boolean => {
    if (++expansions <= MAX_EXPANSIONS) return true;
    if (expansions === MAX_EXPANSIONS + 1)
      warn(
        '',
        `${what}: more than ${MAX_EXPANSIONS} tm:ref and tm:extends to follow`,
        'Simplify the model; the rest was left out.',
      );
    return false;
  };
  const resolve = (doc: Json, id: string | undefined, depth: number, seen: ReadonlySet<string>): Json => {
    let out: Json = doc;
    const links = Array.isArray(doc.links) ? doc.links : [];
    for (const link of links) {
      if (!isObject(link) || link.rel !== 'tm:extends') continue;
      const href = str(link.href) ?? '';
      const parent = fetchModel(href, id, depth, seen);
      if (parent) out = mergeModels(parent, out) as Json;
    }
    if (links.some((l) => isObject(l) && l.rel === 'tm:submodel'))
      warn(
        'links',
        'tm:submodel links are not merged in',
        'Import each submodel on its own; it becomes its own device model.',
      );
    const keptLinks = links.filter((l) => !(isObject(l) && l.rel === 'tm:extends'));
    out = { ...out, ...(keptLinks.length ? { links: keptLinks } : {}) };
    if (!keptLinks.length) delete out.links;
    return replaceRefs(out, out, id, depth, seen, '') as Json;
  };

  const fetchModel = (
    href: string,
    from: string | undefined,
    depth: number,
    seen: ReadonlySet<string>,
  ): Json | undefined => {
    if (depth >= MAX_DEPTH) {
      warn('links', `tm:extends ${href} is nested more than ${MAX_DEPTH} deep`, 'Flatten the models.');
      return undefined;
    }
    if (!spend(`tm:extends ${href}`)) return undefined;
    const loaded = load?.(href.split('#')[0]!, from);
    if (!loaded || !isObject(loaded.json)) {
      warn(
        'links',
        `the Thing Model ${href} it extends could not be read${load ? '' : ' (import from a file or URL so linked models can be read)'}`,
        'Put the linked model beside this one (or import it from its URL); its affordances are left out.',
      );
      return undefined;
    }
    if (seen.has(loaded.id)) {
      warn('links', `tm:extends ${href} links back to a model that extends it`, 'Remove the loop.');
      return undefined;
    }
    return resolve(loaded.json, loaded.id, depth + 1, new Set([...seen, loaded.id]));
  };

  const replaceRefs = (
    value: unknown,
    root: Json,
    id: string | undefined,
    depth: number,
    seen: ReadonlySet<string>,
    path: string,
  ): unknown => {
    if (Array.isArray(value))
      return value.map((v, i) => replaceRefs(v, root, id, depth, seen, `${path}.${i}`));
    if (!isObject(value)) return value;
    const ref = str(value['tm:ref']);
    let out: Json = value;
    if (ref !== undefined) {
      const { 'tm:ref': _ref, ...local } = value;
      if (!spend(`tm:ref ${ref}`)) return local;
      const [docPart = '', pointer = ''] = ref.split('#');
      const doc = docPart === '' ? root : fetchModel(docPart, id, depth, seen);
      const target = doc === undefined ? undefined : atPointer(doc, pointer);
      if (target === undefined || depth >= MAX_DEPTH) {
        if (doc !== undefined)
          warn(path.replace(/^\./, ''), `tm:ref ${ref} points at nothing`, 'Fix the JSON pointer.');
        out = local;
      } else out = mergeModels(target, local) as Json;
    }
    return Object.fromEntries(
      Object.entries(out).map(([k, v]) => [
        k,
        replaceRefs(v, root, id, depth + (ref ? 1 : 0), seen, `${path}.${k}`),
      ]),
    );
  };

  return resolve(input, options.file, 0, new Set(options.file ? [options.file] : []));
};
