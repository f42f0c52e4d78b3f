// The drop phase of `npm run bench:editor`: a 5,000-node flow opened through the real web app
// (`fieldgraph web`, its Open project dialog and the Flows view), one node dragged and dropped,
// then: the longest frame in the 1.5 s after the drop, and how long until the Save button says
// "Save" (the dirty state). Side by side in the same run: what autosave sends over the app's own
// WebSocket API for that edit (one node as project.patchDocument) against sending the whole flow
// (project.putDocument), each a median of round trips.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import WebSocket from 'ws';

const AFTER_DROP_MS = 1500;
const MOVES = 30;

const startWebApp = async (repo, dataDir) => {
  const child = spawn(process.execPath, ['bin/fieldgraph.js', 'web', '--no-open', '--port', '0'], {
    cwd: repo,
    env: { ...process.env, FIELDGRAPH_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    // Generous: a cold start of the server on a loaded two-core machine takes over 15 s.
    const timer = setTimeout(() => reject(new Error(`fieldgraph web printed no address:\n${out}`)), 45_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`fieldgraph web exited with ${code}:\n${out}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
};

/** Calls the app's API over its WebSocket, as the browser client does. */
const apiClient = async (url) => {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/api?token=${u.searchParams.get('token')}`, { origin: u.origin });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 1;
  const waiting = new Map();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    if (msg.t === 'result' && waiting.has(msg.id)) {
      waiting.get(msg.id)(msg.result);
      waiting.delete(msg.id);
    }
  });
  return {
    call: (method, args) =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ t: 'call', id, method, args }));
      }),
    close: () => ws.close(),
  };
};

const inPage = () => {
  const drop = { frames: [], upAt: null, dirtyAt: null, armed: false };
  window.benchDrop = drop;
  let last = 0;
  const loop = (t) => {
    if (last > 0) drop.frames.push({ end: t, ms: t - last });
    if (drop.frames.length > 4000) drop.frames.splice(0, 2000);
    last = t;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  addEventListener(
    'pointerup',
    () => {
      if (drop.armed && drop.upAt === null) drop.upAt = performance.now();
    },
    true,
  );
  window.benchWatchSave = () => {
    const button = document.querySelector('[data-testid="save-flows"]');
    new MutationObserver(() => {
      if (drop.upAt !== null && drop.dirtyAt === null && button.textContent.trim() === 'Save')
        drop.dirtyAt = performance.now();
    }).observe(button, { childList: true, characterData: true, subtree: true });
  };
};

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const round = (v) => Math.round(v * 10) / 10;

/** One run: open the project through the UI, drag a node, measure. */
const runOnce = async (browser, repo, size, projectDir) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fg-bench-drop-data-'));
  const app = await startWebApp(repo, dataDir);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(inPage);
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Open project…' }).click();
    await page
      .getByRole('dialog')
      .getByLabel(/^Project folder/)
      .fill(projectDir);
    await page.getByRole('dialog').getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByTestId('project-bar').waitFor();
    await page.locator('nav [data-view="flows"]').click();
    await page.locator('.svelte-flow__node-flowNode').first().waitFor({ timeout: 120_000 });
    await page.getByTestId('save-flows').filter({ hasText: 'Saved' }).waitFor({ timeout: 60_000 });
    // Let validation and the first layout settle, as a person would before dragging.
    await page.waitForTimeout(1500);
    await page.evaluate(() => window.benchWatchSave());
    const box = await page.locator('.svelte-flow').boundingBox();
    const target = await page.evaluate((b) => {
      let best = null;
      for (const el of document.querySelectorAll('.svelte-flow__node-flowNode')) {
        const r = el.getBoundingClientRect();
        const d = Math.hypot(
          r.x + r.width / 2 - (b.x + b.width / 2),
          r.y + r.height / 2 - (b.y + b.height / 2),
        );
        if (!best || d < best.d)
          best = { d, x: r.x + Math.min(30, r.width / 2), y: r.y + Math.min(12, r.height / 2) };
      }
      return best;
    }, box);
    await page.mouse.move(target.x, target.y);
    await page.mouse.down();
    for (let i = 1; i <= MOVES; i++)
      await page.mouse.move(target.x + (160 * i) / MOVES, target.y + (90 * i) / MOVES);
    await page.evaluate(() => (window.benchDrop.armed = true));
    await page.mouse.up();
    await page.waitForFunction(() => window.benchDrop.dirtyAt !== null, null, { timeout: 10_000 });
    await page.waitForTimeout(AFTER_DROP_MS);
    const { frames, upAt, dirtyAt } = await page.evaluate(() => window.benchDrop);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const after = frames.filter((f) => f.end > upAt && f.end - f.ms < upAt + AFTER_DROP_MS);
    return {
      drop_longest_frame_ms: Math.max(...after.map((f) => f.ms)),
      drop_to_dirty_ms: dirtyAt - upAt,
    };
  } finally {
    await context.close();
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

/** What crosses the API for one moved node: a patch of it against the whole flow, round trips. */
const measureTransport = async (repo, size, projectDir, helpers) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fg-bench-drop-api-'));
  const app = await startWebApp(repo, dataDir);
  const api = await apiClient(app.url);
  try {
    const opened = await api.call('project.open', { path: projectDir });
    if (!opened.ok) throw new Error(`project.open: ${JSON.stringify(opened.error)}`);
    const doc = helpers.benchFlowDocument(size);
    const node = doc.nodes[Math.floor(size / 2)];
    const whole = [];
    const patch = [];
    for (let i = 0; i < 7; i++) {
      node.position = { x: node.position.x + 20, y: node.position.y };
      let t = performance.now();
      const put = await api.call('project.putDocument', { kind: 'flows', id: 'bench', document: doc });
      whole.push(performance.now() - t);
      t = performance.now();
      const patched = await api.call('project.patchDocument', {
        kind: 'flows',
        id: 'bench',
        ops: [{ op: 'put', path: ['nodes', { id: node.id }], value: node }],
      });
      patch.push(performance.now() - t);
      if (!put.ok || !patched.ok) throw new Error(JSON.stringify(put.ok ? patched.error : put.error));
    }
    return {
      patch_round_trip_ms: round(median(patch)),
      whole_flow_round_trip_ms: round(median(whole)),
      patch_bytes: JSON.stringify([{ op: 'put', path: ['nodes', { id: node.id }], value: node }]).length,
      whole_flow_bytes: JSON.stringify(doc).length,
    };
  } finally {
    api.close();
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

/** Runs the drop phase `runs` times at `size` nodes; figures are medians. */
export const measureDrop = async ({ browser, repo, size, runs }) => {
  const work = mkdtempSync(join(tmpdir(), 'fg-bench-drop-'));
  try {
    const bundled = await build({
      entryPoints: [join(repo, 'test/bench/editor/project.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const file = join(work, 'project.mjs');
    writeFileSync(file, bundled.outputFiles[0].text);
    const helpers = await import(pathToFileURL(file).href);
    const projectDir = join(work, 'project');
    const flowBytes = helpers.writeBenchProject(projectDir, size);
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await runOnce(browser, repo, size, projectDir));
    const transport = await measureTransport(repo, size, projectDir, helpers);
    return {
      nodes: size,
      flow_file_bytes: flowBytes,
      drop_longest_frame_ms: round(median(results.map((r) => r.drop_longest_frame_ms))),
      drop_to_dirty_ms: round(median(results.map((r) => r.drop_to_dirty_ms))),
      drop_longest_frame_runs: results.map((r) => round(r.drop_longest_frame_ms)),
      drop_to_dirty_runs: results.map((r) => round(r.drop_to_dirty_ms)),
      ...transport,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
};
