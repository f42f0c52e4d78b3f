/**
 * The wires of an export as edges between the converted nodes, through link nodes and
 * junctions; a subflow's input becomes a Manual trigger wired to what it fed.
 */
import type { FlowEdge } from '../flow/schema';
import { takesInput, type Placed } from './assemble';
import type { LinkGraph } from './links';
import { coordinate, safeId, SCALE_X, SCALE_Y, wiresOf } from './read';
import { wireKey } from './subflows';
import type { NoteSeverity, RedNode } from './types';

/** What connecting needs from the import. */
export interface Wiring {
  readonly byId: ReadonlyMap<string, RedNode>;
  /** Converted nodes by Node-RED id; a subflow's input is added here as `<subflow id>#in`. */
  readonly placed: Map<string, Placed>;
  readonly links: LinkGraph;
  /** For a wire an inlined subflow copy carries, the key of the export's wire it copies ('' for none). */
  readonly wireOrigin: ReadonlyMap<string, string>;
  readonly noteFor: (n: RedNode) => (severity: NoteSeverity, message: string) => void;
  readonly freshId: (wanted: string) => string;
  /** The id of the Manual trigger each callable link in starts at (see LinkGraph.callable). */
  readonly callEntries: ReadonlyMap<string, string>;
}

/** The edges of the imported flows, and the keys (wireKey) of the export's wires they keep. */
export const connect = ({
  byId,
  placed,
  links,
  wireOrigin,
  noteFor,
  freshId,
  callEntries,
}: Wiring): {
  edges: FlowEdge[];
  keptWires: Set<string>;
} => {
  // Wires, through link nodes and junctions.
  const edges = new Map<string, FlowEdge>();
  const used = new Set<string>();
  const keptWires = new Set<string>();
  const virtualWires: { from: string; origin: string }[] = [];
  for (const n of byId.values()) {
    wiresOf(n).forEach((targets, index) => {
      for (const t of targets) {
        if (!byId.has(t)) continue;
        const key = wireKey(n.id, index, t);
        // '' for a wire the inlining of a subflow made, which the export does not have.
        const origin = wireOrigin.get(key) ?? key;
        const source = placed.get(n.id);
        if (!source) {
          if (links.isVirtual(n)) virtualWires.push({ from: n.id, origin });
          continue;
        }
        const ends = source.outputs[index];
        if (!ends || ends.length === 0) {
          noteFor(n)(
            'unsupported',
            `The wire from its output ${index + 1} to ${byId.get(t)!.type} ${t} was dropped: the converted node has no such output.`,
          );
          continue;
        }
        const { targets: reach, via } = links.resolve(t);
        via.forEach((v) => used.add(v));
        // A wire into a node that takes no input (an inject) goes nowhere in Node-RED either.
        const into = [...reach].filter((r) => takesInput(placed.get(r)));
        if (into.length < reach.size) {
          noteFor(n)(
            'unsupported',
            `The wire from its output ${index + 1} into ${byId.get(t)!.type} ${t}, which takes no input, was dropped.`,
          );
          if (into.length === 0) continue;
        }
        keptWires.add(origin);
        for (const r of into) {
          const target = placed.get(r)!;
          for (const end of ends) {
            const id = safeId(`${end.node}-${end.port}-${target.entry}`);
            if (!edges.has(`${end.node}/${end.port}>${target.entry}`))
              edges.set(`${end.node}/${end.port}>${target.entry}`, {
                id: freshId(id),
                from: end,
                to: { node: target.entry, port: 'in' },
              });
          }
        }
      }
    });
  }
  // A subflow's input becomes a Manual trigger, which is where Run flow starts it.
  for (const def of byId.values()) {
    const input =
      def.type === 'subflow' && Array.isArray(def.in) ? (def.in[0] as RedNode | undefined) : undefined;
    const targets = input ? (wiresOf(input)[0] ?? []) : [];
    if (!input || targets.length === 0) continue;
    const id = freshId(safeId(`${def.id}-in`));
    placed.set(`${def.id}#in`, {
      red: { id: `${def.id}#in`, type: 'subflow input', z: def.id },
      nodes: [
        {
          id,
          kind: 'trigger.manual',
          config: {},
          position: {
            x: coordinate(input.x, SCALE_X),
            y: coordinate(input.y, SCALE_Y),
          },
          label: 'Subflow input',
        },
      ],
      entry: id,
      outputs: [[{ node: id, port: 'out' }]],
      internal: [],
      placeholder: false,
    });
    for (const r of targets.flatMap((t) => [...links.resolve(t).targets])) {
      const target = placed.get(r);
      if (target)
        edges.set(`${id}>${target.entry}`, {
          id: freshId(`${id}-${target.entry}`.slice(0, 64)),
          from: { node: id, port: 'out' },
          to: { node: target.entry, port: 'in' },
        });
    }
  }
  // A link in a link call calls, or that nothing sends to, is started at a Manual trigger of its own.
  for (const [linkIn, id] of callEntries) {
    const n = byId.get(linkIn);
    if (!n) continue;
    const why = links.callableWhy.get(linkIn);
    if (why) noteFor(n)('changed', why);
    placed.set(`${linkIn}#call`, {
      red: { id: `${linkIn}#call`, type: 'link in entry', z: n.z },
      nodes: [
        {
          id,
          kind: 'trigger.manual',
          config: {},
          position: { x: coordinate(n.x, SCALE_X), y: coordinate(n.y, SCALE_Y) },
          label: typeof n.name === 'string' && n.name ? `Link in ${n.name}`.slice(0, 120) : 'Link in',
        },
      ],
      entry: id,
      outputs: [[{ node: id, port: 'out' }]],
      internal: [],
      placeholder: false,
    });
    for (const r of (wiresOf(n)[0] ?? []).flatMap((t) => [...links.resolve(t).targets])) {
      const target = placed.get(r);
      if (target && takesInput(target))
        edges.set(`${id}>${target.entry}`, {
          id: freshId(`${id}-${target.entry}`.slice(0, 64)),
          from: { node: id, port: 'out' },
          to: { node: target.entry, port: 'in' },
        });
    }
  }
  // A wire out of a link node is kept when messages travel it, or when nothing ever sends to it.
  const sent = new Set([...byId.values()].flatMap((n) => wiresOf(n).flat()));
  for (const targets of links.linkTargets.values()) targets.forEach((t) => sent.add(t));
  for (const w of virtualWires) if (used.has(w.from) || !sent.has(w.from)) keptWires.add(w.origin);
  return { edges: [...edges.values()], keptWires };
};
