/**
 * What the canvas draws over a flow besides the flow itself: live activity (try-it mode or a
 * deployed gateway) or one run's path (the Traces view). The canvas only reads it; whoever owns
 * the overlay decides how often its values change, so a busy flow costs the canvas a few
 * updates a second, never one per message.
 */
import { getContext, setContext } from 'svelte';

/** A node's decoration. Reading the fields inside a component makes it follow their changes. */
export interface NodeOverlay {
  /** Steps the node ran (live: since watching began; trace: in this run). */
  readonly runs: number;
  /** The last value it sent or got, as a short text. */
  readonly value: string | null;
  /** Its last error, drawn in red. */
  readonly error: string | null;
  /** Ran a moment ago: the node glows. */
  readonly hot: boolean;
  /** Trace view: the step numbers of this node in the run, in order (1-based). */
  readonly steps?: readonly number[];
  /** Trace view: this node's step is the one being looked at. */
  readonly focused?: boolean;
}

/** An edge's decoration. */
export interface EdgeOverlay {
  /** Messages that went along it. */
  readonly messages: number;
  /** Carried a message a moment ago (live), or lies on the run's path (trace). */
  readonly hot: boolean;
}

/** The overlay the canvas is given. */
export interface CanvasOverlay {
  node(id: string): NodeOverlay | undefined;
  edge(id: string): EdgeOverlay | undefined;
  /** Trace view: nodes the run never reached are drawn faded. */
  readonly fadeUntouched?: boolean;
  /** Manual triggers get a button that fires them (Node-RED's inject), when set. */
  readonly inject?: (nodeId: string) => void;
}

const KEY = Symbol('fieldgraph-canvas-overlay');

/** Makes `get` (the current overlay, or undefined) available to the canvas's node and edge views. */
export const provideOverlay = (get: () => CanvasOverlay | undefined): void => {
  setContext(KEY, get);
};

/** The overlay of the canvas this component is drawn in, if any. */
export const useOverlay = (): (() => CanvasOverlay | undefined) =>
  getContext<(() => CanvasOverlay | undefined) | undefined>(KEY) ?? (() => undefined);

/** A value as a short text for a node's label; long values are cut. */
export const previewValue = (value: unknown, max = 48): string => {
  let text: string;
  if (value === undefined) return '';
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { $cut?: unknown }).$cut === 'string'
  )
    text = (value as { $cut: string }).$cut;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};
