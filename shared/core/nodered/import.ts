/**
 * Imports a Node-RED export (the JSON of Export → Clipboard, or a `flows.json`) as Fieldgraph
 * flows so that the graph survives: every node becomes catalog nodes that do the same, or a
 * `nodered.unconverted` placeholder keeping its settings and wires; link in/out nodes and
 * junctions become direct edges (tabs wired together by links become one flow); subflow instances
 * are inlined (see subflows.ts); each tab, and each subflow no instance uses, becomes a flow;
 * Node-RED groups become labelled groups. The report names every
 * placeholder, every setting left out, and every JSONata, context or environment reference.
 */
import { configWithDefaults, getNodeKind, inputPortsOf } from '../flow/catalog';
import { NODE_RED_PLACEHOLDER } from '../flow/catalog/imported';
import { flowSchemaVersion, type Flow, type FlowEdge, type FlowNode } from '../flow/schema';
import { convertNode } from './convert';
import { flowVariables } from './context';
import { referencedNames, referencesOf } from './refs';
import { expandSubflows, wireKey } from './subflows';
import {
  text,
  type Conversion,
  type ImportNote,
  type NoteSeverity,
  type PieceEnd,
  type RedNode,
  type RoleNeed,
  type Subgraph,
} from './types';

export type { ImportNote, NoteSeverity, RoleNeed } from './types';

/** A labelled group of imported nodes (from a Node-RED group). */
export interface ImportedGroup {
  readonly id: string;
  readonly label: string;
  readonly nodes: readonly string[];
}

/** The flows made from an export, and what did not convert. */
export interface NodeRedImport {
  readonly flows: readonly { readonly flow: Flow; readonly groups: readonly ImportedGroup[] }[];
  readonly notes: readonly ImportNote[];
  /** The roles converted nodes talk to (Home Assistant entities), for the project's design. */
  readonly roles: readonly RoleNeed[];
  /** Node-RED flow nodes in the export (not tabs, groups, comments, junctions or config nodes). */
  readonly total: number;
  /** How many of them became Fieldgraph nodes that run (link nodes count when they became edges). */
  readonly converted: number;
  /** How many became placeholders. */
  readonly placeholders: number;
  /** Wires in the export (those that end at a node that exists), and how many the flows keep. */
  readonly wires: number;
  readonly wiresKept: number;
}

/** Why an export could not be read at all. */
export class NodeRedImportError extends Error {
  override readonly name = 'NodeRedImportError';
}

/** Most Node-RED objects one import takes; real exports have a few thousand. */
export const MAX_NODERED_OBJECTS = 50_000;

const LAYOUT_TYPES = new Set(['tab', 'subflow', 'group', 'comment', 'junction']);
/** Node-RED positions are node centres at a tighter scale; Fieldgraph nodes are 200 px wide. */
const SCALE_X = 1.6;
const SCALE_Y = 2;
/** Node-RED types that start messages and have no input of their own. */
const SOURCES = new Set([
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
const coordinate = (v: unknown, scale: number): number => {
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(Math.max(-1e6, Math.min(1e6, n)) * scale) : 0;
};

const safeId = (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 56) || 'node';

const parse = (json: string | unknown): RedNode[] => {
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

const wiresOf = (n: RedNode): string[][] =>
  Array.isArray(n.wires)
    ? n.wires.map((port) =>
        Array.isArray(port) ? port.filter((t): t is string => typeof t === 'string') : [],
      )
    : [];

/** A copy of a node's settings for a placeholder: no layout keys, long texts cut. */
const settingsOf = (n: RedNode): Record<string, unknown> => {
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

interface Placed {
  readonly red: RedNode;
  readonly nodes: FlowNode[];
  /** The id of the node that takes the Node-RED node's input wires. */
  readonly entry: string;
  readonly outputs: readonly (readonly { node: string; port: string }[])[];
  /** Edges between the node's own pieces. */
  readonly internal: readonly { readonly from: FlowEdge['from']; readonly to: FlowEdge['to'] }[];
  readonly placeholder: boolean;
  readonly roles?: readonly RoleNeed[];
}

/**
 * Converts a Node-RED export (JSON text or parsed) to flows; throws NodeRedImportError when it
 * is not an export at all. Never throws for odd nodes: they become placeholders.
 */
export const importNodeRed = (json: string | unknown): NodeRedImport => {
  const parsed = parse(json);
  const notes: ImportNote[] = [];
  const original = new Map<string, RedNode>();
  for (const n of parsed) if (!original.has(n.id)) original.set(n.id, n);
  const isFlowNode = (n: RedNode) => Array.isArray(n.wires) && !LAYOUT_TYPES.has(n.type);
  const originals = [...original.values()].filter(isFlowNode);
  // From here on the export is read with its subflow instances inlined; counts stay per node of
  // the export (a subflow's node counts once however many instances copy it).
  const expansion = expandSubflows(original, MAX_NODERED_OBJECTS - original.size);
  const all = expansion.nodes;
  const byId = new Map(all.map((n) => [n.id, n] as const));
  const flowNodes = all.filter(isFlowNode);
  const originId = (id: string) => expansion.originOf.get(id) ?? id;
  const noted = new Set<string>();
  const noteFor =
    (copy: RedNode) =>
    (severity: NoteSeverity, message: string): void => {
      const n = original.get(originId(copy.id)) ?? copy;
      // Each copy of a subflow's node would say the same: once is enough.
      const key = `${n.id}\u0000${severity}\u0000${message}`;
      if (noted.has(key)) return;
      noted.add(key);
      notes.push({
        nodeId: n.id,
        nodeType: n.type,
        ...(typeof n.name === 'string' && n.name ? { nodeName: n.name.slice(0, 120) } : {}),
        severity,
        message,
      });
    };
  /** Per node of the export: whether it (or its first copy) converted. */
  const status = new Map<string, 'converted' | 'placeholder'>();
  // Flow context a tab's change nodes keep, read as flow variables (never inside a subflow's copy,
  // whose context is the instance's own).
  const flowVarsByTab = flowVariables(original.values());
  const noFlowVars: ReadonlySet<string> = new Set();

  // Link nodes: a link out names the link in nodes it sends to, a link in the link outs it hears.
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
  /** Nodes that become edges rather than nodes. */
  const isVirtual = (n: RedNode | undefined): boolean =>
    n !== undefined &&
    (n.type === 'junction' ||
      (n.type === 'link out' && text(n.mode) !== 'return' && (linkTargets.get(n.id)?.size ?? 0) > 0) ||
      (n.type === 'link in' && heard.has(n.id)));

  // The real nodes a wire into `id` reaches, through link nodes and junctions.
  const resolved = new Map<string, { targets: Set<string>; via: Set<string> }>();
  const resolve = (id: string, visiting = new Set<string>()): { targets: Set<string>; via: Set<string> } => {
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

  // Convert every real node.
  const taken = new Set<string>();
  const freshId = (wanted: string): string => {
    let id = wanted;
    for (let i = 2; taken.has(id); i++) id = `${wanted.slice(0, 56)}-${i}`;
    taken.add(id);
    return id;
  };
  const placed = new Map<string, Placed>();
  const incoming = new Set(
    flowNodes.flatMap((n) => wiresOf(n).flat()).flatMap((t) => [...resolve(t).targets]),
  );
  for (const n of flowNodes) {
    const note = noteFor(n);
    const origin = originId(n.id);
    for (const ref of referencesOf(n)) note('reference', `It ${ref}.`);
    if (isVirtual(n)) {
      if (!status.has(origin)) status.set(origin, 'converted');
      continue;
    }
    const position = {
      x: coordinate(n.x, SCALE_X),
      y: coordinate(n.y, SCALE_Y),
    };
    const label = typeof n.name === 'string' && n.name ? { label: n.name.slice(0, 120) } : {};
    let conversion: ReturnType<typeof convertNode>;
    try {
      conversion =
        n.type === 'link out'
          ? {
              reason:
                text(n.mode) === 'return'
                  ? 'It returns to the link call that called it; use a Run flow node.'
                  : 'It names no link in node of this export.',
            }
          : n.type === 'link in'
            ? { reason: 'No link out node of this export sends to it (a link call may call it).' }
            : n.type.startsWith('subflow:')
              ? subflowReason(n, byId)
              : convertNode(
                  n,
                  note,
                  expansion.originOf.has(n.id) ? noFlowVars : (flowVarsByTab.get(text(n.z)) ?? noFlowVars),
                );
    } catch (error) {
      // A conversion must never end an import: a malformed node stays a placeholder.
      conversion = { reason: `Its settings could not be read (${(error as Error).message}).` };
    }
    if (!status.has(origin)) status.set(origin, 'graph' in conversion ? 'converted' : 'placeholder');
    if ('graph' in conversion) {
      const vars = flowVarsByTab.get(text(n.z));
      const read = vars
        ? [
            ...new Set(
              referencedNames(n).flatMap(([t, name]) => (t === 'flow' && vars.has(name) ? [name] : [])),
            ),
          ]
        : [];
      if (read.length && !expansion.originOf.has(n.id))
        note(
          'changed',
          `It uses ${read.map((v) => `vars.${v}`).join(', ')}, the flow variables its tab's change nodes set; read before they are first set, the run fails where Node-RED read nothing.`,
        );
      placed.set(n.id, instantiate(n, conversion.graph, freshId, position, label));
      continue;
    }
    note('placeholder', conversion.reason);
    const outputs = Math.min(
      32,
      Math.max(wiresOf(n).length, Number.isInteger(n.outputs) ? Number(n.outputs) : 0),
    );
    const id = freshId(safeId(n.id));
    const config: Record<string, unknown> = {
      type: n.type.slice(0, 200),
      ...(typeof n.name === 'string' && n.name ? { name: n.name.slice(0, 200) } : {}),
      reason: conversion.reason,
      inputs: incoming.has(n.id) || !SOURCES.has(n.type) ? 1 : 0,
      outputs,
      ...(typeof n.func === 'string' ? { code: n.func.slice(0, 200_000) } : {}),
      properties: settingsOf(n),
    };
    placed.set(n.id, {
      red: n,
      nodes: [{ id, kind: NODE_RED_PLACEHOLDER, config, position, ...label }],
      entry: id,
      outputs: Array.from({ length: outputs }, (_, i) => [{ node: id, port: `out${i + 1}` }]),
      internal: [],
      placeholder: true,
    });
  }

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
        const origin = expansion.wireOrigin.get(key) ?? key;
        const source = placed.get(n.id);
        if (!source) {
          if (isVirtual(n)) virtualWires.push({ from: n.id, origin });
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
        const { targets: reach, via } = resolve(t);
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
    for (const r of targets.flatMap((t) => [...resolve(t).targets])) {
      const target = placed.get(r);
      if (target)
        edges.set(`${id}>${target.entry}`, {
          id: freshId(`${id}-${target.entry}`.slice(0, 64)),
          from: { node: id, port: 'out' },
          to: { node: target.entry, port: 'in' },
        });
    }
  }
  // A wire out of a link node is kept when messages travel it, or when nothing ever sends to it.
  const sent = new Set([...byId.values()].flatMap((n) => wiresOf(n).flat()));
  for (const targets of linkTargets.values()) targets.forEach((t) => sent.add(t));
  for (const w of virtualWires) if (used.has(w.from) || !sent.has(w.from)) keptWires.add(w.origin);
  let wires = 0;
  let kept = 0;
  for (const n of original.values())
    wiresOf(n).forEach((targets, index) => {
      for (const t of targets) {
        if (!original.has(t)) continue;
        wires++;
        if (keptWires.has(wireKey(n.id, index, t))) kept++;
      }
    });
  // An inlined instance became edges to and from its copies.
  for (const id of expansion.inlined) if (!status.has(originId(id))) status.set(originId(id), 'converted');
  for (const n of originals)
    if (!status.has(n.id)) {
      // Only a subflow that holds an instance of itself leaves nodes no flow runs.
      status.set(n.id, 'placeholder');
      noteFor(n)(
        'placeholder',
        'It belongs to a subflow that only instances of itself use, so nothing runs it.',
      );
    }
  const count = (s: 'converted' | 'placeholder') => originals.filter((n) => status.get(n.id) === s).length;
  return {
    ...assemble(all, byId, placed, [...edges.values()], notes),
    notes,
    roles: [
      ...new Map([...placed.values()].flatMap((p) => p.roles ?? []).map((r) => [r.id, r] as const)).values(),
    ],
    total: originals.length,
    converted: count('converted'),
    placeholders: count('placeholder'),
    wires,
    wiresKept: kept,
  };
};

/** True when the node a wire ends at has an input port. */
const takesInput = (p: Placed | undefined): boolean => {
  const entry = p?.nodes.find((n) => n.id === p.entry);
  const kind = entry ? getNodeKind(entry.kind) : undefined;
  return (
    kind !== undefined &&
    inputPortsOf(kind, configWithDefaults(kind, entry!.config)).some((port) => port.name === 'in')
  );
};

/** Why a subflow instance was not inlined. */
const subflowReason = (n: RedNode, byId: ReadonlyMap<string, RedNode>): Conversion => {
  const def = byId.get(n.type.slice('subflow:'.length));
  return {
    reason:
      def?.type === 'subflow'
        ? 'It is an instance of a subflow nested in itself or too deeply to copy.'
        : 'It is an instance of a subflow this export does not hold.',
  };
};

const instantiate = (
  n: RedNode,
  graph: Subgraph,
  freshId: (wanted: string) => string,
  position: { x: number; y: number },
  label: { label?: string },
): Placed => {
  const ids = new Map<string, string>();
  const base = safeId(n.id);
  graph.pieces.forEach((p, i) => ids.set(p.key, freshId(i === 0 ? base : `${base}-${p.key}`)));
  const nodes: FlowNode[] = graph.pieces.map((p, i) => ({
    id: ids.get(p.key)!,
    kind: p.kind,
    config: p.config,
    position: { x: position.x + (p.dx ?? 0), y: position.y + (p.dy ?? 0) },
    ...(i === 0 ? label : {}),
  }));
  const end = ([key, port]: PieceEnd) => ({ node: ids.get(key)!, port });
  const internal = graph.links.map((l) => ({ from: end(l.from), to: end(l.to) }));
  return {
    red: n,
    nodes,
    entry: ids.get(graph.pieces[0]!.key)!,
    outputs: graph.outputs.map((ends) => ends.map(end)),
    internal,
    placeholder: false,
    ...(graph.roles ? { roles: graph.roles } : {}),
  };
};

/** Groups containers (tabs, subflows) into flows: containers a wire crosses between become one flow. */
const assemble = (
  all: readonly RedNode[],
  byId: ReadonlyMap<string, RedNode>,
  placed: ReadonlyMap<string, Placed>,
  edges: readonly FlowEdge[],
  notes: ImportNote[],
): { flows: NodeRedImport['flows'] } => {
  const containerOf = new Map<string, string>();
  for (const p of placed.values()) for (const fn of p.nodes) containerOf.set(fn.id, text(p.red.z));
  const parent = new Map<string, string>();
  const find = (c: string): string => {
    let r = c;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const containers = [...new Set([...placed.values()].map((p) => text(p.red.z)))];
  for (const c of containers) parent.set(c, c);
  for (const e of edges) {
    const a = find(containerOf.get(e.from.node) ?? '');
    const b = find(containerOf.get(e.to.node) ?? '');
    if (a !== b) parent.set(b, a);
  }
  const order = all.filter((n) => n.type === 'tab' || n.type === 'subflow').map((n) => n.id);
  const rank = (c: string) => (order.includes(c) ? order.indexOf(c) : order.length);
  const components = new Map<string, string[]>();
  for (const c of [...containers].sort((a, b) => rank(a) - rank(b))) {
    const root = find(c);
    components.set(root, [...(components.get(root) ?? []), c]);
  }
  const usedFlowIds = new Set<string>();
  const flows = [...components.values()].map((members, i) => {
    const titleOf = (c: string) => {
      const t = byId.get(c);
      return t?.type === 'subflow'
        ? `Subflow ${text(t.name) || c}`
        : text(t?.label) || `Imported flow ${i + 1}`;
    };
    if (members.length > 1)
      notes.push({
        severity: 'changed',
        message: `${members.map((c) => `“${titleOf(c)}”`).join(', ')} were joined into one flow: link nodes wire them together.`,
      });
    const nodes: FlowNode[] = [];
    const flowEdges: FlowEdge[] = [];
    const memberIds = new Set(members);
    let offset = 0;
    for (const c of members) {
      const inC = [...placed.values()].filter((p) => text(p.red.z) === c);
      const ys = inC.flatMap((p) => p.nodes.map((n) => n.position.y));
      const top = ys.length ? Math.min(...ys) : 0;
      for (const p of inC) {
        for (const n of p.nodes)
          nodes.push(
            members.length > 1 ? { ...n, position: { x: n.position.x, y: n.position.y - top + offset } } : n,
          );
        p.internal.forEach((l, k) => flowEdges.push({ id: `${p.entry}-i${k}`.slice(0, 64), ...l }));
      }
      offset += (ys.length ? Math.max(...ys) - top : 0) + 240;
    }
    const inFlow = new Set(nodes.map((n) => n.id));
    for (const e of edges) if (inFlow.has(e.from.node)) flowEdges.push(e);
    const groups: ImportedGroup[] = all
      .filter((g) => g.type === 'group' && memberIds.has(text(g.z)))
      .map((g) => ({
        id: safeId(g.id),
        label: (text(g.name) || 'Group').slice(0, 120),
        nodes: (Array.isArray(g.nodes) ? g.nodes : [])
          .filter((id): id is string => typeof id === 'string')
          .flatMap((id) => placed.get(id)?.nodes.map((n) => n.id) ?? []),
      }))
      .filter((g) => g.nodes.length > 0);
    let id = safeId(members[0] || `imported-${i + 1}`);
    for (let k = 2; usedFlowIds.has(id); k++) id = `${safeId(members[0] || 'imported')}-${k}`;
    usedFlowIds.add(id);
    const flow: Flow = {
      schemaVersion: flowSchemaVersion,
      id,
      name: members.map(titleOf).join(' + ').slice(0, 120) || `Imported flow ${i + 1}`,
      roles: [
        ...new Set(
          [...placed.values()]
            .filter((p) => memberIds.has(text(p.red.z)))
            .flatMap((p) => (p.roles ?? []).map((r) => r.id)),
        ),
      ].sort(),
      runMode: { mode: 'parallel', max: 10 },
      nodes,
      edges: flowEdges,
    };
    return { flow, groups };
  });
  return { flows };
};
