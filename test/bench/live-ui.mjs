// The UI half of `npm run bench:live` (test/bench/live.mjs imports it): the real app
// (`fieldgraph web`, freshly built) in Debian Chromium opens the bench's 200-node project, its
// Flows view watches the bench gateway live (signed with an installer key the gateway trusts),
// and frame times are recorded from a requestAnimationFrame loop in the page while the gateway
// runs the flow at `rate` msg/s. Baseline side by side: the same page under the same load with
// nobody watching (no overlay). Each figure is the median over UI_RUNS alternating rounds.
// Two views: the whole flow fitted on screen (as it opens), and zoomed to 100 %.
// Returns {"overlay_on":{frame_median_ms, frame_p95_ms, frames, lit_nodes, trigger_runs_shown},
// "overlay_off":{…}, "zoomed_overlay_on":{…}, "zoomed_overlay_off":{…}, "ratios":{…}, "targets_met":{…}}.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { describeLong, median, quantile, round, startFrames, stopFrames } from './frames.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = Number(process.env.UI_RUNS ?? 3);
const SECONDS = Number(process.env.UI_SECONDS ?? 8);
const log = (...args) => console.error('[bench:live ui]', ...args);

const run = (command, args, env = {}) =>
  new Promise((ok, fail) => {
    const child = spawn(command, args, { cwd: repo, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.once('exit', (code) =>
      code === 0 ? ok() : fail(new Error(`${args.join(' ')} exited with ${code}`)),
    );
  });

/** A secrets file whose installer key is the one the bench gateway trusts. */
const secretsWithKey = async (dataDir, secretKey, passphrase) => {
  const bundle = join(repo, 'node_modules', '.cache', 'fieldgraph-bench', 'live-ui-secrets.mjs');
  await build({
    stdin: {
      contents: [
        "export { createEncryptedFileSecretStore } from './shared/node/secrets/encrypted-file';",
        "export { INSTALLER_KEY_REF } from './shared/node/keys/installer-key';",
        "export { encodeKey } from './shared/core/package/keys';",
      ].join('\n'),
      resolveDir: repo,
      sourcefile: 'bench-live-ui-secrets.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: bundle,
    logLevel: 'warning',
  });
  const m = await import(bundle);
  const store = m.createEncryptedFileSecretStore({ path: join(dataDir, 'secrets.json'), passphrase });
  await store.set(m.INSTALLER_KEY_REF, m.encodeKey('ed25519-secret', secretKey));
};

const startWeb = (dataDir, passphrase) =>
  new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['bin/fieldgraph.js', 'web', '--no-open', '--port', '0'], {
      cwd: repo,
      env: { ...process.env, FIELDGRAPH_DATA_DIR: dataDir, FIELDGRAPH_SECRETS_PASSPHRASE: passphrase },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (match) ok({ url: match[1], child });
    });
    child.once('exit', (code) => fail(new Error(`fieldgraph web exited with ${code}: ${out}`)));
  });

/**
 * Measures frame times of the Flows view showing the bench flow, with the live overlay of the
 * bench gateway on and off, while the gateway runs the flow at `context.rate` msg/s.
 */
export const measureUi = async (context) => {
  const { brokerUrl, gatewayId, projectDir, rate, paced, signingSecret } = context;
  if (!signingSecret) throw new Error('bench:live passes the key its gateway trusts as signingSecret');
  log('building the app');
  await run(process.execPath, ['scripts/build.mjs']);
  const dataDir = mkdtempSync(join(tmpdir(), 'fg-bench-live-ui-'));
  const passphrase = 'bench live ui';
  await secretsWithKey(dataDir, signingSecret, passphrase);
  const web = await startWeb(dataDir, passphrase);
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
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The page's main-thread time (script, style and layout) per second of load: what the overlay
    // costs, steadier on a busy machine than frame times, which also count waits for a CPU.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    // CPU time of every Chromium process (the renderer, and the GPU process that rasterises in
    // software here): unlike wall-clock durations it does not grow while a process waits for a CPU.
    const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    const browserCpuMs = () => {
      const parents = new Map();
      const cpu = new Map();
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          parents.set(Number(entry), Number(fields[1]));
          // Chromium's processes, whatever they call their threads ("chromium", "chrome", …)
          if (/^\d+ \(chrom/.test(stat))
            cpu.set(Number(entry), ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks);
        } catch {
          // the process ended meanwhile
        }
      }
      const within = (pid) => {
        for (let p = pid, depth = 0; p > 1 && depth < 10; p = parents.get(p) ?? 0, depth++)
          if (p === process.pid) return true;
        return false;
      };
      let total = 0;
      for (const [pid, ms] of cpu) if (within(pid)) total += ms;
      return total;
    };
    const mainThread = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
      return {
        task: m.TaskDuration,
        script: m.ScriptDuration,
        layout: m.LayoutDuration + m.RecalcStyleDuration,
        cpu: browserCpuMs() / 1000,
      };
    };
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // What the app's WebSocket carries to the page (live batches and any other event).
    const socket = { frames: 0, bytes: 0 };
    page.on('websocket', (ws) =>
      ws.on('framereceived', (frame) => {
        socket.frames++;
        socket.bytes += frame.payload.length;
      }),
    );
    await page.goto(web.url);
    await page.getByRole('button', { name: 'Open project…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Project folder/).fill(projectDir);
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    await page.locator('nav[aria-label="Main"] [data-view="flows"]').click();
    await page
      .locator('.svelte-flow__node-flowNode')
      .nth(199)
      .waitFor({ state: 'attached', timeout: 60_000 });
    log('the 200-node flow is open');

    const watch = async () => {
      await page.getByTestId('try-it').click();
      await page.getByTestId('try-it-broker').fill(brokerUrl);
      await page.getByTestId('watch-gateway-id').fill(gatewayId);
      await page.getByRole('button', { name: 'Watch it' }).click();
      await page.getByTestId('live-watching').waitFor({ timeout: 30_000 });
    };
    const unwatch = async () => {
      await page.getByRole('button', { name: '■ Stop' }).click();
      await page.getByTestId('try-it').waitFor();
    };
    const trigger = page.locator('.svelte-flow__node[data-id="t"] [data-testid="node-runs"]');

    /** Zooms to 100 % (from the overview the flow opens in) with the canvas's own + button. */
    const zoomIn = async () => {
      for (let i = 0; i < 12; i++) {
        const zoom = await page.evaluate(() => {
          const t = getComputedStyle(document.querySelector('.svelte-flow__viewport')).transform;
          return new DOMMatrix(t).a;
        });
        if (zoom >= 0.95) return zoom;
        await page.locator('.svelte-flow__controls-zoomin').click();
        await page.waitForTimeout(100);
      }
      return null;
    };

    const rounds = { on: [], off: [], zoomed_on: [], zoomed_off: [] };
    const scenarios = [['on', 'off']];
    for (let i = 0; i < RUNS * 2; i++) {
      if (i === RUNS) {
        const zoom = await zoomIn();
        log(`zoomed in to ${zoom}`);
        scenarios[0] = ['zoomed_on', 'zoomed_off'];
      }
      for (const mode of i % 2 ? [...scenarios[0]].reverse() : scenarios[0]) {
        const watching = mode.endsWith('_on') || mode === 'on';
        if (watching) await watch();
        const before = watching && (await trigger.count()) ? Number(await trigger.textContent()) : 0;
        let load;
        if (process.env.UI_TRACE && mode === process.env.UI_TRACE_MODE)
          await browser.startTracing(page, { path: process.env.UI_TRACE });
        const socketBefore = { ...socket };
        const busyBefore = await mainThread();
        // UI_PROFILE=FILE: a CPU profile of the page during UI_TRACE_MODE's round, for DevTools.
        const profiling = process.env.UI_PROFILE && mode === process.env.UI_TRACE_MODE;
        if (profiling) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
        await startFrames(page);
        load = await paced(rate, SECONDS);
        const { frames, long } = await stopFrames(page);
        if (profiling)
          writeFileSync(process.env.UI_PROFILE, JSON.stringify((await cdp.send('Profiler.stop')).profile));
        log(mode, describeLong(long));
        if (process.env.UI_TRACE && mode === process.env.UI_TRACE_MODE) await browser.stopTracing();
        // The first second settles (the stream's first batches, JIT); the rest is steady state.
        const steady = frames.slice(60);
        const lit = await page.locator('[data-testid="node-runs"]').count();
        const shown = watching ? Number((await trigger.textContent()) ?? 0) - before : 0;
        const busyAfter = await mainThread();
        const perSecond = (key) => Math.round(((busyAfter[key] - busyBefore[key]) * 1000) / SECONDS);
        const result = {
          browser_cpu_ms_per_s: perSecond('cpu'),
          main_thread_ms_per_s: perSecond('task'),
          script_ms_per_s: perSecond('script'),
          style_layout_ms_per_s: perSecond('layout'),
          frame_median_ms: quantile(steady, 0.5),
          frame_p95_ms: quantile(steady, 0.95),
          frames: steady.length,
          lit_nodes: lit,
          trigger_runs_shown: shown,
          load_loss_pct: load.loss_pct,
          socket_messages_per_s: Math.round((socket.frames - socketBefore.frames) / SECONDS),
          socket_kb_per_s: Math.round((socket.bytes - socketBefore.bytes) / 1024 / SECONDS),
        };
        log(mode, JSON.stringify(result));
        rounds[mode].push(result);
        if (watching) await unwatch();
      }
    }
    if (errors.length) throw new Error(`the page failed: ${errors.join('; ')}`);
    const pick = (mode, field) => round(median(rounds[mode].map((r) => r[field])));
    const summarise = (mode) => ({
      frame_median_ms: pick(mode, 'frame_median_ms'),
      frame_p95_ms: pick(mode, 'frame_p95_ms'),
      browser_cpu_ms_per_s: pick(mode, 'browser_cpu_ms_per_s'),
      main_thread_ms_per_s: pick(mode, 'main_thread_ms_per_s'),
      script_ms_per_s: pick(mode, 'script_ms_per_s'),
      style_layout_ms_per_s: pick(mode, 'style_layout_ms_per_s'),
      frames: pick(mode, 'frames'),
      lit_nodes: pick(mode, 'lit_nodes'),
      ...(mode.endsWith('on') ? { trigger_runs_shown: pick(mode, 'trigger_runs_shown') } : {}),
      load_loss_pct: pick(mode, 'load_loss_pct'),
      socket_messages_per_s: pick(mode, 'socket_messages_per_s'),
      socket_kb_per_s: pick(mode, 'socket_kb_per_s'),
    });
    const on = summarise('on');
    const off = summarise('off');
    const zoomedOn = summarise('zoomed_on');
    const zoomedOff = summarise('zoomed_off');
    const ratio = (a, b) => (a && b ? round(a / b) : null);
    const worst = (field) => Math.max(on[field] ?? Infinity, zoomedOn[field] ?? Infinity);
    return {
      rate_msgs_per_s: rate,
      seconds: SECONDS,
      rounds: RUNS,
      // The whole flow on screen (it opens fitted): counts and values are level-of-detail hidden.
      overlay_on: on,
      overlay_off: off,
      // At 100 %: the visible nodes with their counts, values and the wires' counts.
      zoomed_overlay_on: zoomedOn,
      zoomed_overlay_off: zoomedOff,
      ratios: {
        frame_median_on_vs_off: ratio(on.frame_median_ms, off.frame_median_ms),
        frame_p95_on_vs_off: ratio(on.frame_p95_ms, off.frame_p95_ms),
        zoomed_frame_median_on_vs_off: ratio(zoomedOn.frame_median_ms, zoomedOff.frame_median_ms),
        zoomed_frame_p95_on_vs_off: ratio(zoomedOn.frame_p95_ms, zoomedOff.frame_p95_ms),
      },
      targets_met: {
        frame_median_at_most_17_ms: worst('frame_median_ms') <= 17,
        frame_p95_at_most_25_ms: worst('frame_p95_ms') <= 25,
        // The overlay really followed the load: every node lit and the trigger's count grew.
        overlay_live:
          on.lit_nodes === 200 && (on.trigger_runs_shown ?? 0) > 0 && (zoomedOn.trigger_runs_shown ?? 0) > 0,
      },
    };
  } finally {
    await browser.close();
    web.child.kill('SIGTERM');
    await new Promise((r) => web.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
};
