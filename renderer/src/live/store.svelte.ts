/**
 * What the watched gateway's flows are doing, for the canvas overlay and the debug sidebar.
 * Batches (a few a second from the gateway) are queued as they arrive and applied on the next
 * animation frame: however busy the flow, the UI updates at most once per frame, and only the
 * nodes and edges that changed re-render (each has its own small reactive record). The glow and
 * errors show on the next frame; counts and values, which are read rather than glanced at, are
 * all written in one frame at most every DISPLAY_MS: the fewer frames touch the DOM, the fewer
 * are late (each such frame pays for style, layout and paint however few records it changes).
 */
import { SvelteMap } from 'svelte/reactivity';
import type { LiveBatch, LiveDebug, LiveRun } from '../../../shared/core/engine/live';
import { previewValue, type CanvasOverlay, type EdgeOverlay, type NodeOverlay } from '../canvas/overlay';

/**
 * How long a node or edge glows after it last ran (ms): several batch windows, so a busy node
 * glows steadily even when a loaded gateway or network delays a batch, instead of flickering.
 */
export const GLOW_MS = 1200;
/** Debug lines kept (the oldest go first). */
export const DEBUG_KEEP = 2000;
/** Ended runs kept for the debug sidebar's links and the Traces view's refresh. */
const RUNS_KEEP = 200;
/** Counts and values are shown at most this often (ms). */
export const DISPLAY_MS = 500;

/** One node's live record. */
export class NodeLive implements NodeOverlay {
  runs = $state(0);
  value = $state<string | null>(null);
  error = $state<string | null>(null);
  hot = $state(false);
  /** performance.now() of the batch that last touched it. */
  seenAt = 0;
  /** What the next display shows (not reactive: written to the fields above by `show`). */
  nextRuns = 0;
  nextValue: unknown = undefined;
  show(): void {
    if (this.runs !== this.nextRuns) this.runs = this.nextRuns;
    if (this.nextValue !== undefined) {
      const text = previewValue(this.nextValue);
      if (text !== this.value) this.value = text;
      this.nextValue = undefined;
    }
  }
}

/** One edge's live record. */
export class EdgeLive implements EdgeOverlay {
  messages = $state(0);
  hot = $state(false);
  seenAt = 0;
  nextMessages = 0;
  show(): void {
    if (this.messages !== this.nextMessages) this.messages = this.nextMessages;
  }
}

/** One flow's live records; it is the canvas overlay for that flow. */
export class FlowLive implements CanvasOverlay {
  readonly nodes = new SvelteMap<string, NodeLive>();
  readonly edges = new SvelteMap<string, EdgeLive>();
  constructor(
    private readonly flowId: string,
    private readonly store: LiveStore,
  ) {}
  /** Present while a gateway is followed: Manual triggers get their run button. */
  get inject(): ((nodeId: string) => void) | undefined {
    const fire = this.store.injector;
    return fire ? (nodeId) => fire(this.flowId, nodeId) : undefined;
  }
  node(id: string): NodeLive | undefined {
    return this.nodes.get(id);
  }
  edge(id: string): EdgeLive | undefined {
    return this.edges.get(id);
  }
}

/** A debug line as the sidebar lists it. */
export interface DebugLine extends LiveDebug {
  /** Unique within the store, for keyed lists. */
  readonly seq: number;
}

type Schedule = (callback: (now: number) => void) => unknown;

/** The live records of one watched gateway. */
export class LiveStore {
  /** The gateway whose batches are taken; others are ignored. */
  gatewayId = $state<string | null>(null);
  /** Fires a Manual trigger on the followed gateway; unset while none is followed. */
  injector = $state.raw<((flowId: string, nodeId: string) => void) | undefined>(undefined);
  /** Debug lines, oldest first. */
  debug = $state.raw<readonly DebugLine[]>([]);
  /** Lines that arrived while paused (shown on resume). */
  held = $state(0);
  paused = $state(false);
  /** Runs that ended, newest first. */
  runs = $state.raw<readonly LiveRun[]>([]);
  /**
   * Batches lost between the gateway and here (sequence gaps), and entries the gateway left out;
   * shown with the counts (every DISPLAY_MS), as it grows with nearly every batch of a busy flow.
   */
  lost = $state(0);
  #lostNext = 0;

  #queue: LiveBatch[] = [];
  #heldLines: DebugLine[] = [];
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping of the frame loop, never rendered
  #hot = new Set<NodeLive | EdgeLive>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping of the frame loop, never rendered
  #dirty = new Set<NodeLive | EdgeLive>();
  #shownAt = -Infinity;
  #scheduled = false;
  #lineSeq = 0;
  #lastSeq: number | undefined;
  // Plain, not reactive: the canvas asks for a flow's overlay while it renders, and the
  // records inside (SvelteMaps) are what changes.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see above
  readonly #flows = new Map<string, FlowLive>();

  constructor(
    private readonly schedule: Schedule = (cb) => requestAnimationFrame(cb),
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts taking `gatewayId`'s batches, forgetting what another gateway did. */
  follow(gatewayId: string | null, inject?: (flowId: string, nodeId: string) => void): void {
    if (gatewayId !== this.gatewayId) this.clear();
    this.gatewayId = gatewayId;
    this.injector = inject;
  }

  /** The overlay of one flow (created on first use so the canvas can hold on to it). */
  flow(flowId: string): FlowLive {
    let flow = this.#flows.get(flowId);
    if (!flow) {
      flow = new FlowLive(flowId, this);
      this.#flows.set(flowId, flow);
    }
    return flow;
  }

  /** Queues a batch; it is applied on the next frame together with any others. */
  receive(batch: LiveBatch): void {
    if (batch.gatewayId !== this.gatewayId) return;
    this.#queue.push(batch);
    this.#wake();
  }

  /** Forgets counts, values, lines and runs (the debug sidebar's Clear clears lines only). */
  clear(): void {
    for (const flow of this.#flows.values()) {
      flow.nodes.clear();
      flow.edges.clear();
    }
    this.#queue = [];
    this.#hot.clear();
    this.#dirty.clear();
    this.#lastSeq = undefined;
    this.clearDebug();
    this.runs = [];
    this.lost = 0;
    this.#lostNext = 0;
  }

  clearDebug(): void {
    this.debug = [];
    this.#heldLines = [];
    this.held = 0;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused && this.#heldLines.length) {
      this.debug = [...this.debug, ...this.#heldLines].slice(-DEBUG_KEEP);
      this.#heldLines = [];
      this.held = 0;
    }
  }

  #wake(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.schedule(() => this.#frame());
  }

  #frame(): void {
    this.#scheduled = false;
    const now = this.now();
    if (this.#queue.length) {
      this.#apply(this.#queue, now);
      this.#queue = [];
    }
    if ((this.#dirty.size || this.#lostNext !== this.lost) && now - this.#shownAt >= DISPLAY_MS) {
      this.#shownAt = now;
      for (const item of this.#dirty) item.show();
      this.#dirty.clear();
      if (this.lost !== this.#lostNext) this.lost = this.#lostNext;
    }
    for (const item of this.#hot) {
      if (now - item.seenAt < GLOW_MS) continue;
      item.hot = false;
      this.#hot.delete(item);
    }
    if (this.#hot.size || this.#queue.length || this.#dirty.size || this.#lostNext !== this.lost)
      this.#wake();
  }

  #apply(batches: readonly LiveBatch[], now: number): void {
    const lines: DebugLine[] = [];
    const ended: LiveRun[] = [];
    for (const batch of batches) {
      if (this.#lastSeq !== undefined && batch.seq > this.#lastSeq + 1)
        this.#lostNext += batch.seq - this.#lastSeq - 1;
      this.#lastSeq = batch.seq;
      const d = batch.dropped;
      if (d) this.#lostNext += d.nodes + d.edges + d.runs + d.debug;
      for (const n of batch.nodes) {
        const flow = this.flow(n.flowId);
        let node = flow.nodes.get(n.nodeId);
        if (!node) {
          node = new NodeLive();
          flow.nodes.set(n.nodeId, node);
        }
        node.nextRuns += n.runs;
        if (n.value !== undefined) node.nextValue = n.value;
        this.#dirty.add(node);
        // A clean run clears the red: the error shown is the last step's, not a stale one.
        const error = n.error ?? null;
        if (node.error !== error) node.error = error;
        node.seenAt = now;
        if (!node.hot) node.hot = true;
        this.#hot.add(node);
      }
      for (const e of batch.edges) {
        const flow = this.flow(e.flowId);
        let edge = flow.edges.get(e.edgeId);
        if (!edge) {
          edge = new EdgeLive();
          flow.edges.set(e.edgeId, edge);
        }
        edge.nextMessages += e.messages;
        this.#dirty.add(edge);
        edge.seenAt = now;
        if (!edge.hot) edge.hot = true;
        this.#hot.add(edge);
      }
      for (const line of batch.debug) lines.push({ ...line, seq: ++this.#lineSeq });
      ended.push(...batch.runs);
    }
    if (lines.length) {
      if (this.paused) {
        this.#heldLines = [...this.#heldLines, ...lines].slice(-DEBUG_KEEP);
        this.held = this.#heldLines.length;
      } else this.debug = [...this.debug, ...lines].slice(-DEBUG_KEEP);
    }
    if (ended.length) this.runs = [...ended.reverse(), ...this.runs].slice(0, RUNS_KEEP);
  }
}
