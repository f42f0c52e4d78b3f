/**
 * The node catalog: every node kind, defined once, read by the palette, the inspector, the
 * validator, the packager and the engine. `catalogEntries()` gives the same data without
 * executors, for the UI over the API.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { actionKinds } from './actions';
import { httpEndpointKinds } from './http-endpoint';
import { importedKinds } from './imported';
import { logicKinds } from './logic';
import { panelKinds } from './panel';
import { sequenceKinds } from './sequence';
import { timingKinds } from './timing';
import { triggerKinds } from './triggers';
import type { NodeKind, PortSpec } from './types';

export type * from './types';
export {
  checkPropertyValue,
  fitsPropertyBounds,
  MESSAGE_PROPERTY_LIMITS,
  MESSAGE_PROPERTY_NAME,
  messageView,
  propertyNameProblem,
  withProperties,
} from './message';
export { NODE_RED_PLACEHOLDER, placeholderMessage, placeholderOutputs } from './imported';

/** Every kind, in palette order (triggers, logic, actions). */
export const nodeKinds: readonly NodeKind[] = [
  ...triggerKinds,
  httpEndpointKinds.endpoint,
  panelKinds.control,
  ...logicKinds,
  ...timingKinds,
  ...sequenceKinds,
  ...importedKinds,
  ...actionKinds,
  httpEndpointKinds.response,
  panelKinds.show,
];

const byKind = new Map(nodeKinds.map((k) => [k.kind, k]));

/** The catalog entry of a kind, or undefined for a kind this version does not know. */
export const getNodeKind = (kind: string): NodeKind | undefined => byKind.get(kind);

/** A node's config with the kind's defaults filled in (the node itself is not changed). */
export const configWithDefaults = (
  kind: NodeKind,
  config: Record<string, unknown>,
): Record<string, unknown> => Value.Default(kind.config, Value.Clone(config)) as Record<string, unknown>;

/** Input ports of a node, following its config where the kind's ports depend on it. */
export const inputPortsOf = (kind: NodeKind, config: Record<string, unknown>): readonly PortSpec[] =>
  typeof kind.inputs === 'function' ? kind.inputs(config) : kind.inputs;

/** Output ports of a node, following its config where the kind's ports depend on it. */
export const outputPortsOf = (kind: NodeKind, config: Record<string, unknown>): readonly PortSpec[] =>
  typeof kind.outputs === 'function' ? kind.outputs(config) : kind.outputs;

/** A handle the canvas draws without measuring: its port, side and offset inside the node. */
export const NodeHandle = Type.Object({
  id: Type.String(),
  type: Type.Union([Type.Literal('source'), Type.Literal('target')]),
  position: Type.Union([Type.Literal('left'), Type.Literal('right')]),
  x: Type.Number(),
  y: Type.Number(),
  width: Type.Number(),
  height: Type.Number(),
});
export type NodeHandle = Static<typeof NodeHandle>;

/** Size and handles of a node on the canvas. */
export interface NodeLayout {
  readonly width: number;
  readonly height: number;
  readonly handles: readonly NodeHandle[];
}

const handleSize = 10;
const portPitch = 20;

/**
 * The node's size and handle positions, from its kind and config alone: inputs on the left,
 * outputs on the right, evenly spaced; a node grows taller when it has many ports.
 */
export const layoutNode = (kind: NodeKind, config: Record<string, unknown>): NodeLayout => {
  const inputs = inputPortsOf(kind, config);
  const outputs = outputPortsOf(kind, config);
  const height = Math.max(kind.size.height, 16 + portPitch * Math.max(inputs.length, outputs.length));
  const { width } = kind.size;
  const place = (ports: readonly PortSpec[], type: 'source' | 'target'): NodeHandle[] =>
    ports.map((p, i) => ({
      id: p.name,
      type,
      position: type === 'target' ? 'left' : 'right',
      x: type === 'target' ? -handleSize / 2 : width - handleSize / 2,
      y: Math.round(((i + 1) * height) / (ports.length + 1) - handleSize / 2),
      width: handleSize,
      height: handleSize,
    }));
  return { width, height, handles: [...place(inputs, 'target'), ...place(outputs, 'source')] };
};

/** A port as plain data. */
export const CatalogPort = Type.Object({
  name: Type.String(),
  label: Type.String(),
  shape: Type.Unknown({ description: 'JSON-Schema-like shape of the payload; {} means anything' }),
});

/** A catalog entry as plain data for the palette and inspector (no executor). */
export const CatalogEntry = Type.Object({
  kind: Type.String(),
  category: Type.Union([Type.Literal('trigger'), Type.Literal('logic'), Type.Literal('action')]),
  title: Type.String(),
  doc: Type.String(),
  icon: Type.String(),
  configSchema: Type.Unknown({ description: 'JSON Schema of the config, with defaults' }),
  defaults: Type.Record(Type.String(), Type.Unknown()),
  inputs: Type.Array(CatalogPort, { description: 'Ports for the default config' }),
  outputs: Type.Array(CatalogPort, { description: 'Ports for the default config' }),
  dynamicPorts: Type.Boolean({ description: 'True when ports follow the config (switch, join)' }),
  expressionFields: Type.Array(Type.String()),
  breaksCycles: Type.Boolean(),
  width: Type.Number(),
  height: Type.Number(),
  handles: Type.Array(NodeHandle),
});
export type CatalogEntry = Static<typeof CatalogEntry>;

const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Every kind as plain data, in palette order. */
export const catalogEntries = (): CatalogEntry[] =>
  nodeKinds.map((kind) => {
    const defaults = configWithDefaults(kind, {});
    const layout = layoutNode(kind, defaults);
    return plain({
      kind: kind.kind,
      category: kind.category,
      title: kind.title,
      doc: kind.doc,
      icon: kind.icon,
      configSchema: kind.config,
      defaults,
      inputs: [...inputPortsOf(kind, defaults)],
      outputs: [...outputPortsOf(kind, defaults)],
      dynamicPorts: typeof kind.inputs === 'function' || typeof kind.outputs === 'function',
      expressionFields: kind.expressions.map((e) => e.path),
      breaksCycles: kind.breaksCycles === true,
      width: layout.width,
      height: layout.height,
      handles: [...layout.handles],
    });
  });
