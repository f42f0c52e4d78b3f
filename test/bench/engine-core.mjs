// In-process cost of the flow engine, without a broker: the benchmark flow of issue 4
// (MQTT in → if payload.temp > 25 → transform alert: true → MQTT out) driven through
// engine.deliverMqtt with a publish port that only counts, against a hand-written baseline
// doing the same work (parse, test, copy, publish) in the same process. 3 rounds, medians.
//   node test/bench/engine-core.mjs
// Last line: {"engine":{"us_per_msg",…},"baseline":{…},"ratio_engine_to_baseline":…}
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'fg-engine-core-'));
const outfile = join(dir, 'engine.mjs');
await build({
  entryPoints: [join(root, 'shared/core/engine/index.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile,
  logLevel: 'warning',
});
const { createEngine } = await import(pathToFileURL(outfile).href);
await rm(dir, { recursive: true, force: true });

const messages = 200_000;
const payloads = Array.from({ length: 1000 }, (_, i) =>
  Buffer.from(JSON.stringify({ temp: i % 51, seq: i })),
);
const node = (id, kind, config) => ({ id, kind, config, position: { x: 0, y: 0 } });
const edge = (id, from, to, fromPort = 'out') => ({
  id,
  from: { node: from, port: fromPort },
  to: { node: to, port: 'in' },
});
const flow = {
  schemaVersion: 1,
  id: 'bench',
  name: 'bench',
  roles: [],
  runMode: { mode: 'parallel', max: 10_000 },
  nodes: [
    node('in', 'trigger.mqtt', { topic: 'bench/in' }),
    node('hot', 'logic.if', { condition: 'payload.temp > 25' }),
    node('alert', 'logic.transform', { set: { alert: 'true' } }),
    node('out', 'action.mqtt-publish', { topic: 'bench/out' }),
  ],
  edges: [edge('e1', 'in', 'hot'), edge('e2', 'hot', 'alert', 'true'), edge('e3', 'alert', 'out')],
};

const runEngine = () => {
  let published = 0;
  let traces = 0;
  const engine = createEngine({
    clock: {
      now: () => Date.now(),
      setTimer: (cb, ms) => setTimeout(cb, ms),
      clearTimer: (h) => clearTimeout(h),
    },
    devices: { writeProperty: () => {}, invokeAction: () => {} },
    mqtt: { publish: () => void published++, subscribe: () => {}, unsubscribe: () => {} },
    http: { request: () => Promise.reject(new Error('none')) },
    persistence: { load: () => undefined, save: () => {} },
    traces: { write: () => void traces++ },
    log: () => {},
  });
  engine.deploy([flow]);
  engine.start();
  const cpu = process.cpuUsage();
  for (let i = 0; i < messages; i++) engine.deliverMqtt('bench/in', payloads[i % payloads.length]);
  const used = process.cpuUsage(cpu);
  engine.stop();
  return { us: (used.user + used.system) / messages, published, traces };
};

const runBaseline = () => {
  let published = 0;
  const publish = () => void published++;
  const cpu = process.cpuUsage();
  for (let i = 0; i < messages; i++) {
    const payload = JSON.parse(payloads[i % payloads.length].toString('utf8'));
    if (payload.temp > 25) publish('bench/out', { ...payload, alert: true });
  }
  const used = process.cpuUsage(cpu);
  return { us: (used.user + used.system) / messages, published, traces: 0 };
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rounds = { engine: [], baseline: [] };
for (let r = 0; r < 3; r++) {
  rounds.engine.push(runEngine());
  rounds.baseline.push(runBaseline());
}
const summarize = (list) => ({
  us_per_msg: Number(median(list.map((x) => x.us)).toFixed(3)),
  published: list[0].published,
  traces: list[0].traces,
});
const engine = summarize(rounds.engine);
const baseline = summarize(rounds.baseline);
console.log(
  `engine ${engine.us_per_msg} µs/msg, hand-written ${baseline.us_per_msg} µs/msg (${messages} messages, 3 rounds)`,
);
console.log(
  JSON.stringify({
    engine,
    baseline,
    ratio_engine_to_baseline: Number((engine.us_per_msg / baseline.us_per_msg).toFixed(2)),
  }),
);
