import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/**
 * Durable key/value state for the flows (pending delays and schedules, variables, counters), so
 * they survive a gateway restart. Values are plain JSON. Writes are coalesced for `delayMs` and
 * then written atomically; `flush()` writes now.
 */
export interface StateStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** Keys starting with `prefix`, sorted. */
  keys(prefix?: string): string[];
  flush(): void;
}

const FILE = 'state.json';

/** Opens the state file in `dir`; a damaged file starts empty rather than stopping the gateway. */
export const openStateStore = (
  dir: string,
  delayMs = 50,
  onError: (error: unknown) => void = () => {},
): StateStore => {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, FILE);
  let data: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as { entries?: Record<string, unknown> };
      data = saved.entries ?? {};
    } catch (error) {
      onError(error);
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    try {
      writeFileAtomic.sync(path, JSON.stringify({ schemaVersion: 1, entries: data }));
    } catch (error) {
      onError(error);
    }
  };
  const touch = (): void => {
    if (timer) return;
    timer = setTimeout(flush, delayMs);
  };
  return {
    get: (key) => data[key],
    set(key, value) {
      data[key] = value;
      touch();
    },
    delete(key) {
      if (!(key in data)) return;
      delete data[key];
      touch();
    },
    keys: (prefix = '') =>
      Object.keys(data)
        .filter((k) => k.startsWith(prefix))
        .sort(),
    flush,
  };
};
