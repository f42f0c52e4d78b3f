/**
 * Pending timers of runs (delays, debounces, waits) and schedule triggers, on the injected
 * clock: the part of execution that waits for time, and what a restart resumes. Timers longer
 * than the clock can hold are re-armed in steps.
 */
import type { Message, TimerId } from '../flow/catalog';
import type { NodeInstance } from './deploy';
import type { EngineClock } from './ports';
import { entryStep, type Run, type TimerRecord } from './run';
import type { Step } from './step';

// Node's setTimeout overflows above 2^31-1 ms (~24.8 days); longer timers are re-armed.
const maxTimerDelay = 2_147_483_647;

/** Arms `fire` at the absolute time `dueAt`, reporting each clock handle through `setHandle`. */
export const armAt = (
  clock: EngineClock,
  dueAt: number,
  setHandle: (handle: unknown) => void,
  fire: () => void,
): void => {
  const delay = dueAt - clock.now();
  if (delay > maxTimerDelay) {
    setHandle(clock.setTimer(() => armAt(clock, dueAt, setHandle, fire), maxTimerDelay));
  } else {
    setHandle(clock.setTimer(fire, Math.max(0, delay)));
  }
};

const key = (role: string, event: string) => `${role}\u0000${event}`;

/** Every pending run timer by id, with Wait for event timers also indexed by the event they wait for. */
export class TimerTable {
  readonly #records = new Map<number, TimerRecord>();
  readonly #waiters = new Map<string, Set<TimerRecord>>();
  readonly #byNode = new Map<NodeInstance, Set<TimerRecord>>();

  constructor(
    private readonly clock: EngineClock,
    private readonly fire: (record: TimerRecord) => void,
  ) {}

  get size(): number {
    return this.#records.size;
  }

  /** The timer with this id, if still pending. */
  get(id: number): TimerRecord | undefined {
    return this.#records.get(id);
  }

  /** All pending timers. */
  values(): IterableIterator<TimerRecord> {
    return this.#records.values();
  }

  /** Registers and arms a timer. */
  add(record: TimerRecord): void {
    this.#records.set(record.id, record);
    (record.run.timers ??= new Set()).add(record);
    const mine = this.#byNode.get(record.node);
    if (mine) mine.add(record);
    else this.#byNode.set(record.node, new Set([record]));
    const waits = record.node.runtime.waitsFor;
    if (waits) {
      const k = key(waits.role, waits.event);
      const set = this.#waiters.get(k) ?? new Set();
      set.add(record);
      this.#waiters.set(k, set);
    }
    armAt(
      this.clock,
      record.dueAt,
      (handle) => (record.handle = handle),
      () => this.fire(record),
    );
  }

  /** Disarms and forgets a timer; false when it was not pending. */
  remove(record: TimerRecord): boolean {
    if (!this.#records.delete(record.id)) return false;
    this.clock.clearTimer(record.handle);
    record.run.timers?.delete(record);
    this.#byNode.get(record.node)?.delete(record);
    const waits = record.node.runtime.waitsFor;
    if (waits) this.#waiters.get(key(waits.role, waits.event))?.delete(record);
    return true;
  }

  /** Wait timers waiting for this role event (a copy, safe to change the table while iterating). */
  waitingFor(role: string, event: string): TimerRecord[] {
    const set = this.#waiters.get(key(role, event));
    return set ? [...set] : [];
  }

  /** Pending timers a node started, in any run (a copy). */
  ofNode(node: NodeInstance): TimerRecord[] {
    const set = this.#byNode.get(node);
    return set ? [...set] : [];
  }

  /** Disarms every timer and forgets them all (records stay as they are for a snapshot taken before). */
  clear(): void {
    for (const record of this.#records.values()) this.clock.clearTimer(record.handle);
    this.#records.clear();
    this.#waiters.clear();
    this.#byNode.clear();
  }
}

/** Schedule triggers and their next due times. */
export class ScheduleTable {
  readonly #entries = new Map<NodeInstance, { due: number; handle?: unknown }>();

  constructor(
    private readonly clock: EngineClock,
    private readonly due: (node: NodeInstance, at: number) => void,
  ) {}

  /** Arms the schedule of `node` at `at` (replacing any earlier arming). */
  arm(node: NodeInstance, at: number): void {
    const previous = this.#entries.get(node);
    if (previous) this.clock.clearTimer(previous.handle);
    const entry: { due: number; handle?: unknown } = { due: at };
    this.#entries.set(node, entry);
    armAt(
      this.clock,
      at,
      (handle) => (entry.handle = handle),
      () => {
        if (this.#entries.get(node) === entry) this.due(node, at);
      },
    );
  }

  /** Arms the next time after `after` (or after now, when that has passed); forgets schedules that end. */
  armNext(node: NodeInstance, after: number): void {
    const trigger = node.runtime.trigger;
    if (trigger?.type !== 'schedule') return;
    let next = trigger.next(after);
    if (next !== undefined && next <= this.clock.now()) next = trigger.next(this.clock.now());
    if (next === undefined) this.#entries.delete(node);
    else this.arm(node, next);
  }

  /** Next due time per schedule node. */
  entries(): [NodeInstance, number][] {
    return [...this.#entries].map(([node, entry]) => [node, entry.due]);
  }

  /** Disarms everything. */
  clear(): void {
    for (const entry of this.#entries.values()) this.clock.clearTimer(entry.handle);
    this.#entries.clear();
  }
}

/** What RunTimers needs of the run executor. */
export interface TimerHost {
  now(): number;
  freezeClock(): boolean;
  thawClock(): void;
  /** Runs a timer's (or a wait's) continuation step inside the run that started it. */
  continue(record: TimerRecord, port: 'timer' | 'event', body: (ctx: Step) => void): void;
  trigger(node: NodeInstance, message: Message): void;
  /** A timer of `run` went away without firing: the run may be done. */
  released(run: Run): void;
  drain(): void;
  flush(): void;
  /** Set when the snapshot changed (a timer or schedule came or went). */
  dirty: boolean;
}

/**
 * Starts, cancels, fires and resumes run timers and fires schedule triggers, each as one
 * synchronous burst on a frozen clock; every change marks the snapshot dirty.
 */
export class RunTimers {
  readonly table: TimerTable;
  readonly schedules: ScheduleTable;
  #seq = 0;

  constructor(
    clock: EngineClock,
    private readonly host: TimerHost,
  ) {
    this.table = new TimerTable(clock, (record) => this.#fire(record));
    this.schedules = new ScheduleTable(clock, (node, at) => this.#scheduleDue(node, at));
  }

  /** A timer of `node` in `run`, due after `delayMs`; the run stays open until it fires or is cancelled. */
  start(run: Run, node: NodeInstance, delayMs: number, data: unknown, parentStep: number): TimerId {
    const id = ++this.#seq;
    this.#add({ id, node, run, dueAt: this.host.now() + Math.max(0, delayMs), data, parentStep });
    return id;
  }

  /** Cancels a pending timer (nothing when it already fired). */
  cancel(id: TimerId): void {
    const record = this.table.get(id);
    if (!record) return;
    this.remove(record);
    record.run.pending--;
    this.host.released(record.run);
  }

  /** Cancels every pending timer `node` started, in any run. */
  cancelNode(node: NodeInstance): void {
    for (const record of this.table.ofNode(node)) this.cancel(record.id);
  }

  /** Disarms a timer without settling its run (the caller does). */
  remove(record: TimerRecord): void {
    if (this.table.remove(record)) this.host.dirty = true;
  }

  /** Re-arms a persisted timer inside a resumed run, after a `resume` step recording what it held. */
  resume(run: Run, node: NodeInstance, dueAt: number, data: unknown): void {
    const input = (data as Message | null)?.payload ?? null;
    const parentStep = run.record(entryStep(node, 'resume', this.host.now(), 0, input, false));
    this.#add({ id: ++this.#seq, node, run, dueAt, data, parentStep });
  }

  #add(record: TimerRecord): void {
    this.table.add(record);
    record.run.pending++;
    this.host.dirty = true;
  }

  #fire(record: TimerRecord): void {
    if (!this.table.get(record.id)) return;
    const host = this.host;
    const own = host.freezeClock();
    try {
      this.remove(record);
      record.run.pending--;
      host.continue(record, 'timer', (ctx) => record.node.runtime.onTimer?.(ctx, record.data));
      host.drain();
      host.flush();
    } finally {
      if (own) host.thawClock();
    }
  }

  #scheduleDue(node: NodeInstance, at: number): void {
    const host = this.host;
    const own = host.freezeClock();
    try {
      host.trigger(node, { payload: { scheduledAt: at } });
      this.schedules.armNext(node, at);
      host.dirty = true;
      host.drain();
      host.flush();
    } finally {
      if (own) host.thawClock();
    }
  }
}
