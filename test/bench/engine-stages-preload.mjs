// Per-message stage times for `bench:engine` (FG_BENCH_STAGES=1), preloaded into the Fieldgraph
// gateway with --import: for each message seq, the wall-clock ms (performance.timeOrigin + now,
// comparable across processes) at which mqtt.js emitted it ('message'), the flow published its
// answer (MqttClient.publish) and the answer left in a socket write (the last uncork). On
// SIGWINCH it writes those three columns for the seq range named in FG_BENCH_STAGES_RANGE
// ("from to") to FG_BENCH_STAGES_FILE; engine.mjs joins them with the load generator's publish
// and arrival times.
import { readFileSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { MqttClient } from 'mqtt';

const now = () => performance.timeOrigin + performance.now();
const CAPACITY = 4_000_000;
const arrived = new Float64Array(CAPACITY);
const published = new Float64Array(CAPACITY);
const left = new Float64Array(CAPACITY);
let unwritten = [];
const seqOf = (payload) => {
  const text =
    typeof payload === 'string' ? payload : payload.toString('latin1', 0, Math.min(payload.length, 80));
  const match = /"seq":(\d+)/.exec(text);
  const seq = match ? Number(match[1]) : -1;
  return seq < CAPACITY ? seq : -1;
};

const emit = MqttClient.prototype.emit;
MqttClient.prototype.emit = function (event, topic, payload) {
  if (event === 'message' && topic === 'bench/in') {
    const seq = seqOf(payload);
    if (seq >= 0) arrived[seq] = now();
  }
  return emit.apply(this, arguments);
};
const publish = MqttClient.prototype.publish;
MqttClient.prototype.publish = function (topic, payload) {
  if (topic === 'bench/out') {
    const seq = seqOf(payload);
    if (seq >= 0) {
      published[seq] = now();
      unwritten.push(seq);
    }
  }
  return publish.apply(this, arguments);
};
const uncork = Socket.prototype.uncork;
Socket.prototype.uncork = function () {
  const result = uncork.apply(this, arguments);
  if (this.writableCorked === 0 && unwritten.length > 0) {
    const at = now();
    for (const seq of unwritten) left[seq] = at;
    unwritten = [];
  }
  return result;
};

process.on('SIGWINCH', () => {
  const [from, to] = readFileSync(process.env.FG_BENCH_STAGES_RANGE, 'utf8').trim().split(' ').map(Number);
  const part = (column) => Buffer.from(column.buffer, from * 8, (to - from) * 8);
  writeFileSync(
    process.env.FG_BENCH_STAGES_FILE,
    Buffer.concat([part(arrived), part(published), part(left)]),
  );
});
