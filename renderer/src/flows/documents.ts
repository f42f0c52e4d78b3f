/**
 * Canvas flows to and from the project's flow documents (flows/<id>.json, the format of
 * shared/core/flow/schema): the canvas's labelled groups travel in the document as `groups`,
 * the roles a flow uses are listed, and fields the canvas does not edit are kept as loaded.
 */
import { flowSchemaVersion } from '../../../shared/core/flow/schema';
import type { Flow, FlowEdge, FlowGroup, FlowNode } from '../canvas/types';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The document to store for a canvas flow. */
export const toFlowDocument = (flow: Flow): Record<string, unknown> => {
  const roles = [
    ...new Set(
      flow.nodes.map((n) => n.config.role).filter((r): r is string => typeof r === 'string' && r !== ''),
    ),
  ].sort();
  return {
    runMode: { mode: 'single', max: 10 },
    ...flow.saved,
    schemaVersion: flowSchemaVersion,
    id: flow.id,
    name: flow.name,
    roles,
    nodes: flow.nodes.map((n) => ({ ...n })),
    edges: flow.edges.map((e) => ({ ...e })),
    groups: flow.groups.map((g) => ({ ...g })),
  };
};

/** A canvas flow from a stored document; returns null for something that is not a flow at all. */
export const fromFlowDocument = (doc: unknown): Flow | null => {
  if (!isObject(doc) || typeof doc.id !== 'string' || !Array.isArray(doc.nodes) || !Array.isArray(doc.edges))
    return null;
  const { id, name, nodes, edges, groups, schemaVersion: _v, roles: _r, ...saved } = doc;
  return {
    id,
    name: typeof name === 'string' && name ? name : id,
    nodes: (nodes as unknown[]).filter(isObject) as unknown as FlowNode[],
    edges: (edges as unknown[]).filter(isObject) as unknown as FlowEdge[],
    groups: Array.isArray(groups)
      ? groups.filter(
          (g): g is FlowGroup => isObject(g) && typeof g.id === 'string' && typeof g.label === 'string',
        )
      : [],
    saved,
  };
};
