/**
 * Reading a Node-RED export: the list of nodes (bounded), their wires and settings, and where
 * they sit on the canvas.
 */
import type { RedNode } from './types';

/** Why an export could not be read at all. */
export class NodeRedImportError extends Error {
  override readonly name = 'NodeRedImportError';
}

/** Most Node-RED objects one import takes; real exports have a few thousand. */
export const MAX_NODERED_OBJECTS = 50_000;

/** Node-RED types that are layout, not flow nodes. */
export const LAYOUT_TYPES = new Set(['tab', 'subflow', 'group', 'comment', 'junction']);
/** Node-RED positions are node centres at a tighter scale; Fieldgraph nodes are 200 px wide. */
export const SCALE_X = 1.6;
/** The vertical counterpart of SCALE_X. */
export const SCALE_Y = 2;
/** Node-RED types that start messages and have no input of their own. */
export const SOURCES = new Set([
  'inject',
  'mqtt in',
  'http in',
  'link in',
  'catch',
  'status',
  'complete',
  'websocket in',
  'tcp in',
  'udp in',
  'server-state-changed',
  'trigger-state',
  'poll-state',
  'server-events',
  'events:all',
  'events:state',
]);
const MAX_PROPERTY_TEXT = 16_000;

/** A canvas coordinate from a Node-RED one: scaled, and kept finite and on a sane canvas. */
export const coordinate = (v: unknown, scale: number): number => {
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(Math.max(-1e6, Math.min(1e6, n)) * scale) : 0;
};

/** A Fieldgraph id made of a Node-RED id: only letters, digits, `_` and `-`, at most 56 characters. */
export const safeId = (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 56) || 'node';

/** The nodes of an export (JSON text or parsed); throws NodeRedImportError when it is not one. */
export const parse = (json: string | unknown): RedNode[] => {
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (error) {
      throw new NodeRedImportError(
        `This is not JSON (${(error as Error).message}). In Node-RED use Menu → Export → Clipboard and paste all of it.`,
      );
    }
  }
  // A flows.json of Node-RED's projects feature wraps the list: {"flows": [...], "rev": …}.
  if (
    data &&
    typeof data === 'object' &&
    !Array.isArray(data) &&
    Array.isArray((data as { flows?: unknown }).flows)
  )
    data = (data as { flows: unknown[] }).flows;
  if (!Array.isArray(data)) {
    throw new NodeRedImportError('A Node-RED export is a JSON list of nodes ([ … ]); this is not a list.');
  }
  if (data.length > MAX_NODERED_OBJECTS) {
    throw new NodeRedImportError(
      `The export has ${data.length} objects; at most ${MAX_NODERED_OBJECTS} are imported at once. Export one tab at a time.`,
    );
  }
  const nodes = data.filter(
    (n): n is RedNode =>
      typeof n === 'object' &&
      n !== null &&
      typeof (n as RedNode).id === 'string' &&
      typeof (n as RedNode).type === 'string',
  );
  if (nodes.length === 0) throw new NodeRedImportError('The export holds no Node-RED nodes.');
  return nodes;
};

/** A node's wires, per output, keeping only node ids. */
export const wiresOf = (n: RedNode): string[][] =>
  Array.isArray(n.wires)
    ? n.wires.map((port) =>
        Array.isArray(port) ? port.filter((t): t is string => typeof t === 'string') : [],
      )
    : [];

/** A copy of a node's settings for a placeholder: no layout keys, long texts cut. */
export const settingsOf = (n: RedNode): Record<string, unknown> => {
  const skip = new Set(['id', 'type', 'z', 'x', 'y', 'w', 'h', 'g', 'wires', 'name', 'func']);
  const cut = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return v.length > MAX_PROPERTY_TEXT ? `${v.slice(0, MAX_PROPERTY_TEXT)}…` : v;
    if (depth > 6) return null;
    if (Array.isArray(v)) return v.slice(0, 500).map((x) => cut(x, depth + 1));
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v)
          .slice(0, 200)
          .map(([k, x]) => [k, cut(x, depth + 1)]),
      );
    return v;
  };
  return Object.fromEntries(
    Object.entries(n)
      .filter(([k]) => !skip.has(k))
      .map(([k, v]) => [k, cut(v, 0)]),
  );
};
