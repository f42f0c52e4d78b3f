// The load generator of the engine benchmark (engine-loadgen.mjs with BENCH_LOADGEN=mqttjs): the
// same commands, messages and measurements as that one, but MQTT 3.1.1 is spoken directly on
// two raw sockets. Each pacing slice writes its PUBLISH packets (QoS 0, encoded here, byte for
// byte what mqtt.js sends) in one socket write, and the subscriber reads `seq` out of each
// arriving payload with a byte search instead of JSON.parse, so the generator itself costs less
// per message and the ceiling it puts on the ladder moves up, alike for every system. Latency is
// still from the moment a message is handed to the socket to its arrival here; loss is still
// counted per sequence number.
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldLoop } from 'node:timers/promises';

const url = new URL(process.argv[2]);
const TOPIC_IN = 'bench/in';

/** Opens a socket, sends CONNECT (clean session, no keep-alive) and waits for CONNACK. */
const connect = (role) =>
  new Promise((resolve, reject) => {
    const socket = createConnection({ host: url.hostname, port: Number(url.port), noDelay: true });
    const id = Buffer.from(`loadgen-${role}-${process.pid}`);
    const body = Buffer.concat([
      Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 0]),
      Buffer.from([id.length >> 8, id.length & 0xff]),
      id,
    ]);
    socket.once('error', reject);
    socket.once('connect', () => socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body])));
    socket.once('data', (data) => {
      if (data[0] !== 0x20 || data[3] !== 0)
        return reject(new Error(`CONNECT refused: ${data.toString('hex')}`));
      resolve(socket);
    });
  });

// One PUBLISH packet as latin1 text: every byte is below 0x80 (the remaining length of these
// short packets fits one byte), so a batch is one string and one write.
const packet = (payload) =>
  `0${String.fromCharCode(2 + TOPIC_IN.length + payload.length)}\u0000\u0008${TOPIC_IN}${payload}`;

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
const SEQ = Buffer.from('"seq":');
/** The `seq` number in a payload (bytes start..end of `buf`), or undefined. */
const seqOf = (buf, start, end) => {
  const at = buf.indexOf(SEQ, start);
  if (at < 0 || at >= end) return undefined;
  let i = at + SEQ.length;
  const negative = buf[i] === 0x2d;
  if (negative) i++;
  let n = 0;
  let digits = 0;
  for (; i < end && buf[i] >= 0x30 && buf[i] <= 0x39; i++, digits++) n = n * 10 + buf[i] - 0x30;
  return digits === 0 ? undefined : negative ? -n : n;
};
let pending = Buffer.alloc(0);
let subscribed;
subscriber.on('data', (chunk) => {
  const now = performance.now();
  let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  let offset = 0;
  for (;;) {
    if (buf.length - offset < 2) break;
    let length = 0;
    let shift = 0;
    let i = offset + 1;
    for (; i < buf.length && i < offset + 5; i++) {
      length += (buf[i] & 0x7f) << shift;
      shift += 7;
      if ((buf[i] & 0x80) === 0) break;
    }
    if (i >= buf.length) break;
    const start = i + 1;
    const end = start + length;
    if (end > buf.length) break;
    const type = buf[offset] >> 4;
    if (type === 3) {
      const qos = (buf[offset] >> 1) & 3;
      const topicLength = buf.readUInt16BE(start);
      const payloadStart = start + 2 + topicLength + (qos > 0 ? 2 : 0);
      arrived(seqOf(buf, payloadStart, end), now);
    } else if (type === 9) subscribed?.();
    offset = end;
  }
  pending = offset < buf.length ? Buffer.from(buf.subarray(offset)) : Buffer.alloc(0);
});
const arrived = (seq, now) => {
  if (seq === undefined) return;
  if (seq < 0) {
    onReady?.();
    return;
  }
  if (!phase || seq < phase.from || seq >= phase.to || seen[seq]) return;
  seen[seq] = 1;
  if (receivedAt) receivedAt[seq] = now;
  phase.latencies[phase.received++] = now - sentAt[seq];
  phase.lastAt = now;
};
await new Promise((resolve) => {
  subscribed = resolve;
  const filter = Buffer.from('bench/out');
  subscriber.write(
    Buffer.concat([
      Buffer.from([0x82, 2 + 2 + filter.length + 1, 0, 1, 0, filter.length]),
      filter,
      Buffer.from([0]),
    ]),
  );
});

const expectedBetween = (from, to) => {
  let n = 0;
  for (let s = from; s < to; s++) if (s % 51 > 25) n++;
  return n;
};
/** Writes messages from..to-1 in one write; each is stamped with the time it was handed to the socket. */
const publishBatch = (from, to) => {
  let text = '';
  for (let seq = from; seq < to; seq++) text += packet(`{"temp":${seq % 51},"seq":${seq}}`);
  const now = performance.now();
  for (let seq = from; seq < to; seq++) sentAt[seq] = now;
  publisher.write(text, 'latin1');
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
      publisher.write(packet('{"temp":50,"seq":-1}'), 'latin1');
      await Promise.race([ready, sleep(200)]);
    }
    onReady = undefined;
    await sleep(300); // let stray probe replies pass
    return { ready: done };
  },
  async saturate({ count }) {
    const from = begin(count);
    const t0 = performance.now();
    const stream = publisher;
    for (let i = 0; i < count; i += 1000) {
      publishBatch(from + i, from + Math.min(count, i + 1000));
      if (stream.writableLength > 1 << 20) await new Promise((r) => stream.once('drain', r));
      else await yieldLoop();
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
      if (sent < due) publishBatch(from + sent, from + due);
      sent = due;
      await sleep(1);
    }
    const elapsed = performance.now() - t0;
    await settle(1_000);
    return { ...summary(), rate, achieved_rate: count / (elapsed / 1000), ...(times ? stageTimes() : {}) };
  },
  async exit() {
    for (const socket of [publisher, subscriber]) socket.end(Buffer.from([0xe0, 0]));
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
