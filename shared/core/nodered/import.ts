/**
 * Imports a Node-RED export (the JSON of Export → Clipboard, or a `flows.json`) as Fieldgraph
 * flows so that the graph survives: every node becomes catalog nodes that do the same, or a
 * `nodered.unconverted` placeholder keeping its settings and wires; link in/out nodes and
 * junctions become direct edges (tabs wired together by links become one flow); subflow instances
 * are inlined (see subflows.ts); each tab, and each subflow no instance uses, becomes a flow;
 * Node-RED groups become labelled groups. The report names every
 * placeholder, every setting left out, and every JSONata, context or environment reference.
 */
import { mergeRoles } from './convert-ha-entities';
import { NODE_RED_PLACEHOLDER } from '../flow/catalog/imported';
import { assemble, instantiate, subflowReason, type ImportedFlow, type Placed } from './assemble';
import { flowVariables, globalNames } from './context';
import { convertNode } from './convert';
import { dashboardImport } from './convert-dashboard';
import { aimCalls } from './calls';
import { convertLinkCall, convertLinkReturn } from './convert-link';
import { connect } from './edges';
import { envResolver } from './env';
import { inlineEnv, type Inlined } from './env-inline';
import { linkGraph } from './links';
import {
  coordinate,
  LAYOUT_TYPES,
  MAX_NODERED_OBJECTS,
  parse,
  safeId,
  SCALE_X,
  SCALE_Y,
  settingsOf,
  SOURCES,
  wiresOf,
} from './read';
import { referencedNames, referencesOf } from './refs';
import { expandSubflows, wireKey } from './subflows';
import { text, type ImportNote, type NoteSeverity, type RedNode, type RoleNeed } from './types';

export type { ImportedFlow, ImportedGroup } from './assemble';
export { MAX_NODERED_OBJECTS, NodeRedImportError } from './read';
export type { ImportNote, NoteSeverity, RoleNeed } from './types';

/** The flows made from an export, and what did not convert. */
export interface NodeRedImport {
  readonly flows: readonly ImportedFlow[];
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
  // Environment variables the export defines become the constants Node-RED would read.
  const resolveEnv = envResolver(original, expansion.originOf);
  const envNotes = new Map<string, Inlined>();
  const all = expansion.nodes.map((n) => {
    if (!Array.isArray(n.wires) || LAYOUT_TYPES.has(n.type)) return n;
    const r = inlineEnv(n, (name) => resolveEnv(n.id, name));
    if (r.inlined.length || r.unresolved.length) envNotes.set(n.id, r);
    return r.node;
  });
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
  const globals = globalNames(original.values());

  const links = linkGraph(byId);
  const { isVirtual, resolve } = links;

  // Convert every real node.
  const taken = new Set<string>();
  const freshId = (wanted: string): string => {
    let id = wanted;
    for (let i = 2; taken.has(id); i++) id = `${wanted.slice(0, 56)}-${i}`;
    taken.add(id);
    return id;
  };
  const placed = new Map<string, Placed>();
  const callEntries = new Map([...links.callable].map((id) => [id, freshId(safeId(`${id}-call`))] as const));
  const incoming = new Set(
    flowNodes.flatMap((n) => wiresOf(n).flat()).flatMap((t) => [...resolve(t).targets]),
  );
  const dashboard = dashboardImport(byId, (id) => incoming.has(id));
  for (const n of flowNodes) {
    const note = noteFor(n);
    const origin = originId(n.id);
    const flowVars = expansion.originOf.has(n.id) ? noFlowVars : (flowVarsByTab.get(text(n.z)) ?? noFlowVars);
    for (const ref of referencesOf(n, flowVars)) note('reference', `It ${ref}.`);
    for (const s of envNotes.get(n.id)?.inlined ?? []) note('changed', `It ${s}.`);
    for (const s of envNotes.get(n.id)?.unresolved ?? []) note('reference', `It ${s}.`);
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
          ? text(n.mode) === 'return'
            ? convertLinkReturn()
            : { reason: 'It names no link in node of this export.' }
          : n.type === 'link call'
            ? convertLinkCall(
                n,
                links.callTargets.get(n.id),
                callEntries.get(links.callTargets.get(n.id) ?? ''),
              )
            : n.type.startsWith('subflow:')
              ? subflowReason(n, byId)
              : convertNode(
                  n,
                  note,
                  expansion.originOf.has(n.id) ? noFlowVars : (flowVarsByTab.get(text(n.z)) ?? noFlowVars),
                  globals,
                  dashboard,
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

  const { edges, keptWires } = connect({
    byId,
    placed,
    links,
    wireOrigin: expansion.wireOrigin,
    noteFor,
    freshId,
    callEntries,
  });
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
    flows: aimCalls(assemble(all, byId, placed, edges, notes).flows),
    notes,
    roles: mergeRoles([...placed.values()].flatMap((p) => p.roles ?? [])),
    total: originals.length,
    converted: count('converted'),
    placeholders: count('placeholder'),
    wires,
    wiresKept: kept,
  };
};
