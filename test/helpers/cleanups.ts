import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** What a test file registers to undo after each test: processes, brokers, temp folders. */
export interface Cleanups {
  /** Runs `fn` after the current test, last registered first. */
  push(fn: () => unknown): void;
  /** A fresh temp folder, removed after the current test. */
  tempDir(prefix?: string): string;
}

/** Cleanups run after every test of the calling file, in reverse order, each awaited. */
export const useCleanups = (): Cleanups => {
  const pending: Array<() => unknown> = [];
  afterEach(async () => {
    for (const fn of pending.splice(0).reverse()) await fn();
  });
  return {
    push: (fn) => void pending.push(fn),
    tempDir: (prefix = 'fg-test-') => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      pending.push(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
  };
};
