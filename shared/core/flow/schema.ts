/**
 * The flow file format: nodes, edges, the roles a flow talks to, and its run mode. These
 * TypeBox schemas are the single source of the types and of resources/schemas/flow.schema.json.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Version of the flow format this code reads and writes. */
export const flowSchemaVersion = 1;

/** A node or edge id: short, stable, safe in file names, topics and CSS selectors. */
export const FlowItemId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });

/** Where a node sits on the canvas, in canvas units. */
export const CanvasPosition = Type.Object({ x: Type.Number(), y: Type.Number() });

/** One node: an instance of a catalog kind with its configuration. */
export const FlowNode = Type.Object({
  id: FlowItemId,
  kind: Type.String({ description: 'A kind from the node catalog, e.g. "logic.if"' }),
  label: Type.Optional(Type.String({ maxLength: 120 })),
  config: Type.Record(Type.String(), Type.Unknown(), {
    description: 'Kind-specific settings, see the catalog',
  }),
  position: CanvasPosition,
  /** The id of the labelled group (in the flow's `groups`) the node is drawn in. */
  group: Type.Optional(FlowItemId),
});
export type FlowNode = Static<typeof FlowNode>;

/**
 * A labelled frame the canvas draws around some nodes ("Hallway"); which nodes belong to it is
 * stored on each node as `group`. Groups only arrange the drawing: they never change how a flow runs.
 */
export const FlowGroup = Type.Object({
  id: FlowItemId,
  label: Type.String({ maxLength: 120 }),
});
export type FlowGroup = Static<typeof FlowGroup>;

/** One end of an edge: a node and one of its port names. */
export const PortRef = Type.Object({ node: FlowItemId, port: Type.String({ minLength: 1 }) });
export type PortRef = Static<typeof PortRef>;

/** A wire from an output port to an input port. */
export const FlowEdge = Type.Object({ id: FlowItemId, from: PortRef, to: PortRef });
export type FlowEdge = Static<typeof FlowEdge>;

/** What happens when a flow is triggered while a run is still going (Home Assistant's modes). */
export const RunModeName = Type.Union([
  Type.Literal('single'),
  Type.Literal('restart'),
  Type.Literal('queued'),
  Type.Literal('parallel'),
]);
export type RunModeName = Static<typeof RunModeName>;

/** Run mode with its limit: queued = waiting runs allowed, parallel = concurrent runs allowed. */
export const RunMode = Type.Object({
  mode: RunModeName,
  max: Type.Integer({ minimum: 1, maximum: 10_000, default: 10 }),
});
export type RunMode = Static<typeof RunMode>;

/** A flow as saved in `flows/<id>.json` and shipped in packages. */
export const Flow = Type.Object(
  {
    schemaVersion: Type.Literal(flowSchemaVersion),
    id: FlowItemId,
    name: Type.String({ minLength: 1, maxLength: 120 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    roles: Type.Array(Type.String({ minLength: 1 }), {
      description: 'Names of the roles this flow talks to',
    }),
    runMode: RunMode,
    nodes: Type.Array(FlowNode),
    edges: Type.Array(FlowEdge),
    groups: Type.Optional(Type.Array(FlowGroup, { description: 'Labelled groups drawn on the canvas' })),
  },
  { title: 'Fieldgraph flow' },
);
export type Flow = Static<typeof Flow>;
