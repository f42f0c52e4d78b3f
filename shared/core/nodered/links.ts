/**
 * Link out → link in pairs and junctions become direct edges: this module finds which link nodes
 * carry messages (and so vanish into edges) and which real nodes a wire into one reaches. A link
 * in that a link call calls, or that nothing in the export sends to, also gets an entry of its own
 * (a Manual trigger, see edges.ts) so Run flow can start the nodes after it.
 */
import { wiresOf } from './read';
import { text, type RedNode } from './types';

/** What a wire into a node reaches: the real nodes, and the link nodes and junctions it passes. */
export interface Reach {
  readonly targets: Set<string>;
  readonly via: Set<string>;
}

/** The link structure of an export (subflows inlined). */
export interface LinkGraph {
  /** Per link out node, the link in nodes it sends to. */
  readonly linkTargets: ReadonlyMap<string, ReadonlySet<string>>;
  /** True for nodes that become edges rather than nodes. */
  readonly isVirtual: (n: RedNode | undefined) => boolean;
  /** The real nodes a wire into `id` reaches, through link nodes and junctions. */
  readonly resolve: (id: string) => Reach;
  /** Per link call with a static target in the export, the link in node it calls. */
  readonly callTargets: ReadonlyMap<string, string>;
  /**
   * Link in nodes that get an entry of their own (a Manual trigger that Run flow starts): those a
   * link call calls, and those no link out of the export sends to.
   */
  readonly callable: ReadonlySet<string>;
  /** Why each callable link in is one, for its note ('' when a link call of the export calls it). */
  readonly callableWhy: ReadonlyMap<string, string>;
}

/** Reads the links of an export: a link out names the link in nodes it sends to, a link in the link outs it hears. */
export const linkGraph = (byId: ReadonlyMap<string, RedNode>): LinkGraph => {
  const linkTargets = new Map<string, Set<string>>();
  const addLink = (out: string, into: string) => {
    if (byId.get(out)?.type !== 'link out' || byId.get(into)?.type !== 'link in') return;
    if (!linkTargets.has(out)) linkTargets.set(out, new Set());
    linkTargets.get(out)!.add(into);
  };
  for (const n of byId.values()) {
    if (!Array.isArray(n.links)) continue;
    for (const other of n.links) {
      if (typeof other !== 'string') continue;
      if (n.type === 'link out') addLink(n.id, other);
      else if (n.type === 'link in') addLink(other, n.id);
    }
  }
  const heard = new Set([...linkTargets.values()].flatMap((s) => [...s]));
  const callTargets = new Map<string, string>();
  let dynamic = false;
  for (const n of byId.values()) {
    if (n.type !== 'link call') continue;
    if (text(n.linkType) === 'dynamic') dynamic = true;
    else {
      const target = (Array.isArray(n.links) ? n.links : []).find(
        (t): t is string => typeof t === 'string' && byId.get(t)?.type === 'link in',
      );
      if (target) callTargets.set(n.id, target);
    }
  }
  const called = new Set(callTargets.values());
  const callableWhy = new Map<string, string>();
  for (const n of byId.values()) {
    if (n.type !== 'link in' || (heard.has(n.id) && !called.has(n.id))) continue;
    const absent = (Array.isArray(n.links) ? n.links : []).filter(
      (l): l is string => typeof l === 'string' && !byId.has(l),
    );
    callableWhy.set(
      n.id,
      called.has(n.id)
        ? ''
        : dynamic
          ? 'No link out node of this export sends to it; a link call that takes its target from msg.target may call it by name, so it became a Manual trigger that a Run flow node (or a person) starts.'
          : absent.length
            ? `Link out nodes this export does not hold (${absent.slice(0, 3).join(', ')}) send to it; it became a Manual trigger standing in for them: start it where they sent.`
            : 'Nothing in this export sends to it, so Node-RED never ran the nodes after it; it became a Manual trigger so that a person can still run them.',
    );
  }
  // A link out with no link in at all sends nowhere in Node-RED: it becomes no edge.
  const sendsNowhere = (n: RedNode) => !Array.isArray(n.links) || n.links.length === 0;
  const isVirtual = (n: RedNode | undefined): boolean =>
    n !== undefined &&
    (n.type === 'junction' ||
      (n.type === 'link out' &&
        text(n.mode) !== 'return' &&
        ((linkTargets.get(n.id)?.size ?? 0) > 0 || sendsNowhere(n))) ||
      n.type === 'link in');

  const resolved = new Map<string, Reach>();
  const resolve = (id: string, visiting = new Set<string>()): Reach => {
    const n = byId.get(id);
    if (!isVirtual(n)) return { targets: new Set(n ? [id] : []), via: new Set() };
    const known = resolved.get(id);
    if (known) return known;
    const out = { targets: new Set<string>(), via: new Set([id]) };
    if (visiting.has(id)) return out;
    visiting.add(id);
    const next = n!.type === 'link out' ? [...(linkTargets.get(id) ?? [])] : (wiresOf(n!)[0] ?? []);
    for (const t of next) {
      const r = resolve(t, visiting);
      r.targets.forEach((x) => out.targets.add(x));
      r.via.forEach((x) => out.via.add(x));
    }
    visiting.delete(id);
    resolved.set(id, out);
    return out;
  };
  return {
    linkTargets,
    isVirtual,
    resolve: (id) => resolve(id),
    callTargets,
    callable: new Set(callableWhy.keys()),
    callableWhy,
  };
};
