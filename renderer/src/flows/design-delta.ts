/**
 * What changed in a design since the last one sent to the validator worker, so an edit posts
 * the moved node rather than a structured clone of all 5,000 (cloning the whole design cost a
 * frame of its own on every edit). Edits replace what they change, so identity says what
 * changed; the worker applies the delta to its copy and gets the same design back.
 */
import type { Design, Flow, FlowEdge, FlowGroup, FlowNode } from '../canvas/types';

/**
 * Items put (replaced in place, or added) and ids removed, in one list of a flow; with `order`
 * when items came or went (an undone deletion puts a node back where it was), the ids as listed.
 */
export interface ListDelta<T> {
  readonly put: readonly T[];
  readonly remove: readonly string[];
  readonly order?: readonly string[];
}

/** One flow: whole when new or much changed, else its header and the changes of its lists. */
export type FlowDelta =
  | { readonly whole: Flow }
  | {
      readonly id: string;
      readonly name: string;
      readonly saved?: Flow['saved'];
      readonly nodes?: ListDelta<FlowNode>;
      readonly edges?: ListDelta<FlowEdge>;
      readonly groups?: ListDelta<FlowGroup>;
    };

/** A design as the changes from the previous one; flows not listed in `changed` are unchanged. */
export interface DesignDelta {
  /** The design's flow ids, in order. */
  readonly flows: readonly string[];
  readonly changed: readonly FlowDelta[];
  readonly roles: Design['roles'];
  readonly devices?: Design['devices'];
}

/** More changed items than this in a flow, and sending it whole is as cheap. */
const WHOLE_AT = 500;

/**
 * The delta of two lists holding the same ids in the same order (moves and config edits, the
 * common case), found in one pass without an index; null when ids differ somewhere.
 */
const alignedDelta = <T extends { readonly id: string }>(
  before: readonly T[],
  after: readonly T[],
): ListDelta<T> | null => {
  if (before.length !== after.length) return null;
  const put: T[] = [];
  for (let i = 0; i < after.length; i++) {
    const item = after[i]!;
    if (item === before[i]) continue;
    if (item.id !== before[i]!.id) return null;
    put.push(item);
  }
  return { put, remove: [] };
};

const listDelta = <T extends { readonly id: string }>(
  before: readonly T[],
  after: readonly T[],
): ListDelta<T> | undefined => {
  if (before === after) return undefined;
  const aligned = alignedDelta(before, after);
  if (aligned) return aligned;
  const old = new Map(before.map((x) => [x.id, x]));
  const put: T[] = [];
  for (const item of after) {
    if (old.get(item.id) !== item) put.push(item);
    old.delete(item.id);
  }
  return { put, remove: [...old.keys()], order: after.map((x) => x.id) };
};

const size = (d: ListDelta<unknown> | undefined) => (d ? d.put.length + d.remove.length : 0);

/** The delta that turns `before` (null: nothing sent yet) into `after`. */
export const designDelta = (before: Design | null, after: Design): DesignDelta => {
  const old = new Map((before?.flows ?? []).map((f) => [f.id, f]));
  const changed: FlowDelta[] = [];
  for (const flow of after.flows) {
    const prev = old.get(flow.id);
    if (prev === flow) continue;
    if (!prev) {
      changed.push({ whole: flow });
      continue;
    }
    const nodes = listDelta(prev.nodes, flow.nodes);
    const edges = listDelta(prev.edges, flow.edges);
    const groups = listDelta(prev.groups, flow.groups);
    if (size(nodes) + size(edges) + size(groups) > WHOLE_AT) changed.push({ whole: flow });
    else
      changed.push({
        id: flow.id,
        name: flow.name,
        ...(flow.saved ? { saved: flow.saved } : {}),
        ...(nodes ? { nodes } : {}),
        ...(edges ? { edges } : {}),
        ...(groups ? { groups } : {}),
      });
  }
  return {
    flows: after.flows.map((f) => f.id),
    changed,
    roles: after.roles,
    ...(after.devices ? { devices: after.devices } : {}),
  };
};

const applyList = <T extends { readonly id: string }>(items: readonly T[], d?: ListDelta<T>): T[] => {
  if (!d) return items as T[];
  const gone = new Set(d.remove);
  const next = gone.size > 0 ? items.filter((x) => !gone.has(x.id)) : items.slice();
  const index = new Map(next.map((x, i) => [x.id, i]));
  for (const item of d.put) {
    const at = index.get(item.id);
    if (at === undefined) {
      index.set(item.id, next.length);
      next.push(item);
    } else next[at] = item;
  }
  if (!d.order) return next;
  const byId = new Map(next.map((x) => [x.id, x]));
  return d.order.map((id) => {
    const item = byId.get(id);
    if (!item) throw new Error(`The validator has no item ${id} to place.`);
    return item;
  });
};

/** The design `delta` describes, given the design it was made against (null: none yet). */
export const applyDesignDelta = (base: Design | null, delta: DesignDelta): Design => {
  const old = new Map((base?.flows ?? []).map((f) => [f.id, f]));
  for (const d of delta.changed) {
    if ('whole' in d) {
      old.set(d.whole.id, d.whole);
      continue;
    }
    const prev = old.get(d.id);
    if (!prev) throw new Error(`The validator has no flow ${d.id} to change.`);
    const { saved: _saved, ...rest } = prev;
    old.set(d.id, {
      ...rest,
      ...(d.saved ? { saved: d.saved } : {}),
      name: d.name,
      nodes: applyList(prev.nodes, d.nodes),
      edges: applyList(prev.edges, d.edges),
      groups: applyList(prev.groups, d.groups),
    });
  }
  const flows = delta.flows.map((id) => {
    const flow = old.get(id);
    if (!flow) throw new Error(`The validator has no flow ${id}.`);
    return flow;
  });
  return { flows, roles: delta.roles, ...(delta.devices ? { devices: delta.devices } : {}) };
};
