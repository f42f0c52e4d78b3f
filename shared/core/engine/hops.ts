/**
 * The engine's queue of hops (a message on its way along an edge), kept as parallel ring
 * buffers: a hop is a few slots, not an object, so the per-message path allocates nothing to
 * queue it. O(1) push and shift at any size.
 */
import type { Message } from '../flow/catalog';
import type { OutEdge } from './deploy';
import type { Run } from './run';

/** The front hop as `shift` left it; read its fields before the next `shift`. */
export interface Hop {
  run: Run;
  edge: OutEdge;
  message: Message;
  /** Nodes the message has passed, this one included. */
  hops: number;
  /** Index of the step that sent it, in its run's trace (-1 when that trace was full). */
  parent: number;
}

/** A growable FIFO of hops; `shift` reuses one Hop record instead of making one per hop. */
export class HopQueue {
  #runs: (Run | undefined)[];
  #edges: (OutEdge | undefined)[];
  #messages: (Message | undefined)[];
  #hops: Int32Array;
  #parents: Int32Array;
  #head = 0;
  #size = 0;
  readonly #front = {} as Hop;

  constructor(capacity = 1024) {
    this.#runs = new Array<Run | undefined>(capacity);
    this.#edges = new Array<OutEdge | undefined>(capacity);
    this.#messages = new Array<Message | undefined>(capacity);
    this.#hops = new Int32Array(capacity);
    this.#parents = new Int32Array(capacity);
  }

  /** Number of queued hops. */
  get size(): number {
    return this.#size;
  }

  /** Queues `message` along `edge` for `run`. */
  push(run: Run, edge: OutEdge, message: Message, hops: number, parent: number): void {
    if (this.#size === this.#runs.length) this.#grow();
    const i = (this.#head + this.#size) % this.#runs.length;
    this.#runs[i] = run;
    this.#edges[i] = edge;
    this.#messages[i] = message;
    this.#hops[i] = hops;
    this.#parents[i] = parent;
    this.#size++;
  }

  /** Takes the front hop, or undefined when empty; the record returned is reused by the next call. */
  shift(): Hop | undefined {
    if (this.#size === 0) return undefined;
    const i = this.#head;
    const front = this.#front;
    front.run = this.#runs[i]!;
    front.edge = this.#edges[i]!;
    front.message = this.#messages[i]!;
    front.hops = this.#hops[i]!;
    front.parent = this.#parents[i]!;
    // Released at once, so a finished run or message is not held by the queue.
    this.#runs[i] = undefined;
    this.#messages[i] = undefined;
    this.#edges[i] = undefined;
    this.#head = (i + 1) % this.#runs.length;
    this.#size--;
    return front;
  }

  /** Removes every hop. */
  clear(): void {
    this.#runs.fill(undefined);
    this.#edges.fill(undefined);
    this.#messages.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const length = this.#runs.length;
    const next = length * 2;
    const copy = <T>(from: T[]): T[] => {
      const to = new Array<T>(next);
      for (let k = 0; k < this.#size; k++) to[k] = from[(this.#head + k) % length]!;
      return to;
    };
    const copyInts = (from: Int32Array): Int32Array => {
      const to = new Int32Array(next);
      for (let k = 0; k < this.#size; k++) to[k] = from[(this.#head + k) % length]!;
      return to;
    };
    this.#runs = copy(this.#runs);
    this.#edges = copy(this.#edges);
    this.#messages = copy(this.#messages);
    this.#hops = copyInts(this.#hops);
    this.#parents = copyInts(this.#parents);
    this.#head = 0;
  }
}
