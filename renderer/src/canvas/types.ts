/**
 * What the canvas needs from the flow model and the node catalog. The canvas is a view over
 * these plain JSON values: it never owns them, it only proposes changes (see commands.ts).
 */

import type {
  FlowEdge as SavedFlowEdge,
  FlowGroup as SavedFlowGroup,
  FlowNode as SavedFlowNode,
  PortRef as SavedPortRef,
} from '../../../shared/core/flow/schema';
import type { Device } from '../../../shared/core/model/schemas';

/** One device of a site as its file keeps it: id, name, model, identity, variables. */
export type SiteDevice = Device;

/** A point on the canvas, in flow coordinates. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** One node of a flow as saved (shared/core/flow/schema.ts): kind, config, position, label, group. */
export type FlowNode = Readonly<SavedFlowNode>;

/** One end of an edge: a node and one of its port names. */
export type PortRef = Readonly<SavedPortRef>;

/** A wire from an output port to an input port. */
export type FlowEdge = Readonly<SavedFlowEdge>;

/** A labelled frame around some nodes; membership is stored on the nodes (`group`). */
export type FlowGroup = Readonly<SavedFlowGroup>;

/** One flow: a graph of nodes and edges with its groups. */
export interface Flow {
  readonly id: string;
  readonly name: string;
  readonly nodes: readonly FlowNode[];
  readonly edges: readonly FlowEdge[];
  readonly groups: readonly FlowGroup[];
  /** Fields of the saved flow the canvas does not edit (run mode, description), kept as loaded. */
  readonly saved?: Readonly<Record<string, unknown>>;
}

/** A device slot of the design, typed by capability. */
export interface Role {
  readonly id: string;
  readonly title?: string;
  readonly description?: string;
  readonly capability: string;
  /** Further capabilities the bound device must also offer (kept as the project has them). */
  readonly alsoRequires?: readonly string[];
  /** The id of the site device that fills the role on the selected site, once bound. */
  readonly device?: string;
  /** Which of the device model's implementations fills it, when the binding names one. */
  readonly implementation?: string;
}

/** Everything the editor edits at once: the project's flows and roles. */
export interface Design {
  readonly flows: readonly Flow[];
  readonly roles: readonly Role[];
  /** The selected site's devices (the ones roles are bound to), with their instance variables. */
  readonly devices?: readonly SiteDevice[];
}

/** A port of a node kind with its value type (e.g. `boolean`, `number`, `any`). */
export interface PortSpec {
  readonly name: string;
  readonly type: string;
  readonly label?: string;
}

/** A JSON Schema subset the inspector renders as a form, with Fieldgraph's widget hints. */
export interface ConfigSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly anyOf?: readonly ConfigSchema[];
  readonly items?: ConfigSchema;
  /** Widget hint: `cel` (expression), `role` (role picker) or `member` (capability member picker). */
  readonly 'x-fieldgraph-widget'?: string;
  /** For `cel`: the CEL type the result must have. */
  readonly 'x-fieldgraph-expects'?: string;
  /** For `member`: which kind of member, and the config field naming the role. */
  readonly 'x-fieldgraph-member'?: 'event' | 'property' | 'action';
  readonly 'x-fieldgraph-role-field'?: string;
  readonly title?: string;
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: unknown;
  readonly properties?: Readonly<Record<string, ConfigSchema>>;
  readonly required?: readonly string[];
}

/** Where one handle sits on a node, as xyflow wants it when sizes are given up front. */
export interface HandleLayout {
  readonly id: string;
  readonly type: 'source' | 'target';
  readonly position: 'left' | 'right';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A node's size, ports and handles for one config (ports may follow the config). */
export interface NodeLayout {
  readonly width: number;
  readonly height: number;
  readonly inputs: readonly PortSpec[];
  readonly outputs: readonly PortSpec[];
  readonly handles: readonly HandleLayout[];
}

/** How the canvas sees one catalog entry: ports, config schema, defaults and its fixed size. */
export interface NodeKindSpec {
  readonly kind: string;
  readonly title: string;
  readonly category: string;
  readonly icon: string;
  readonly description: string;
  /** Ports for the default config. */
  readonly inputs: readonly PortSpec[];
  readonly outputs: readonly PortSpec[];
  readonly config: ConfigSchema;
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Config keys shown on the node face. */
  readonly keyConfig: readonly string[];
  /** Size, ports and handles of a node with `config`; pure, so callers may cache by config. */
  readonly layout: (config: Readonly<Record<string, unknown>>) => NodeLayout;
  /** A stand-in for an imported node that did not convert: not in the palette, read-only in the inspector. */
  readonly placeholder?: boolean;
}

/** A problem found by validation, tied to a node (and a config field) where it can be. */
export interface Problem {
  readonly flow: string;
  readonly node?: string;
  readonly field?: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}
