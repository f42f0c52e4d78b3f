// Heap allocated by the flow engine per run, without a broker: the benchmark flow of
// `bench:engine` (MQTT in → if payload.temp > 25 → transform alert: true → MQTT out) driven
// through engine.deliverMqtt with ports that only count, against a hand-written baseline doing the
// same work in the same process (decode, parse, test, copy, serialise). Bytes come from V8's own
// heap statistics around every collection (v8.GCProfiler): allocated = what each collection freed
// plus what is still in use at the end. Every message starts one run (about half reach MQTT out).
//   node test/bench/engine-alloc.mjs [other checkout]
// With another checkout (e.g. a worktree of main), its engine is measured too, interleaved with
// this one, so a change can be judged side by side on a busy machine. 3 rounds, medians.
// Last line: {"engine":{"bytes_per_run",…},"baseline":{…},"other":{…}|null,"ratio_engine_to_baseline",…}
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GCProfiler } from 'node:v8';
import { build } from 'esbuild';
import { benchFlow } from './engine-systems.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const other = process.argv[2] ? resolve(process.argv[2]) : undefined;

const loadEngine = async (repo) => {
  const dir = await mkdtemp(join(tmpdir(), 'fg-engine-alloc-'));
  const outfile = join(dir, 'engine.mjs');
  await build({
    entryPoints: [join(repo, 'shared/core/engine/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'warning',
  });
  const module = await import(pathToFileURL(outfile).href);
  await rm(dir, { recursive: true, force: true });
  return module.createEngine;
};

const messages = 200_000;
const payloads = Array.from({ length: 1000 }, (_, i) =>
  Buffer.from(JSON.stringify({ temp: i % 51, seq: i })),
);

/** Bytes allocated and CPU used while `work` runs, and how many collections it caused. */
const measure = (work) => {
  const profiler = new GCProfiler();
  profiler.start();
  const startUsed = process.memoryUsage().heapUsed;
  const cpu = process.cpuUsage();
  const counts = work();
  const used = process.cpuUsage(cpu);
  const endUsed = process.memoryUsage().heapUsed;
  const { statistics } = profiler.stop();
  let freed = 0;
  for (const gc of statistics)
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  return {
    bytes: (freed + endUsed - startUsed) / messages,
    us: (used.user + used.system) / messages,
    gcs: statistics.length,
    ...counts,
  };
};

const engineRun = (createEngine) => () => {
  let published = 0;
  let traces = 0;
  let steps = 0;
  const engine = createEngine({
    clock: {
      now: () => Date.now(),
      setTimer: (cb, ms) => setTimeout(cb, ms),
      clearTimer: (h) => clearTimeout(h),
    },
    devices: { writeProperty: () => {}, invokeAction: () => {} },
    // what the gateway's MQTT port does with an object payload
    mqtt: {
      publish: (_topic, payload) => void (published += JSON.stringify(payload).length > 0 ? 1 : 0),
      subscribe: () => {},
      unsubscribe: () => {},
    },
    http: { request: () => Promise.reject(new Error('none')) },
    persistence: { load: () => undefined, save: () => {} },
    traces: { write: () => void traces++ },
    observer: { step: () => void steps++ },
    log: () => {},
  });
  engine.deploy([benchFlow]);
  engine.start();
  for (let i = 0; i < 20_000; i++) engine.deliverMqtt('bench/in', payloads[i % payloads.length]);
  published = traces = steps = 0;
  const result = measure(() => {
    for (let i = 0; i < messages; i++) engine.deliverMqtt('bench/in', payloads[i % payloads.length]);
    return { published, traces, steps };
  });
  engine.stop();
  return result;
};

const decoder = new TextDecoder();
const baselineRun = () => {
  let published = 0;
  const publish = (_topic, text) => void (published += text.length > 0 ? 1 : 0);
  return measure(() => {
    for (let i = 0; i < messages; i++) {
      const payload = JSON.parse(decoder.decode(payloads[i % payloads.length]));
      if (payload.temp > 25) publish('bench/out', JSON.stringify({ ...payload, alert: true }));
    }
    return { published, traces: 0, steps: 0 };
  });
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const systems = { engine: engineRun(await loadEngine(root)), baseline: baselineRun };
if (other) systems.other = engineRun(await loadEngine(other));
const rounds = Object.fromEntries(Object.keys(systems).map((k) => [k, []]));
for (let r = 0; r < 3; r++) for (const [name, run] of Object.entries(systems)) rounds[name].push(run());

const summarize = (list) =>
  list && {
    bytes_per_run: Math.round(median(list.map((x) => x.bytes))),
    us_per_msg: Number(median(list.map((x) => x.us)).toFixed(3)),
    gcs_per_100k: Math.round((median(list.map((x) => x.gcs)) * 100_000) / messages),
    published: list[0].published,
    traces: list[0].traces,
    steps: list[0].steps,
  };
const engine = summarize(rounds.engine);
const baseline = summarize(rounds.baseline);
const otherSummary = summarize(rounds.other) ?? null;
console.log(
  `engine ${engine.bytes_per_run} B/run, hand-written ${baseline.bytes_per_run} B/msg` +
    (otherSummary ? `, ${other} ${otherSummary.bytes_per_run} B/run` : '') +
    ` (${messages} messages, 3 rounds)`,
);
console.log(
  JSON.stringify({
    engine,
    baseline,
    other: otherSummary && { checkout: other, ...otherSummary },
    ratio_engine_to_baseline: Number((engine.bytes_per_run / baseline.bytes_per_run).toFixed(2)),
    ratio_engine_to_other: otherSummary
      ? Number((engine.bytes_per_run / otherSummary.bytes_per_run).toFixed(2))
      : null,
  }),
);
