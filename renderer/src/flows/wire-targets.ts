/**
 * The inputs the "Wire to" form offers for the selected node: every other node's inputs,
 * nearest on the canvas first (people wire to neighbours), narrowed by what was typed, and at
 * most `limit` of them, so a 5,000-node flow gives a short list instead of thousands of options.
 */
import { nodeLayout } from '../canvas/ports';
import type { Flow, FlowNode, NodeKindSpec } from '../canvas/types';

/** One input to wire to: `value` is "node id\nport name". */
export interface WireTarget {
  readonly value: string;
  readonly label: string;
}

/** What the form lists, how many more inputs match than it lists, and how many there are at all. */
export interface WireTargets {
  readonly shown: readonly WireTarget[];
  readonly more: number;
  readonly total: number;
}

/** A node's name in lists: its kind's title, with its role's label when it drives one. */
export const nodeName = (
  n: FlowNode,
  catalog: ReadonlyMap<string, NodeKindSpec>,
  roleLabels: ReadonlyMap<string, string>,
): string => {
  const title = catalog.get(n.kind)?.title ?? n.kind;
  const role = typeof n.config.role === 'string' ? (roleLabels.get(n.config.role) ?? n.config.role) : '';
  return role ? `${title} · ${role}` : title;
};

/** A node's inputs as listed, before filtering and ordering. */
interface Listed {
  readonly port: string;
  readonly label: string;
  readonly lower: string;
}

/**
 * A finder of the inputs of the flow's other nodes whose label holds every word of `query`
 * (any case), nearest to `from` first (ties in list order), at most `limit`. It keeps each
 * node's listed inputs while the node object, the catalog and the role labels stay the same:
 * an edit gives the flow a new node list but new objects only for the nodes it changed, so a
 * drag in a 5,000-node flow works out one node's inputs again, not every node's.
 */
export const wireTargetFinder = () => {
  let cache = new WeakMap<FlowNode, readonly Listed[]>();
  let cachedFor: readonly unknown[] = [];
  return (
    flow: Flow,
    from: FlowNode,
    catalog: ReadonlyMap<string, NodeKindSpec>,
    roleLabels: ReadonlyMap<string, string>,
    query = '',
    limit = 100,
  ): WireTargets => {
    if (cachedFor[0] !== catalog || cachedFor[1] !== roleLabels) {
      cache = new WeakMap();
      cachedFor = [catalog, roleLabels];
    }
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const matched: { node: FlowNode; input: Listed; distance: number }[] = [];
    let total = 0;
    for (const n of flow.nodes) {
      if (n.id === from.id) continue;
      let inputs = cache.get(n);
      if (!inputs) {
        const name = nodeName(n, catalog, roleLabels);
        inputs = nodeLayout(n, catalog).inputs.map((p) => {
          const label = `${name} — ${p.label ?? p.name}`;
          return { port: p.name, label, lower: label.toLowerCase() };
        });
        cache.set(n, inputs);
      }
      if (inputs.length === 0) continue;
      total += inputs.length;
      const dx = n.position.x - from.position.x;
      const dy = n.position.y - from.position.y;
      const distance = dx * dx + dy * dy;
      for (const input of inputs)
        if (words.length === 0 || words.every((w) => input.lower.includes(w)))
          matched.push({ node: n, input, distance });
    }
    // A stable sort: equally near inputs keep their list order.
    matched.sort((a, b) => a.distance - b.distance);
    const found = matched.slice(0, limit).map(({ node: n, input }) => ({
      value: `${n.id}\n${input.port}`,
      label: input.label,
    }));
    return {
      shown: found,
      more: Math.max(0, matched.length - limit),
      total,
    };
  };
};
