/**
 * Stand-ins for nodes an import could not convert. A Node-RED function, dashboard or
 * Home Assistant node keeps its place, its original settings and every wire, so the person
 * sees the whole flow and rebuilds the missing part; the flow cannot be deployed while one is
 * left (the validator reports it, packing refuses it, and the gateway will not start it).
 */
import { Type } from '@sinclair/typebox';
import { port, sizes } from './helpers';
import type { NodeKind } from './types';

/** The kind of the Node-RED stand-in. */
export const NODE_RED_PLACEHOLDER = 'nodered.unconverted';

const MAX_PORTS = 32;

const count = (value: unknown, fallback: number): number => {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, MAX_PORTS) : fallback;
};

/** A placeholder's output port names: `out1`, `out2`, … (Node-RED numbers outputs from 1 in its editor). */
export const placeholderOutputs = (config: Record<string, unknown>): string[] =>
  Array.from({ length: count(config.outputs, 1) }, (_, i) => `out${i + 1}`);

/** Why a placeholder cannot run, as one sentence naming the Node-RED node and the fix. */
export const placeholderMessage = (config: Record<string, unknown>): string => {
  const type = typeof config.type === 'string' ? config.type : 'unknown';
  const name = typeof config.name === 'string' && config.name ? ` “${config.name}”` : '';
  const reason = typeof config.reason === 'string' && config.reason ? ` ${config.reason}` : '';
  return `Node-RED “${type}” node${name} was not converted.${reason}`;
};

const unconverted: NodeKind = {
  kind: NODE_RED_PLACEHOLDER,
  category: 'logic',
  title: 'Not converted',
  doc: 'Stands in for a Node-RED node the import could not convert, with its original settings (and a function node’s code) to read. Rebuild what it did with Fieldgraph nodes, rewire, and delete it: a flow with one cannot be deployed.',
  icon: 'alert-triangle',
  config: Type.Object({
    type: Type.String({ description: 'The Node-RED node type' }),
    name: Type.Optional(Type.String({ description: 'Its name in Node-RED' })),
    reason: Type.String({ description: 'Why it was not converted' }),
    inputs: Type.Integer({ minimum: 0, maximum: 1, default: 1 }),
    outputs: Type.Integer({ minimum: 0, maximum: MAX_PORTS, default: 1 }),
    code: Type.Optional(Type.String({ description: 'A function node’s JavaScript' })),
    properties: Type.Record(Type.String(), Type.Unknown(), {
      default: {},
      description: 'Its other settings in Node-RED',
    }),
  }),
  inputs: (config) => (count(config.inputs, 1) > 0 ? [port('in', 'in')] : []),
  outputs: (config) => placeholderOutputs(config).map((name, i) => port(name, `${i + 1}`)),
  expressions: [],
  roleRefs: [],
  placeholder: true,
  size: sizes.logic,
  create: ({ config }) => {
    throw new Error(`${placeholderMessage(config)} Rebuild it with Fieldgraph nodes or delete it.`);
  },
};

/** All stand-in kinds. */
export const importedKinds: readonly NodeKind[] = [unconverted];
