/**
 * Changes to a Design as data. Every edit becomes a list of changes, each carrying the value
 * before and after, so its inverse is the same list reversed with before and after swapped.
 * Undo therefore needs no per-command code, and a change list is plain JSON.
 */
import type { Design, Flow, FlowEdge, FlowGroup, FlowNode, Role, SiteDevice } from './types';

/** The flow's own fields (without its graph). */
export interface FlowHeader {
  readonly id: string;
  readonly name: string;
}

/**
 * Where a removed item sat in its list just before its change was applied; the inverse (the
 * same change as a creation) puts it back there instead of at the end. Order is behaviour:
 * the gateway follows a node's wires in list order.
 */
interface Placed {
  readonly index?: number;
}

/** One replaced item; `null` before means created, `null` after means removed. */
export type Change =
  | (Placed & {
      readonly type: 'node';
      readonly flow: string;
      readonly before: FlowNode | null;
      readonly after: FlowNode | null;
    })
  | (Placed & {
      readonly type: 'edge';
      readonly flow: string;
      readonly before: FlowEdge | null;
      readonly after: FlowEdge | null;
    })
  | (Placed & {
      readonly type: 'group';
      readonly flow: string;
      readonly before: FlowGroup | null;
      readonly after: FlowGroup | null;
    })
  | (Placed & { readonly type: 'flow'; readonly before: Flow | null; readonly after: Flow | null })
  | { readonly type: 'flowHeader'; readonly before: FlowHeader; readonly after: FlowHeader }
  | (Placed & { readonly type: 'role'; readonly before: Role | null; readonly after: Role | null })
  | (Placed & {
      readonly type: 'device';
      readonly before: SiteDevice | null;
      readonly after: SiteDevice | null;
    });

/** The list that undoes `changes`. */
export const invert = (changes: readonly Change[]): Change[] =>
  changes
    .slice()
    .reverse()
    .map((c) => ({ ...c, before: c.after, after: c.before }) as Change);

const replaceIn = <T extends { id: string }>(
  items: readonly T[],
  before: T | null,
  after: T | null,
  at?: number,
): T[] => {
  if (before === null) {
    if (after === null) return items.slice();
    if (at === undefined || at >= items.length) return [...items, after];
    return items.toSpliced(Math.max(0, at), 0, after);
  }
  const index = items.findIndex((i) => i.id === before.id);
  if (index < 0) throw new Error(`Cannot change ${before.id}: it is not in the design.`);
  const next = items.slice();
  if (after === null) next.splice(index, 1);
  else next[index] = after;
  return next;
};

/** Up to this many node changes are found by scanning instead of indexing the flow's nodes. */
const FEW = 8;

/** Where a node sits in a flow's node list. */
interface NodeIndex {
  get(id: string): number | undefined;
  has(id: string): boolean;
  set(id: string, at: number): unknown;
}

/** Positions in `items` found by scanning, with additions remembered. */
const scanIndex = (items: readonly { id: string }[]): NodeIndex => {
  const added = new Map<string, number>();
  const get = (id: string) => {
    const at = added.get(id);
    if (at !== undefined) return at;
    const i = items.findIndex((x) => x.id === id);
    return i < 0 ? undefined : i;
  };
  return {
    get,
    has: (id: string) => get(id) !== undefined,
    set: (id: string, at: number) => added.set(id, at),
  };
};

/** Applies many changes to one flow with one copy of each array touched. */
const applyToFlow = (flow: Flow, changes: readonly Change[]): Flow => {
  let { nodes, edges, groups } = flow;
  const nodeChanges = changes.filter((c) => c.type === 'node');
  if (nodeChanges.some((c) => c.before === null && c.index !== undefined)) {
    // Undoing a deletion puts nodes back where they were, which needs each change applied in
    // turn; rarer than moves, so the batch below stays the fast path for everything else.
    for (const c of nodeChanges) nodes = replaceIn(nodes, c.before, c.after, c.index);
  } else if (nodeChanges.length > 0) {
    // Index once: moving 5,000 nodes must not scan the array 5,000 times; for a few changes
    // (a dropped node) a scan each is cheaper than building the index.
    const next = nodes.slice();
    const index: NodeIndex =
      nodeChanges.length > FEW ? new Map(next.map((n, i) => [n.id, i])) : scanIndex(next);
    const removed = new Set<string>();
    for (const c of nodeChanges) {
      if (c.before && c.after && c.before.id === c.after.id && index.has(c.before.id)) {
        next[index.get(c.before.id)!] = c.after;
      } else if (c.before === null && c.after) {
        index.set(c.after.id, next.length);
        next.push(c.after);
      } else if (c.before && c.after === null) {
        if (!index.has(c.before.id))
          throw new Error(`Cannot remove node ${c.before.id}: it is not in the flow.`);
        removed.add(c.before.id);
      } else {
        throw new Error(`Cannot change node ${c.before?.id ?? c.after?.id}: it is not in the flow.`);
      }
    }
    nodes = removed.size > 0 ? next.filter((n) => !removed.has(n.id)) : next;
  }
  for (const c of changes) {
    if (c.type === 'edge') edges = replaceIn(edges, c.before, c.after, c.index);
    else if (c.type === 'group') groups = replaceIn(groups, c.before, c.after, c.index);
  }
  return { ...flow, nodes, edges, groups };
};

/** Returns the design with `changes` applied in order; the input is never modified. */
export const applyChanges = (design: Design, changes: readonly Change[]): Design => {
  let flows = design.flows;
  let roles = design.roles;
  let devices = design.devices;
  let pending: Change[] = [];
  let pendingFlow: string | null = null;
  const flush = () => {
    if (pendingFlow === null) return;
    const id = pendingFlow;
    const index = flows.findIndex((f) => f.id === id);
    if (index < 0) throw new Error(`Cannot change flow ${id}: it is not in the design.`);
    const next = flows.slice();
    next[index] = applyToFlow(flows[index]!, pending);
    flows = next;
    pending = [];
    pendingFlow = null;
  };
  for (const c of changes) {
    if (c.type === 'flow') {
      flush();
      flows = replaceIn(flows, c.before, c.after, c.index);
    } else if (c.type === 'flowHeader') {
      flush();
      flows = flows.map((f) => (f.id === c.after.id ? { ...f, name: c.after.name } : f));
    } else if (c.type === 'role') {
      flush();
      roles = replaceIn(roles, c.before, c.after, c.index);
    } else if (c.type === 'device') {
      flush();
      devices = replaceIn(devices ?? [], c.before, c.after, c.index);
    } else {
      // Consecutive changes to one flow are applied as a batch; order matters only across
      // kinds (an edge may name a node added just before), which the batch keeps: nodes first.
      if (pendingFlow !== null && pendingFlow !== c.flow) flush();
      pendingFlow = c.flow;
      pending.push(c);
    }
  }
  flush();
  return devices ? { flows, roles, devices } : { flows, roles };
};
