/** Timers a virtual device owns, all cleared at once when it stops. */
export const createTimers = () => {
  const timers = new Set<NodeJS.Timeout>();
  return {
    every(ms: number, task: () => void): void {
      const t = setInterval(task, ms);
      t.unref?.();
      timers.add(t);
    },
    after(ms: number, task: () => void): void {
      const t = setTimeout(() => {
        timers.delete(t);
        task();
      }, ms);
      t.unref?.();
      timers.add(t);
    },
    clear(): void {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
};

/** Formats a MAC (12 hex digits) as `AA:BB:CC:DD:EE:FF`. */
export const colonMac = (mac: string): string => mac.toUpperCase().match(/../g)!.join(':');
