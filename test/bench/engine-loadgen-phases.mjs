// What both load generators of the engine benchmark share (engine-loadgen.mjs over mqtt.js,
// engine-loadgen-raw.mjs over raw sockets): the bookkeeping of a phase — which sequence numbers
// it sent and when, which came back and when, its latency percentiles and loss — and the IPC
// loop engine.mjs drives them through. Messages are {"temp": seq % 51, "seq": n}; those with
// temp > 25 must come back.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const CAPACITY = 4_000_000;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const expectedBetween = (from, to) => {
  let n = 0;
  for (let s = from; s < to; s++) if (s % 51 > 25) n++;
  return n;
};
const percentile = (sorted, p) =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** The phases of one load generator; `sentAt[seq]` is stamped by its publisher. */
export const phases = () => {
  const sentAt = new Float64Array(CAPACITY);
  const seen = new Uint8Array(CAPACITY);
  // FG_BENCH_STAGES=1: arrival times too, written per paced step for engine-stages.mjs.
  const receivedAt = process.env.FG_BENCH_STAGES === '1' ? new Float64Array(CAPACITY) : undefined;
  let nextSeq = 0;
  let phase; // { from, to, expected, received, latencies: Float64Array, lastAt }
  let onReady;
  return {
    sentAt,
    /** Starts a phase of `count` messages; returns its first sequence number. */
    begin(count) {
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
    },
    /** A message `seq` came back at `now` (a negative seq answers a readiness probe). */
    arrived(seq, now) {
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
    },
    /** Sends probes with `probe()` until one comes back or `timeoutMs` passes. */
    async ready(probe, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      let done = false;
      const answered = new Promise((resolve) => (onReady = () => ((done = true), resolve())));
      while (!done && performance.now() < deadline) {
        probe();
        await Promise.race([answered, sleep(200)]);
      }
      onReady = undefined;
      await sleep(300); // let stray probe replies pass
      return { ready: done };
    },
    /** Waits until everything came back, or nothing arrived for quietMs. */
    async settle(quietMs) {
      let last = phase.received;
      let quietSince = performance.now();
      while (phase.received < phase.expected) {
        await sleep(20);
        if (phase.received !== last) {
          last = phase.received;
          quietSince = performance.now();
        } else if (performance.now() - quietSince > quietMs) break;
      }
    },
    lastAt: () => phase.lastAt,
    summary() {
      const lat = phase.latencies.slice(0, phase.received).sort();
      return {
        sent: phase.to - phase.from,
        expected: phase.expected,
        received: phase.received,
        loss_pct: (100 * (phase.expected - phase.received)) / phase.expected,
        p50_ms: percentile(lat, 50),
        p99_ms: percentile(lat, 99),
      };
    },
    // The publish and arrival time (ms on the wall clock, 0 = never arrived) of each message of
    // the phase, as one file: the sent column, then the arrived column.
    stageTimes() {
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
    },
  };
};

/** Answers engine.mjs's IPC commands ({id, cmd, …}) with `commands`, and says it is up. */
export const serve = (commands) => {
  process.on('message', async (message) => {
    try {
      process.send({ id: message.id, ok: true, value: await commands[message.cmd](message) });
    } catch (error) {
      process.send({ id: message.id, ok: false, error: String(error?.stack ?? error) });
    }
  });
  process.send({ ready: true });
};
