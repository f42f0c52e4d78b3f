import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The renderer's build; it runs in Node, so it lives beside package.json, not in renderer/.
const here = fileURLToPath(new URL('./renderer/', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
    // The timing report is printed whenever a loaded machine makes plugins slow: noise in every
    // `npm install` (which builds), not a problem to act on.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
