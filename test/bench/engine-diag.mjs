// Diagnostics for `bench:engine` (FG_BENCH_DIAG=1), preloaded into each system
// under test with --import: garbage-collection pauses (by kind) and event-loop delay. On SIGWINCH (ignored by default; Node-RED takes SIGUSR2 as "restart") it appends what
// it saw since the previous signal to FG_BENCH_DIAG_FILE as one JSON line and starts afresh, so
// the benchmark can put each paced step's p99 beside the pauses that happened during it.
import { appendFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.FG_BENCH_DIAG_FILE;
if (file) {
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  let gc = {};
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kinds[entry.detail?.kind ?? entry.kind] ?? 'other';
      const k = (gc[kind] ??= { count: 0, total_ms: 0, max_ms: 0, over_5ms: 0 });
      k.count++;
      k.total_ms += entry.duration;
      k.max_ms = Math.max(k.max_ms, entry.duration);
      if (entry.duration > 5) k.over_5ms++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let since = Date.now();
  process.on('SIGWINCH', () => {
    const round = (x) => Math.round(x * 100) / 100;
    for (const k of Object.values(gc)) {
      k.total_ms = round(k.total_ms);
      k.max_ms = round(k.max_ms);
    }
    appendFileSync(
      file,
      JSON.stringify({
        pid: process.pid,
        ms: Date.now() - since,
        gc,
        loop_delay_ms: {
          p50: round(loop.percentile(50) / 1e6),
          p99: round(loop.percentile(99) / 1e6),
          max: round(loop.max / 1e6),
        },
        heap_mb: round(process.memoryUsage().heapUsed / 1048576),
        memory_mb: Object.fromEntries(
          Object.entries(process.memoryUsage()).map(([k, v]) => [k, round(v / 1048576)]),
        ),
        spaces_mb: Object.fromEntries(
          getHeapSpaceStatistics().map((s) => [s.space_name, round(s.space_size / 1048576)]),
        ),
      }) + '\n',
    );
    gc = {};
    loop.reset();
    since = Date.now();
  });
}
