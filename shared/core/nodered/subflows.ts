/**
 * Subflow instances inlined as Node-RED itself runs them: each instance gets its own copy of the
 * subflow's nodes (so each keeps its own state and timers), the instance's input wires reach the
 * copies the subflow's input feeds, and the copies that feed a subflow output are wired to what
 * the instance's output was wired to. The instance itself becomes a junction (an edge).
 */
import type { RedNode } from './types';

/** How deep subflows may nest in one another; a subflow holding itself stops here. */
const MAX_DEPTH = 8;

/** A wire as a key: source node, output index, target node. */
export const wireKey = (from: string, port: number, to: string): string => `${from}\u0000${port}\u0000${to}`;

/** An export with its subflow instances inlined, and where each copy came from. */
export interface Expansion {
  /** The export's objects with inlined instances replaced by junctions and the copies added. */
  readonly nodes: readonly RedNode[];
  /** For a copy, the id of the node of the subflow it copies. */
  readonly originOf: ReadonlyMap<string, string>;
  /**
   * For a wire of `nodes` (by wireKey) that is not a wire of the export: the export's wire it
   * stands for, or '' for a wire the inlining made (from an instance to the subflow's first nodes).
   */
  readonly wireOrigin: ReadonlyMap<string, string>;
  /** Instances (and copies of instances) that became junctions. */
  readonly inlined: ReadonlySet<string>;
}

const wiresOf = (n: RedNode): string[][] =>
  Array.isArray(n.wires)
    ? n.wires.map((port) =>
        Array.isArray(port) ? port.filter((t): t is string => typeof t === 'string') : [],
      )
    : [];

/** The `{id, port}` ends a subflow's input or output lists. */
const endsOf = (v: unknown): { id: string; port: number }[] =>
  (Array.isArray(v) ? v : [])
    .filter((e): e is { id: string; port?: unknown } => !!e && typeof (e as { id?: unknown }).id === 'string')
    .map((e) => ({ id: e.id, port: Number.isInteger(e.port) ? Number(e.port) : 0 }));

/**
 * Inlines every instance of a subflow the export holds. A subflow with no instance is left as it
 * is (it is imported as a flow of its own); `limit` bounds how many objects the copies may add.
 */
export const expandSubflows = (byId: ReadonlyMap<string, RedNode>, limit: number): Expansion => {
  const defs = new Map([...byId.values()].filter((n) => n.type === 'subflow').map((d) => [d.id, d]));
  const defOf = (n: RedNode) =>
    n.type.startsWith('subflow:') ? defs.get(n.type.slice('subflow:'.length)) : undefined;
  const members = new Map<string, RedNode[]>();
  for (const n of byId.values())
    if (typeof n.z === 'string' && defs.has(n.z) && Array.isArray(n.wires))
      members.set(n.z, [...(members.get(n.z) ?? []), n]);
  // Subflows inlined: those an instance on a tab uses, then those used by a subflow that is not
  // inlined itself (it is imported as a flow of its own), each with what its nodes use in turn.
  const used = new Set<string>();
  const visit = (id: string, from?: string) => {
    if (used.has(id) || id === from) return;
    used.add(id);
    for (const m of members.get(id) ?? []) if (defOf(m)) visit(defOf(m)!.id, from);
  };
  for (const n of byId.values())
    if (defOf(n) && !(typeof n.z === 'string' && defs.has(n.z))) visit(defOf(n)!.id);
  for (const d of defs.keys())
    if (!used.has(d)) for (const m of members.get(d) ?? []) if (defOf(m)) visit(defOf(m)!.id, d);

  const originOf = new Map<string, string>();
  const wireOrigin = new Map<string, string>();
  const inlined = new Set<string>();
  const out: RedNode[] = [];
  let budget = limit;
  const originalWire = (from: string, port: number, to: string) => {
    const key = wireKey(from, port, to);
    return wireOrigin.get(key) ?? key;
  };

  /** The copies for one instance (or the instance itself when it cannot be inlined). */
  const inline = (inst: RedNode, depth: number): RedNode[] => {
    const def = defOf(inst);
    const inner = def ? (members.get(def.id) ?? []) : [];
    if (!def || depth > MAX_DEPTH || inner.length > budget) return [inst];
    budget -= inner.length;
    const prefix = `${inst.id}~`;
    const local = new Set(inner.map((m) => m.id));
    const rename = (id: string) => (local.has(id) ? prefix + id : id);
    const xs = inner.map((m) => Number(m.x)).filter(Number.isFinite);
    const ys = inner.map((m) => Number(m.y)).filter(Number.isFinite);
    const [left, top] = [xs.length ? Math.min(...xs) : 0, ys.length ? Math.min(...ys) : 0];
    const [x0, y0] = [Number(inst.x) || 0, (Number(inst.y) || 0) + 60];
    const copies = new Map<string, { node: RedNode; wires: string[][] }>();
    for (const m of inner) {
      const id = prefix + m.id;
      originOf.set(id, originOf.get(m.id) ?? m.id);
      const wires = wiresOf(m).map((port, i) =>
        port.map((t) => {
          wireOrigin.set(wireKey(id, i, rename(t)), originalWire(m.id, i, t));
          return rename(t);
        }),
      );
      const { g: _group, ...rest } = m;
      copies.set(m.id, {
        node: {
          ...rest,
          id,
          z: inst.z,
          x: x0 + ((Number(m.x) || left) - left),
          y: y0 + ((Number(m.y) || top) - top),
          ...(Array.isArray(m.links)
            ? { links: m.links.map((l) => (typeof l === 'string' ? rename(l) : l)) }
            : {}),
        },
        wires,
      });
    }
    // The instance becomes a junction: what was wired into it reaches the subflow's first nodes.
    const entry: string[] = [];
    const input = Array.isArray(def.in) ? (def.in[0] as { wires?: unknown } | undefined) : undefined;
    for (const e of endsOf(input?.wires)) {
      if (!local.has(e.id)) continue;
      entry.push(prefix + e.id);
      wireOrigin.set(wireKey(inst.id, 0, prefix + e.id), '');
    }
    // What feeds output i now also goes where the instance's output i went.
    const outputs = Array.isArray(def.out) ? (def.out as { wires?: unknown }[]) : [];
    wiresOf(inst).forEach((targets, i) => {
      for (const src of endsOf(outputs[i]?.wires))
        for (const t of targets) {
          const origin = originalWire(inst.id, i, t);
          if (src.id === def.id) {
            // The subflow's input wired straight to an output.
            entry.push(t);
            wireOrigin.set(wireKey(inst.id, 0, t), origin);
            continue;
          }
          const copy = copies.get(src.id);
          if (!copy) continue;
          while (copy.wires.length <= src.port) copy.wires.push([]);
          copy.wires[src.port]!.push(t);
          wireOrigin.set(wireKey(copy.node.id, src.port, t), origin);
        }
    });
    inlined.add(inst.id);
    const junction: RedNode = {
      id: inst.id,
      type: 'junction',
      z: inst.z,
      x: inst.x,
      y: inst.y,
      wires: [entry],
    };
    return [
      junction,
      ...[...copies.values()].flatMap(({ node, wires }) => inline({ ...node, wires }, depth + 1)),
    ];
  };

  for (const n of byId.values()) {
    // The nodes of a subflow that has instances live on in their copies.
    if (typeof n.z === 'string' && used.has(n.z)) continue;
    if (n.type === 'subflow' && used.has(n.id)) continue;
    out.push(...(defOf(n) ? inline(n, 0) : [n]));
  }
  return { nodes: out, originOf, wireOrigin, inlined };
};
