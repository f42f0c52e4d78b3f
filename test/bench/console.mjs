// `npm run bench:console`: the Broker view (MQTT inspector) of `fieldgraph web` in Debian
// Chromium, inspecting a real mosquitto that carries 2,000 topics at 500 messages a second
// (console-load.mjs, its own process). With the tree expanded over 220 rows, a busy topic's
// history and plot open, and the tree scrolled now and then, frame times are recorded from a
// requestAnimationFrame loop for CONSOLE_BENCH_SECONDS (default 300). Baseline side by side: the
// same page with the same 2,000 topics and no traffic (frames for a tenth of the time, at
// least 10 s). JS heap of the page (after a forced GC) and RSS of the web server are taken at
// the start and at the end of the loaded run, to show memory stays bounded.
// Last line: {"frame_median_ms","frame_p95_ms","renderer_heap_mb_start","renderer_heap_mb_end",
// "server_rss_mb_start","server_rss_mb_end","messages_seen",…,"baseline_idle":{…},"ratio_vs_baseline":{…}}.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describeLong, quantile, round, startFrames, stopFrames } from './frames.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SECONDS = Number(process.env.CONSOLE_BENCH_SECONDS ?? 300);
const RATE = Number(process.env.CONSOLE_BENCH_RATE ?? 500);
const BASELINE_SECONDS = Math.max(10, Math.round(SECONDS / 10));
const work = mkdtempSync(join(tmpdir(), 'fg-bench-console-'));
const children = [];
const cleanup = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
};
process.on('exit', cleanup);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
const waitPort = async (port) => {
  for (let i = 0; i < 200; i++) {
    const up = await new Promise((ok) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), ok(true)));
      socket.once('error', () => ok(false));
    });
    if (up) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${port}`);
};
const rssMb = (pid) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return line ? Math.round(Number(line[1]) / 102.4) / 10 : NaN;
};
// 1. mosquitto and the web app, started as a user starts them.
const port = await freePort();
writeFileSync(
  join(work, 'm.conf'),
  [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'set_tcp_nodelay true',
    '',
  ].join('\n'),
);
children.push(spawn('mosquitto', ['-c', join(work, 'm.conf')], { stdio: 'ignore' }));
await waitPort(port);
const brokerUrl = `mqtt://127.0.0.1:${port}`;
const web = spawn(process.execPath, [join(repo, 'bin/fieldgraph.js'), 'web', '--no-open', '--port', '0'], {
  env: { ...process.env, FIELDGRAPH_DATA_DIR: join(work, 'data') },
  stdio: ['ignore', 'pipe', 'inherit'],
});
children.push(web);
const appUrl = await new Promise((ok, fail) => {
  let out = '';
  const timer = setTimeout(() => fail(new Error(`fieldgraph web printed no address: ${out}`)), 20_000);
  web.stdout.on('data', (d) => {
    out += d;
    const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
    if (m) {
      clearTimeout(timer);
      ok(m[1]);
    }
  });
});

// 2. The load generator, waiting for its orders.
const load = spawn(process.execPath, [join(repo, 'test/bench/console-load.mjs'), brokerUrl, String(RATE)], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
children.push(load);

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
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
await page.goto(appUrl);
await page.locator('nav[aria-label="Main"] button[data-view="inspector"]').click();
await page.getByRole('textbox', { name: 'Broker to inspect' }).fill(brokerUrl);
await page.getByRole('button', { name: 'Inspect' }).click();
await page.getByTestId('inspector-status').getByText('Connected to').waitFor();
// Every topic published once while the page watches (only a tenth are retained).
load.stdin.write('seed\n');
await new Promise((ok) => load.stdout.once('data', ok));
await page.getByTestId('inspector-status').getByText('2000 topics').waitFor({ timeout: 60_000 });

// Expand every area and the first device of each: 20 + 200 + 200 rows, more than a screen.
const expand = async (path) => {
  const row = page.locator(`[data-topic="${path}"]`);
  if ((await row.getAttribute('aria-expanded')) !== 'true')
    await row.getByRole('button', { name: `Expand ${path}` }).click();
};
await expand('bench');
for (let a = 19; a >= 0; a--) {
  await expand(`bench/area-${a}`);
  await expand(`bench/area-${a}/dev-0`);
}
await page.locator('[data-topic="bench/area-0/dev-0/m-0"] button.name').click();
await page.getByTestId('topic-detail').waitFor();

const tree = page.getByTestId('topic-tree');
const box = await tree.boundingBox();
const record = async (seconds) => {
  await startFrames(page);
  const end = Date.now() + seconds * 1000;
  let down = true;
  for (let i = 0; Date.now() < end; i++) {
    // Scroll the tree now and then, as someone reading it does.
    if (i % 4 === 0) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, down ? 600 : -600);
      if (i % 40 === 0) down = !down;
    }
    await sleep(500);
  }
  return stopFrames(page);
};
const heapMb = async () => {
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return round(usedSize / 1048576);
};

let result;
try {
  // 3. Baseline: the same page and topics, no traffic.
  const { frames: idle } = await record(BASELINE_SECONDS);
  const baseline = {
    seconds: BASELINE_SECONDS,
    frame_median_ms: round(quantile(idle, 0.5)),
    frame_p95_ms: round(quantile(idle, 0.95)),
    renderer_heap_mb: await heapMb(),
  };
  console.error(`baseline (no traffic): ${JSON.stringify(baseline)}`);

  // 4. The load: RATE messages a second for SECONDS.
  load.stdin.write('run\n');
  await sleep(5_000); // let the first batches settle
  const startHeap = await heapMb();
  const startRss = rssMb(web.pid);
  // CONSOLE_BENCH_PROFILE=FILE: a CPU profile of the page during the loaded run, for DevTools.
  const profiler = process.env.CONSOLE_BENCH_PROFILE ? await context.newCDPSession(page) : null;
  if (profiler) {
    await profiler.send('Profiler.enable');
    await profiler.send('Profiler.start');
  }
  const { frames, long } = await record(SECONDS);
  if (profiler) {
    const { profile } = await profiler.send('Profiler.stop');
    writeFileSync(process.env.CONSOLE_BENCH_PROFILE, JSON.stringify(profile));
    await profiler.detach();
  }
  if (process.env.CONSOLE_BENCH_VERBOSE) console.error(JSON.stringify(long.slice(0, 40)));
  console.error(describeLong(long));
  const endHeap = await heapMb();
  const endRss = rssMb(web.pid);
  const status = (await page.getByTestId('inspector-status').textContent()) ?? '';
  const seen = Number((/([\d.]+k?) messages/.exec(status)?.[1] ?? '0').replace('k', '000'));
  result = {
    seconds: SECONDS,
    topics: 2000,
    rate_msg_s: RATE,
    frames: frames.length,
    frame_median_ms: round(quantile(frames, 0.5)),
    frame_p95_ms: round(quantile(frames, 0.95)),
    renderer_heap_mb_start: startHeap,
    renderer_heap_mb_end: endHeap,
    server_rss_mb_start: startRss,
    server_rss_mb_end: endRss,
    messages_seen: seen,
    page_errors: errors.length,
    baseline_idle: baseline,
    ratio_vs_baseline: {
      frame_median: round(quantile(frames, 0.5) / baseline.frame_median_ms),
      frame_p95: round(quantile(frames, 0.95) / baseline.frame_p95_ms),
    },
    targets: { frame_median_ms: 17, frame_p95_ms: 25 },
  };
  result.targets_met = result.frame_median_ms <= 17 && result.frame_p95_ms <= 25;
} finally {
  await browser.close();
  load.kill('SIGTERM');
  web.kill('SIGTERM');
}
if (errors.length) console.error(`page errors: ${errors.join('; ')}`);
console.log(JSON.stringify(result));
process.exit(0);
