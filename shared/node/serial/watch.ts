import type { SerialPortEntry, SerialPortListing } from './list';

/** A change in the set of serial ports between two listings. */
export interface SerialPortChange {
  readonly added: SerialPortEntry[];
  readonly removed: SerialPortEntry[];
  readonly ports: SerialPortEntry[];
}

/** A running plug/unplug watcher. */
export interface SerialPortWatcher {
  /** Lists now and reports a change if there is one (also called by the timer). */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Watches for plugged and unplugged serial ports by listing on an interval (no OS hotplug
 * API is portable across Linux, macOS and Windows; a 1 s list is cheap). Reports only real
 * changes; the first listing reports every port as added. Overlapping checks are skipped.
 */
export const watchSerialPorts = (
  list: () => Promise<SerialPortListing>,
  onChange: (change: SerialPortChange) => void,
  intervalMs = 1000,
): SerialPortWatcher => {
  let known = new Map<string, SerialPortEntry>();
  let running = false;
  let stopped = false;
  const check = async (): Promise<void> => {
    if (running || stopped) return;
    running = true;
    try {
      const { ports } = await list();
      const next = new Map(ports.map((p) => [p.path, p]));
      const added = ports.filter((p) => !known.has(p.path));
      const removed = [...known.values()].filter((p) => !next.has(p.path));
      known = next;
      if (!stopped && (added.length || removed.length)) onChange({ added, removed, ports });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check().catch(() => {}), intervalMs);
  timer.unref?.();
  void check().catch(() => {});
  return {
    check,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
};
