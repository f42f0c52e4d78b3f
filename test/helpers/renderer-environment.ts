/**
 * The vitest environment of the renderer's unit tests (`// @vitest-environment
 * ./test/helpers/renderer-environment.ts` at the top of a file): modules are transformed for the
 * browser, so `*.svelte.ts` files compile to Svelte's client runtime and runes are reactive
 * ($derived recomputes, $effect runs on flushSync), and `svelte` resolves to its client build.
 * Of the browser it gives only an in-memory localStorage, cleared before each file; anything
 * else a module touches (the API transport) the test fakes itself.
 */
import type { Environment } from 'vitest/environments';

class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
}

export default {
  name: 'renderer',
  viteEnvironment: 'client',
  setup(global: typeof globalThis) {
    const had = Object.getOwnPropertyDescriptor(global, 'localStorage');
    Object.defineProperty(global, 'localStorage', {
      value: new MemoryStorage(),
      configurable: true,
      writable: true,
    });
    return {
      teardown() {
        if (had) Object.defineProperty(global, 'localStorage', had);
        else delete (global as { localStorage?: Storage }).localStorage;
      },
    };
  },
} satisfies Environment;
