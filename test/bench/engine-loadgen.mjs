// The mqtt.js load generator of the engine benchmark (BENCH_LOADGEN=mqttjs; the default is
// engine-loadgen-raw.mjs, same protocol, half the CPU per message): ONE process with its own publisher and
// subscriber connections. Driven over IPC by engine.mjs: {cmd:'ready'|'saturate'|'paced'|'exit'}.
// Messages are {"temp": seq % 51, "seq": n} on bench/in; those with temp > 25 must come back on
// bench/out, and their latency is measured from the publish call to their arrival here.
import { createConnection } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { MqttClient } from 'mqtt';
import { phases, serve, sleep } from './engine-loadgen-phases.mjs';

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

const phase = phases();
const { sentAt } = phase;

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
  phase.arrived(seq, now);
});
await new Promise((resolve) => subscriber.subscribe('bench/out', { qos: 0 }, resolve));

const publish = (seq) => {
  sentAt[seq] = performance.now();
  publisher.publish('bench/in', `{"temp":${seq % 51},"seq":${seq}}`);
};
const commands = {
  ready: ({ timeoutMs = 60_000 }) =>
    phase.ready(() => publisher.publish('bench/in', '{"temp":50,"seq":-1}'), timeoutMs),
  async saturate({ count }) {
    const from = phase.begin(count);
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
      while (sent < due) publish(from + sent++);
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
    await Promise.all([publisher.endAsync(true), subscriber.endAsync(true)]);
    setImmediate(() => process.exit(0));
    return {};
  },
};

serve(commands);
