/**
 * Link out → link in pairs and junctions become direct edges: this module finds which link nodes
 * carry messages (and so vanish into edges) and which real nodes a wire into one reaches.
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
  const isVirtual = (n: RedNode | undefined): boolean =>
    n !== undefined &&
    (n.type === 'junction' ||
      (n.type === 'link out' && text(n.mode) !== 'return' && (linkTargets.get(n.id)?.size ?? 0) > 0) ||
      (n.type === 'link in' && heard.has(n.id)));

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
  return { linkTargets, isVirtual, resolve: (id) => resolve(id) };
};
