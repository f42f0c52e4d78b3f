// The mqtt.js load generator of the engine benchmark (BENCH_LOADGEN=mqttjs; the default is
// engine-loadgen-raw.mjs, same protocol, half the CPU per message): ONE process with its own publisher and
// subscriber connections. Driven over IPC by engine.mjs: {cmd:'ready'|'saturate'|'paced'|'exit'}.
// Messages are {"temp": seq % 51, "seq": n} on bench/in; those with temp > 25 must come back on
// bench/out, and their latency is measured from the publish call to their arrival here.
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { MqttClient } from 'mqtt';

const url = new URL(process.argv[2]);
const connect = (role) =>
  new Promise((resolve, reject) => {
    const client = new MqttClient(
      () => createConnection({ host: url.hostname, port: Number(url.port), noDelay: true }),
      { protocolVersion: 4, clientId: `loadgen-${role}-${process.pid}`, clean: true, reconnectPeriod: 0 },
    );
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });

const CAPACITY = 4_000_000;
const sentAt = new Float64Array(CAPACITY);
const seen = new Uint8Array(CAPACITY);
// FG_BENCH_STAGES=1: arrival times too, written per paced step for engine-stages.mjs.
const stages = process.env.FG_BENCH_STAGES === '1';
const receivedAt = stages ? new Float64Array(CAPACITY) : undefined;
let nextSeq = 0;
let phase; // { from, to, expected, received, latencies: Float64Array, lastAt }
let onReady;

const publisher = await connect('pub');
const subscriber = await connect('sub');
subscriber.on('message', (_topic, payload) => {
  const now = performance.now();
  let seq;
  try {
    seq = JSON.parse(payload.toString()).seq;
  } catch {
    return;
  }
  if (seq < 0) {
    onReady?.();
    return;
  }
  if (!phase || seq < phase.from || seq >= phase.to || seen[seq]) return;
  seen[seq] = 1;
  if (receivedAt) receivedAt[seq] = now;
  phase.latencies[phase.received++] = now - sentAt[seq];
  phase.lastAt = now;
});
await new Promise((resolve) => subscriber.subscribe('bench/out', { qos: 0 }, resolve));

const expectedBetween = (from, to) => {
  let n = 0;
  for (let s = from; s < to; s++) if (s % 51 > 25) n++;
  return n;
};
const publish = (seq) => {
  sentAt[seq] = performance.now();
  publisher.publish('bench/in', `{"temp":${seq % 51},"seq":${seq}}`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const settle = async (quietMs) => {
  // wait until everything came back, or nothing arrived for quietMs
  let last = phase.received;
  let quietSince = performance.now();
  while (phase.received < phase.expected) {
    await sleep(20);
    if (phase.received !== last) {
      last = phase.received;
      quietSince = performance.now();
    } else if (performance.now() - quietSince > quietMs) break;
  }
};
const percentile = (sorted, p) =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const begin = (count) => {
  if (nextSeq + count > CAPACITY) nextSeq = 0;
  seen.fill(0, nextSeq, nextSeq + count);
  const from = nextSeq;
  nextSeq += count;
  phase = {
    from,
    to: from + count,
    expected: expectedBetween(from, from + count),
    received: 0,
    latencies: new Float64Array(count),
    lastAt: 0,
  };
  return from;
};
const summary = () => {
  const lat = phase.latencies.slice(0, phase.received).sort();
  return {
    sent: phase.to - phase.from,
    expected: phase.expected,
    received: phase.received,
    loss_pct: (100 * (phase.expected - phase.received)) / phase.expected,
    p50_ms: percentile(lat, 50),
    p99_ms: percentile(lat, 99),
  };
};

// The publish and arrival time (ms on the wall clock, 0 = never arrived) of each message of the
// phase, as one file: the sent column, then the arrived column.
const stageTimes = () => {
  if (!receivedAt) return {};
  const n = phase.to - phase.from;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const seq = phase.from + i;
    out[i] = performance.timeOrigin + sentAt[seq];
    out[n + i] = seen[seq] ? performance.timeOrigin + receivedAt[seq] : 0;
  }
  const times = join(tmpdir(), `fg-bench-loadgen-${process.pid}-${phase.from}.bin`);
  writeFileSync(times, Buffer.from(out.buffer));
  return { from: phase.from, to: phase.to, times };
};

const commands = {
  async ready({ timeoutMs = 60_000 }) {
    const deadline = performance.now() + timeoutMs;
    let done = false;
    const ready = new Promise((resolve) => (onReady = () => ((done = true), resolve())));
    while (!done && performance.now() < deadline) {
      publisher.publish('bench/in', '{"temp":50,"seq":-1}');
      await Promise.race([ready, sleep(200)]);
    }
    onReady = undefined;
    await sleep(300); // let stray probe replies pass
    return { ready: done };
  },
  async saturate({ count }) {
    const from = begin(count);
    const t0 = performance.now();
    const stream = publisher.stream;
    for (let i = 0; i < count; i++) {
      publish(from + i);
      if (i % 1000 === 999) {
        if (stream.writableLength > 1 << 20) await new Promise((r) => stream.once('drain', r));
        else await yieldLoop();
      }
    }
    const sentMs = performance.now() - t0;
    await settle(3_000);
    const elapsed = (phase.lastAt || performance.now()) - t0;
    return { ...summary(), input_msgs_per_s: count / (elapsed / 1000), publish_ms: sentMs };
  },
  async paced({ rate, seconds, times = false }) {
    const count = Math.round(rate * seconds);
    const from = begin(count);
    const t0 = performance.now();
    let sent = 0;
    while (sent < count) {
      const due = Math.min(count, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      while (sent < due) publish(from + sent++);
      await sleep(1);
    }
    const elapsed = performance.now() - t0;
    await settle(1_000);
    return { ...summary(), rate, achieved_rate: count / (elapsed / 1000), ...(times ? stageTimes() : {}) };
  },
  async exit() {
    await Promise.all([publisher.endAsync(true), subscriber.endAsync(true)]);
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on('message', async (message) => {
  try {
    process.send({ id: message.id, ok: true, value: await commands[message.cmd](message) });
  } catch (error) {
    process.send({ id: message.id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });
