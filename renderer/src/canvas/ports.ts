/**
 * Ports on the canvas: each node's layout (fixed, from the catalog, so xyflow never
 * measures) and whether two ports may be wired together, with the reason if not.
 */
import type { Flow, FlowNode, NodeKindSpec, NodeLayout, PortSpec } from './types';

/** Size of a handle, in px. */
export const HANDLE_SIZE = 10;

const cache = new WeakMap<NodeKindSpec, WeakMap<object, NodeLayout>>();

/** The layout of a node, cached per spec and config object (both are never mutated). */
export const layoutOf = (spec: NodeKindSpec, config: Readonly<Record<string, unknown>>): NodeLayout => {
  let bySpec = cache.get(spec);
  if (!bySpec) {
    bySpec = new WeakMap();
    cache.set(spec, bySpec);
  }
  let layout = bySpec.get(config);
  if (!layout) {
    layout = spec.layout(config);
    bySpec.set(config, layout);
  }
  return layout;
};

const UNKNOWN: NodeLayout = { width: 200, height: 84, inputs: [], outputs: [], handles: [] };

/** The layout of `node`, or a plain box for a kind the catalog lacks (it still shows up). */
export const nodeLayout = (node: FlowNode, catalog: ReadonlyMap<string, NodeKindSpec>): NodeLayout => {
  const spec = catalog.get(node.kind);
  return spec ? layoutOf(spec, node.config) : UNKNOWN;
};
const NUMBERS = new Set(['int', 'uint', 'double', 'number', 'integer']);

/** True when a value of type `from` may flow into a port of type `to`. */
export const typeFits = (from: string, to: string): boolean =>
  from === to || from === 'any' || to === 'any' || (NUMBERS.has(from) && NUMBERS.has(to));

/** A proposed wire, as xyflow reports it. */
export interface ConnectionAttempt {
  readonly source: string;
  readonly sourceHandle?: string | null;
  readonly target: string;
  readonly targetHandle?: string | null;
}

/** Why a wire may not be drawn, or null when it may. */
export const connectionProblem = (
  flow: Flow,
  catalog: ReadonlyMap<string, NodeKindSpec>,
  attempt: ConnectionAttempt,
): string | null => {
  if (attempt.source === attempt.target) return 'A node cannot be wired to itself.';
  const source = flow.nodes.find((n) => n.id === attempt.source);
  const target = flow.nodes.find((n) => n.id === attempt.target);
  if (!source || !target) return 'Both ends must be nodes of this flow.';
  const sourceSpec = catalog.get(source.kind);
  const targetSpec = catalog.get(target.kind);
  const out = sourceSpec && findPort(layoutOf(sourceSpec, source.config).outputs, attempt.sourceHandle);
  const inp = targetSpec && findPort(layoutOf(targetSpec, target.config).inputs, attempt.targetHandle);
  if (!out || !inp) return 'Wire an output (right side) to an input (left side).';
  if (!typeFits(out.type, inp.type)) {
    return `“${out.label ?? out.name}” sends ${out.type} but “${inp.label ?? inp.name}” takes ${inp.type}. Put a Transform node between them to convert it.`;
  }
  const duplicate = flow.edges.some(
    (e) =>
      e.from.node === source.id &&
      e.from.port === out.name &&
      e.to.node === target.id &&
      e.to.port === inp.name,
  );
  if (duplicate) return 'These ports are already wired.';
  return null;
};

const findPort = (ports: readonly PortSpec[] | undefined, name: string | null | undefined) =>
  ports?.find((p) => p.name === name);
