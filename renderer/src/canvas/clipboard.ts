/**
 * Copy and paste as JSON text, so a selection travels between flows, projects and windows
 * (and can be read or mailed). Pasted text is untrusted: it is checked field by field and
 * rejected with a message naming what is wrong.
 */
import type { Fragment } from './commands';
import type { FlowEdge, FlowGroup, FlowNode } from './types';

/** Marks clipboard text as a Fieldgraph selection, with its format version. */
export const CLIPBOARD_FORMAT = 'fieldgraph/selection';
const VERSION = 1;

/** The clipboard text for a fragment. */
export const fragmentToText = (fragment: Fragment): string =>
  JSON.stringify({ format: CLIPBOARD_FORMAT, version: VERSION, ...fragment }, null, 2);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

const readNode = (v: unknown, i: number): FlowNode => {
  if (!isObject(v) || !isText(v.id) || !isText(v.kind) || !isObject(v.config) || !isObject(v.position)) {
    throw new Error(`Node ${i + 1} of the pasted text needs an id, a kind, a config object and a position.`);
  }
  const { x, y } = v.position;
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
    throw new Error(`Node ${i + 1} of the pasted text has a position without numeric x and y.`);
  }
  return {
    id: v.id,
    kind: v.kind,
    config: v.config,
    position: { x, y },
    ...(isText(v.group) ? { group: v.group } : {}),
  };
};

const readEdge = (v: unknown, i: number): FlowEdge => {
  const end = (e: unknown) =>
    isObject(e) && isText(e.node) && isText(e.port) ? { node: e.node, port: e.port } : null;
  const from = isObject(v) ? end(v.from) : null;
  const to = isObject(v) ? end(v.to) : null;
  if (!isObject(v) || !isText(v.id) || !from || !to) {
    throw new Error(`Wire ${i + 1} of the pasted text needs an id and from/to ends with node and port.`);
  }
  return { id: v.id, from, to };
};

const readGroup = (v: unknown, i: number): FlowGroup => {
  if (!isObject(v) || !isText(v.id) || typeof v.label !== 'string') {
    throw new Error(`Group ${i + 1} of the pasted text needs an id and a label.`);
  }
  return { id: v.id, label: v.label };
};

/**
 * The fragment in clipboard text, or null when the text is not a Fieldgraph selection at all
 * (so the editor can ignore ordinary text); throws with a clear message when it claims to be
 * one but is damaged.
 */
export const textToFragment = (text: string): Fragment | null => {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data) || data.format !== CLIPBOARD_FORMAT) return null;
  if (data.version !== VERSION) {
    throw new Error(
      `The pasted selection has format version ${String(data.version)}; this Fieldgraph reads version ${VERSION}. Copy it again from this version.`,
    );
  }
  const list = (key: string) => {
    const v = data[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new Error(`The pasted selection's “${key}” must be a list.`);
    return v;
  };
  const nodes = list('nodes').map(readNode);
  if (nodes.length === 0) throw new Error('The pasted selection has no nodes.');
  return { nodes, edges: list('edges').map(readEdge), groups: list('groups').map(readGroup) };
};
