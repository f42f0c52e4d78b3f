// `npm run bench:editor`: the Flows view with 100, 1,000 and 5,000 nodes in Debian Chromium
// (headless, through playwright-core): time until the canvas is ready, frame times while
// dragging a node and while panning (from a requestAnimationFrame loop in the page), and JS
// heap. Baseline side by side: a bare @xyflow/svelte page with default nodes, visible-only
// rendering and sizes given up front. Each figure is the median of RUNS runs.
// After a drag, the longest frame in the 1.5 s after the drop (drop_longest_frame_ms).
// Then the drop phase (editor-drop.mjs): a DROP_SIZE-node flow (default 5,000) opened through
// the real web app, where a drop also autosaves: longest frame after the drop, time until the
// Save button shows the dirty state, and what the edit costs on the API (patch vs whole flow).
// Last line: {"nodes_100":{"ready_ms","drag_frame_median_ms","drag_frame_p95_ms",
// "pan_frame_median_ms","pan_frame_p95_ms","drop_longest_frame_ms","heap_mb"},…,
// "app_drop":{"drop_longest_frame_ms","drop_to_dirty_ms","patch_round_trip_ms",…}}.
// PHASES=canvas,drop picks the phases to run. Frame times depend on how busy the machine is:
// both lines carry the 1-minute load average at the start and at the end of the run.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { extname, join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte, vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { measureDrop } from './editor-drop.mjs';
import { framesDuring, startFrames, stopFrames } from './frames.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SIZES = (process.env.SIZES ?? '100,1000,5000').split(',').map(Number);
const RUNS = Number(process.env.RUNS ?? 3);
const MOVES = 90;
const PHASES = (process.env.PHASES ?? 'canvas,drop').split(',');
const DROP_SIZE = Number(process.env.DROP_SIZE ?? 5000);
const AFTER_DROP_MS = 1500;

const out = mkdtempSync(join(tmpdir(), 'fg-bench-editor-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));

const root = join(repo, 'test', 'bench', 'editor');
await build({
  root,
  base: './',
  logLevel: 'warn',
  configFile: false,
  plugins: [svelte({ configFile: false, preprocess: vitePreprocess() })],
  build: {
    outDir: out,
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rollupOptions: { input: { index: join(root, 'index.html'), baseline: join(root, 'baseline.html') } },
  },
});

const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
};
const server = createServer(async (req, res) => {
  const path = join(out, new URL(req.url ?? '/', 'http://x').pathname);
  if (!path.startsWith(out)) return void res.writeHead(403).end();
  try {
    const body = await readFile(path);
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.FIELDGRAPH_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
});

const quantile = (values, q) => {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};
const median = (values) => quantile(values, 0.5);
const round = (v) => Math.round(v * 10) / 10;

/** A point on the bare pane (no node under it) inside `box`, so a drag there pans. */
const panePoint = (page, box) =>
  page.evaluate((b) => {
    for (let y = b.y + b.height * 0.3; y < b.y + b.height * 0.8; y += 7) {
      for (let x = b.x + b.width * 0.3; x < b.x + b.width * 0.7; x += 7) {
        const el = document.elementFromPoint(x, y);
        if (el?.classList.contains('svelte-flow__pane')) return { x, y };
      }
    }
    return null;
  }, box);

/** Drags along a straight line in MOVES steps (what Playwright can deliver, ~55/s). */
const drag = async (page, from, to) => {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= MOVES; i++) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / MOVES, from.y + ((to.y - from.y) * i) / MOVES);
  }
  await page.mouse.up();
};

/** Drags the node at `target` a little and returns the longest frame in the 1.5 s after the drop. */
const dropLongestFrame = async (page, target) => {
  await startFrames(page);
  await page.mouse.move(target.x, target.y);
  await page.mouse.down();
  for (let i = 1; i <= 30; i++) await page.mouse.move(target.x - (120 * i) / 30, target.y - (60 * i) / 30);
  const upAt = await page.evaluate(() => performance.now());
  await page.mouse.up();
  await page.waitForTimeout(AFTER_DROP_MS);
  const { frames } = await stopFrames(page, { withEnd: true });
  return Math.max(
    ...frames.filter((f) => f.end > upAt && f.end - f.ms < upAt + AFTER_DROP_MS).map((f) => f.ms),
  );
};

const measure = async (page, size, nodeSelector) => {
  await page.goto(`${origin}/${page.benchFile}?n=${size}`);
  await page.waitForFunction(() => window.benchReadyMs !== undefined, null, { timeout: 60_000 });
  const ready = await page.evaluate(() => window.benchReadyMs);
  await page.waitForTimeout(300);

  const paneBox = await page.locator('.svelte-flow').boundingBox();
  const target = await page.evaluate(
    ({ sel, b }) => {
      const cx = b.x + b.width / 2;
      const cy = b.y + b.height / 2;
      let best = null;
      for (const el of document.querySelectorAll(sel)) {
        const r = el.getBoundingClientRect();
        const d = Math.hypot(r.x + r.width / 2 - cx, r.y + r.height / 2 - cy);
        if (!best || d < best.d) best = { d, x: r.x + 30, y: r.y + 12 };
      }
      return best;
    },
    { sel: nodeSelector, b: paneBox },
  );
  const dragFrames = await framesDuring(page, () =>
    drag(page, target, { x: target.x + 160, y: target.y + 90 }),
  );

  const from = await panePoint(page, paneBox);
  if (!from) throw new Error('No bare pane to start a pan from.');
  const panFrames = await framesDuring(page, () => drag(page, from, { x: from.x - 220, y: from.y - 160 }));

  const dropped = { x: target.x + 160, y: target.y + 90 };
  const dropLongest = await dropLongestFrame(page, dropped);

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return {
    ready_ms: ready,
    drag_frame_median_ms: median(dragFrames),
    drag_frame_p95_ms: quantile(dragFrames, 0.95),
    pan_frame_median_ms: median(panFrames),
    pan_frame_p95_ms: quantile(panFrames, 0.95),
    drop_longest_frame_ms: dropLongest,
    heap_mb: usedSize / 1024 / 1024,
  };
};

const runMany = async (file, size, nodeSelector) => {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.benchFile = file;
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      runs.push(await measure(page, size, nodeSelector));
    } finally {
      await context.close();
    }
    if (errors.length > 0) throw new Error(`${file} with ${size} nodes: ${errors.join('; ')}`);
  }
  return Object.fromEntries(Object.keys(runs[0]).map((k) => [k, round(median(runs.map((r) => r[k])))]));
};

const loadAtStart = Math.round(loadavg()[0] * 10) / 10;
const result = {};
const baseline = {};
const ratios = {};
try {
  for (const size of PHASES.includes('canvas') ? SIZES : []) {
    const ours = await runMany('index.html', size, '.svelte-flow__node-flowNode');
    const base = await runMany('baseline.html', size, '.svelte-flow__node');
    result[`nodes_${size}`] = ours;
    baseline[`nodes_${size}`] = base;
    ratios[`nodes_${size}`] = Object.fromEntries(
      Object.keys(ours).map((k) => [k, Math.round((ours[k] / base[k]) * 100) / 100]),
    );
    console.error(`${size} nodes: Flows view ${JSON.stringify(ours)}`);
    console.error(`${size} nodes: bare xyflow ${JSON.stringify(base)}`);
  }
  if (PHASES.includes('drop')) {
    // The bare xyflow page at the same size is the baseline for the frame after a drop.
    const base =
      baseline[`nodes_${DROP_SIZE}`] ?? (await runMany('baseline.html', DROP_SIZE, '.svelte-flow__node'));
    const app = await measureDrop({ browser, repo, size: DROP_SIZE, runs: RUNS });
    result.app_drop = app;
    baseline.app_drop = { drop_longest_frame_ms: base.drop_longest_frame_ms };
    ratios.app_drop = {
      drop_longest_frame_ms: Math.round((app.drop_longest_frame_ms / base.drop_longest_frame_ms) * 100) / 100,
      patch_vs_whole_flow_round_trip:
        Math.round((app.patch_round_trip_ms / app.whole_flow_round_trip_ms) * 1000) / 1000,
      patch_vs_whole_flow_bytes: Math.round((app.patch_bytes / app.whole_flow_bytes) * 10000) / 10000,
    };
    console.error(`app drop (${DROP_SIZE} nodes, real web app): ${JSON.stringify(app)}`);
  }
} finally {
  await browser.close();
  server.close();
}
const load = { start: loadAtStart, end: Math.round(loadavg()[0] * 10) / 10 };
console.log(
  JSON.stringify({
    baseline_bare_xyflow: baseline,
    ratio_vs_baseline: ratios,
    runs: RUNS,
    load_average_1m: load,
  }),
);
console.log(JSON.stringify({ ...result, load_average_1m: load }));
