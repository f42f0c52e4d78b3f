// `node test/bench/binding.mjs`: what the generic binding runtime costs per incoming message,
// against a hand-written decoder for the same device, side by side in one run. Messages are a
// realistic Tasmota mix (stat/POWER text, RESULT JSON, tele/STATE JSON with Wi-Fi) and Shelly
// NotifyStatus frames. Also the one-off cost of compileDevice, and decodeMessage with the same
// device object (cache hit) and with a new object per message (compiles every time).
// Last line: {"messages","runs","handwritten_ns","compiled_ns","ratio_compiled_vs_handwritten",…}.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bundle = join(repo, 'node_modules', '.cache', 'fieldgraph-bench', 'binding.mjs');
await build({
  stdin: {
    contents: "export * from './shared/core/model/observe'; export * from './shared/core/model/binding';",
    resolveDir: repo,
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
const { compileDevice, decodeMessage } = await import(bundle);

const model = (id) => JSON.parse(readFileSync(join(repo, 'resources/library/models', `${id}.json`), 'utf8'));
const relay = { model: model('tasmota-relay'), variables: { topic: 'kitchen_relay' } };
const shelly = { model: model('shelly-plus-1pm'), variables: { prefix: 'shellyplus1pm-a8032ab1c2d3' } };

const N = 100_000;
const messages = [];
for (let i = 0; i < N; i++) {
  const on = i % 2 === 0;
  switch (i % 4) {
    case 0:
      messages.push([relay, 'stat/kitchen_relay/POWER', on ? 'ON' : 'OFF']);
      break;
    case 1:
      messages.push([relay, 'stat/kitchen_relay/RESULT', JSON.stringify({ POWER: on ? 'ON' : 'OFF' })]);
      break;
    case 2:
      messages.push([
        relay,
        'tele/kitchen_relay/STATE',
        JSON.stringify({
          Time: '2021-06-27T15:03:44',
          UptimeSec: i,
          POWER: on ? 'ON' : 'OFF',
          Wifi: { RSSI: 86, Signal: -57 },
        }),
      ]);
      break;
    default:
      messages.push([
        shelly,
        'shellyplus1pm-a8032ab1c2d3/events/rpc',
        JSON.stringify({
          src: 'x',
          method: 'NotifyStatus',
          params: { ts: i, 'switch:0': { output: on, apower: i % 100 } },
        }),
      ]);
  }
}

// The hand-written baseline: what someone would code for exactly these two devices.
const handwritten = (dev, topic, payload) => {
  const out = [];
  if (dev === relay) {
    if (topic === 'stat/kitchen_relay/POWER') out.push(['on', payload.toUpperCase() === 'ON']);
    else if (topic === 'stat/kitchen_relay/RESULT' || topic === 'tele/kitchen_relay/STATE') {
      const j = JSON.parse(payload);
      if (j.POWER !== undefined) out.push(['on', String(j.POWER).toUpperCase() === 'ON']);
      if (topic.endsWith('STATE') && j.Wifi?.Signal !== undefined) out.push(['rssi', j.Wifi.Signal]);
    }
  } else if (topic === 'shellyplus1pm-a8032ab1c2d3/events/rpc') {
    const j = JSON.parse(payload);
    const sw = j.method === 'NotifyStatus' ? j.params?.['switch:0'] : undefined;
    if (sw?.output !== undefined) out.push(['on', sw.output]);
    if (sw?.apower !== undefined) out.push(['power', sw.apower]);
  }
  return out;
};

const compiled = new Map([
  [relay, compileDevice(relay)],
  [shelly, compileDevice(shelly)],
]);
const runners = {
  handwritten: () => {
    let n = 0;
    for (const [dev, t, p] of messages) n += handwritten(dev, t, p).length;
    return n;
  },
  compiled: () => {
    let n = 0;
    for (const [dev, t, p] of messages) n += compiled.get(dev).decode(t, p).length;
    return n;
  },
  // What the gateway does: decodeMessage per message with the device objects it keeps.
  cached: () => {
    let n = 0;
    for (const [dev, t, p] of messages) n += decodeMessage(dev, t, p).length;
    return n;
  },
};

const RUNS = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = { handwritten: [], compiled: [], cached: [] };
const counts = {};
for (let r = 0; r < RUNS; r++) {
  // Alternate the order so neither side always runs on a warmer JIT.
  for (const name of r % 2 ? ['cached', 'compiled', 'handwritten'] : ['handwritten', 'compiled', 'cached']) {
    const t0 = process.hrtime.bigint();
    counts[name] = runners[name]();
    times[name].push(Number(process.hrtime.bigint() - t0) / N);
  }
}
if (counts.handwritten !== counts.compiled || counts.compiled !== counts.cached) {
  throw new Error(
    `the decoders disagree: ${counts.handwritten} values by hand, ${counts.compiled} by the runtime`,
  );
}

const compileRuns = 2_000;
let t0 = process.hrtime.bigint();
for (let i = 0; i < compileRuns; i++) compileDevice(i % 2 ? relay : shelly);
const compileUs = Number(process.hrtime.bigint() - t0) / compileRuns / 1000;
// A caller that builds a new device object per message compiles every time.
const oneOff = 5_000;
t0 = process.hrtime.bigint();
for (let i = 0; i < oneOff; i++) {
  const [dev, t, p] = messages[i];
  decodeMessage({ ...dev }, t, p);
}
const uncompiledNs = Number(process.hrtime.bigint() - t0) / oneOff;

const hand = median(times.handwritten);
const comp = median(times.compiled);
const cachedNs = median(times.cached);
console.error(
  `per message: hand-written ${hand.toFixed(0)} ns, binding runtime ${comp.toFixed(0)} ns (compiled once per device)`,
);
console.error(
  `compileDevice ${compileUs.toFixed(1)} µs; decodeMessage ${cachedNs.toFixed(0)} ns with the same device, ${uncompiledNs.toFixed(0)} ns with a new device object each time`,
);
console.log(
  JSON.stringify({
    messages: N,
    runs: RUNS,
    values: counts.compiled,
    handwritten_ns: Math.round(hand),
    compiled_ns: Math.round(comp),
    ratio_compiled_vs_handwritten: Number((comp / hand).toFixed(2)),
    compiled_msgs_per_s: Math.round(1e9 / comp),
    compile_device_us: Number(compileUs.toFixed(1)),
    decode_message_cached_ns: Math.round(cachedNs),
    decode_message_fresh_device_ns: Math.round(uncompiledNs),
  }),
);
