/** The shapes the Node-RED import works with: nodes of an export, and what one node becomes. */

/** One Node-RED object of an export (tab, node, config node or group). */
export interface RedNode {
  readonly id: string;
  readonly type: string;
  readonly z?: string;
  readonly name?: string;
  readonly x?: number;
  readonly y?: number;
  readonly g?: string;
  readonly wires?: readonly (readonly string[])[];
  readonly [key: string]: unknown;
}

/** How a note bears on the imported flow. */
export type NoteSeverity =
  /** The node became a placeholder; the flow cannot be deployed until it is rebuilt. */
  | 'placeholder'
  /** Part of the node's settings was left out or must be rewritten. */
  | 'unsupported'
  /** The node converted but behaves a little differently. */
  | 'changed'
  /** The node refers to JSONata, flow or global context, or an environment variable; it was not copied as CEL. */
  | 'reference';

/** One thing the import left out, changed or found, tied to the Node-RED node it came from. */
export interface ImportNote {
  readonly nodeId?: string;
  readonly nodeType?: string;
  readonly nodeName?: string;
  readonly severity: NoteSeverity;
  readonly message: string;
}

/** One Fieldgraph node a conversion makes; `key` is unique within the conversion. */
export interface Piece {
  readonly key: string;
  readonly kind: string;
  readonly config: Record<string, unknown>;
  /** Offset from the Node-RED node's position, in canvas units, for nodes after the first. */
  readonly dx?: number;
  readonly dy?: number;
}

/** A port of a piece: its key and port name. */
export type PieceEnd = readonly [key: string, port: string];

/** A role an imported node talks to: its id, what it stands for, and the capability it needs. */
export interface RoleNeed {
  readonly id: string;
  readonly title: string;
  readonly capability: string;
}

/**
 * What one Node-RED node becomes: pieces wired together. The first piece takes the node's
 * input wires; `outputs[i]` lists the ports that feed what Node-RED output `i` was wired to.
 */
export interface Subgraph {
  readonly pieces: readonly Piece[];
  readonly links: readonly { readonly from: PieceEnd; readonly to: PieceEnd }[];
  readonly outputs: readonly (readonly PieceEnd[])[];
  /** The roles its pieces name, which the project must hold for them to run. */
  readonly roles?: readonly RoleNeed[];
}

/** A conversion, or the reason the node stays a placeholder. */
export type Conversion = { readonly graph: Subgraph } | { readonly reason: string };

/** Reports a note about the node being converted. */
export type Note = (severity: NoteSeverity, message: string) => void;

/** A subgraph of one piece with one output port per Node-RED output. */
export const single = (
  kind: string,
  config: Record<string, unknown>,
  ports: readonly string[] = ['out'],
) => ({
  graph: {
    pieces: [{ key: 'main', kind, config }],
    links: [],
    outputs: ports.map((p) => [['main', p] as const]),
  },
});

/** A chain of pieces, each wired `out` → `in` to the next, whose last piece's `out` is output 0. */
export const chain = (pieces: readonly Piece[]): { graph: Subgraph } => ({
  graph: {
    pieces: pieces.map((p, i) => ({ ...p, ...(i === 0 ? {} : { dx: p.dx ?? 0, dy: p.dy ?? 60 * i }) })),
    links: pieces
      .slice(1)
      .map((p, i) => ({ from: [pieces[i]!.key, 'out'] as const, to: [p.key, 'in'] as const })),
    outputs: [[[pieces[pieces.length - 1]!.key, 'out']]],
  },
});

/** A Node-RED value as text ('' for nothing). */
export const text = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
