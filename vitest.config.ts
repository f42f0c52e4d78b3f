import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: ['test/unit/renderer/**/*.svelte.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        // The renderer's rune modules (*.svelte.ts) and their tests (*.svelte.test.ts), compiled
        // by Svelte for the browser so $state, $derived and $effect behave as in the app; the
        // browser condition makes `svelte` itself (flushSync, tick) its client build too.
        plugins: [svelte({ configFile: false })],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          include: ['test/unit/renderer/**/*.svelte.test.ts'],
          environment: './test/helpers/renderer-environment.ts',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Real brokers, ptys and namespaces: one file at a time keeps two cores unsaturated.
          fileParallelism: false,
        },
      },
    ],
  },
});
