// The load generator of the engine benchmark (engine-loadgen.mjs with BENCH_LOADGEN=mqttjs): the
// same commands, messages and measurements as that one, but MQTT 3.1.1 is spoken directly on
// two raw sockets. Each pacing slice writes its PUBLISH packets (QoS 0, encoded here, byte for
// byte what mqtt.js sends) in one socket write, and the subscriber reads `seq` out of each
// arriving payload with a byte search instead of JSON.parse, so the generator itself costs less
// per message and the ceiling it puts on the ladder moves up, alike for every system. Latency is
// still from the moment a message is handed to the socket to its arrival here; loss is still
// counted per sequence number.
import { createConnection } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { phases, serve, sleep } from './engine-loadgen-phases.mjs';

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

const phase = phases();
const { sentAt } = phase;

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
      phase.arrived(seqOf(buf, payloadStart, end), now);
    } else if (type === 9) subscribed?.();
    offset = end;
  }
  pending = offset < buf.length ? Buffer.from(buf.subarray(offset)) : Buffer.alloc(0);
});
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

/** Writes messages from..to-1 in one write; each is stamped with the time it was handed to the socket. */
const publishBatch = (from, to) => {
  let text = '';
  for (let seq = from; seq < to; seq++) text += packet(`{"temp":${seq % 51},"seq":${seq}}`);
  const now = performance.now();
  for (let seq = from; seq < to; seq++) sentAt[seq] = now;
  publisher.write(text, 'latin1');
};
const commands = {
  ready: ({ timeoutMs = 60_000 }) =>
    phase.ready(() => publisher.write(packet('{"temp":50,"seq":-1}'), 'latin1'), timeoutMs),
  async saturate({ count }) {
    const from = phase.begin(count);
    const t0 = performance.now();
    const stream = publisher;
    for (let i = 0; i < count; i += 1000) {
      publishBatch(from + i, from + Math.min(count, i + 1000));
      if (stream.writableLength > 1 << 20) await new Promise((r) => stream.once('drain', r));
      else await yieldLoop();
    }
    const sentMs = performance.now() - t0;
    await phase.settle(3_000);
    const elapsed = (phase.lastAt() || performance.now()) - t0;
    return { ...phase.summary(), input_msgs_per_s: count / (elapsed / 1000), publish_ms: sentMs };
  },
  async paced({ rate, seconds, times = false }) {
    const count = Math.round(rate * seconds);
    const from = phase.begin(count);
    const t0 = performance.now();
    let sent = 0;
    while (sent < count) {
      const due = Math.min(count, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      if (sent < due) publishBatch(from + sent, from + due);
      sent = due;
      await sleep(1);
    }
    const elapsed = performance.now() - t0;
    await phase.settle(1_000);
    return {
      ...phase.summary(),
      rate,
      achieved_rate: count / (elapsed / 1000),
      ...(times ? phase.stageTimes() : {}),
    };
  },
  async exit() {
    for (const socket of [publisher, subscriber]) socket.end(Buffer.from([0xe0, 0]));
    setImmediate(() => process.exit(0));
    return {};
  },
};

serve(commands);
