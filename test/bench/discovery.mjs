// `npm run bench:discovery`: time until discovered devices are listed, and idle CPU afterwards.
//  - MQTT: 2,000 devices announced by retained Home Assistant discovery configs on a real
//    mosquitto (127.0.0.1); our discovery session (registry, matching, batching) vs a bare mqtt.js
//    client that only counts the same 2,000 configs (the transport floor).
//  - mDNS: 200 `_http._tcp` services answered by a multicast-dns responder inside a network
//    namespace this script creates (never on a real interface); our browser vs bonjour-service's.
// Each side runs in its own process; idle CPU is that process's CPU share over 10 s after all
// devices are listed. Rounds: BENCH_ROUNDS (default 3), medians. The LAST line is one JSON object.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import mqtt from 'mqtt';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const MQTT_DEVICES = Number(process.env.BENCH_MQTT_DEVICES ?? 2000);
const MDNS_SERVICES = Number(process.env.BENCH_MDNS_SERVICES ?? 200);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const log = (...args) => console.error('[bench]', ...args);
const median = (values) => {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const round2 = (x) => (x === null ? null : Math.round(x * 100) / 100);

// Inside the repository: the bundle finds the package root (resources, version) from its own path.
const work = join(repo, 'dist', 'bench', `discovery-work-${process.pid}.mjs`);
await build({
  entryPoints: [join(repo, 'test/bench/discovery-work.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: work,
  logLevel: 'silent',
  packages: 'external',
});

/** Runs the worker (optionally inside a namespace) and resolves with its first JSON line. */
const runWorker = (args, ns, { keep = false } = {}) => {
  const command = ns ? 'ip' : process.execPath;
  const argv = ns ? ['netns', 'exec', ns, process.execPath, work, ...args] : [work, ...args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => code !== 0 && reject(new Error(`worker ${args[0]} exited with ${code}`)));
  });
  return keep ? { child, first } : first;
};

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

// ---- MQTT ---------------------------------------------------------------------------------
const port = await freePort();
const confDir = mkdtempSync(join(tmpdir(), 'fg-bench-mosq-'));
writeFileSync(
  join(confDir, 'm.conf'),
  `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n`,
);
const mosquitto = spawn('mosquitto', ['-c', join(confDir, 'm.conf')], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const url = `mqtt://127.0.0.1:${port}`;
const publisher = await mqtt.connectAsync(url, { protocolVersion: 4 });
for (let i = 0; i < MQTT_DEVICES; i++) {
  const id = `bench-${String(i).padStart(4, '0')}`;
  publisher.publish(
    `homeassistant/sensor/${id}/temperature/config`,
    JSON.stringify({
      name: 'Temperature',
      uniq_id: `${id}-t`,
      stat_t: `${id}/sensor/temperature/state`,
      avty_t: `${id}/status`,
      dev: { ids: [id], name: `Bench ${i}`, mf: 'Espressif', mdl: 'esp32dev' },
      o: { name: 'ESPHome' },
    }),
    { retain: true, qos: 0 },
  );
}
await publisher.publishAsync('bench/flush', 'x', { qos: 1 });
await publisher.endAsync();
log(`published ${MQTT_DEVICES} retained discovery configs on ${url}`);

const mqttRounds = [];
for (let r = 0; r < rounds; r++) {
  const baseline = await runWorker(['mqtt-baseline', url, String(MQTT_DEVICES)]);
  const ours = await runWorker(['mqtt', url, String(MQTT_DEVICES), String(IDLE_SECONDS)]);
  log(
    `mqtt round ${r + 1}: ours ${ours.listedMs} ms, ${ours.cpuMs} ms CPU (${ours.batches} batches, idle CPU ${ours.idleCpuPercent}%), baseline ${baseline.listedMs} ms, ${baseline.cpuMs} ms CPU; load ${loadavg()[0].toFixed(1)}`,
  );
  mqttRounds.push({ ours, baseline });
}
mosquitto.kill('SIGTERM');
rmSync(confDir, { recursive: true, force: true });

// ---- mDNS in a namespace --------------------------------------------------------------------
let mdnsRounds = [];
let mdnsSkipped = null;
const ns = `fg-bench-${process.pid}`;
try {
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up', 'multicast', 'on']);
  execFileSync('ip', ['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'lo']);
  const responder = runWorker(['mdns-responder', '127.0.0.1', String(MDNS_SERVICES)], ns, { keep: true });
  await responder.first;
  for (let r = 0; r < rounds; r++) {
    const baseline = await runWorker(['mdns-baseline', '127.0.0.1', String(MDNS_SERVICES)], ns);
    const ours = await runWorker(['mdns', '127.0.0.1', String(MDNS_SERVICES), String(IDLE_SECONDS)], ns);
    log(
      `mdns round ${r + 1}: ours ${ours.listedMs} ms (idle CPU ${ours.idleCpuPercent}%), bonjour-service ${baseline.listedMs} ms`,
    );
    mdnsRounds.push({ ours, baseline });
  }
  responder.child.kill('SIGTERM');
} catch (error) {
  mdnsSkipped = `mDNS part skipped: ${error.message} (needs root and iproute2)`;
  log(mdnsSkipped);
} finally {
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    // never created
  }
}
rmSync(work, { force: true });

const summary = (list, target) => {
  if (list.length === 0) return null;
  const ours = median(list.map((x) => x.ours.listedMs));
  const base = median(list.map((x) => x.baseline.listedMs));
  return {
    devices: list[0].ours.devices,
    listedMs: ours,
    baselineListedMs: base,
    ratioVsBaseline: round2(ours / base),
    // CPU time to the listing: less at the mercy of other processes than wall time on a busy machine.
    cpuMs: median(list.map((x) => x.ours.cpuMs)),
    baselineCpuMs: median(list.map((x) => x.baseline.cpuMs)),
    targetMs: target,
    meetsTarget: ours < target,
    idleCpuPercent: median(list.map((x) => x.ours.idleCpuPercent)),
    batches: median(list.map((x) => x.ours.batches)),
    rssMb: median(list.map((x) => x.ours.rssMb)),
  };
};
console.log(
  JSON.stringify({
    bench: 'discovery',
    rounds,
    loadAverage: loadavg().map((x) => round2(x)),
    mqtt: {
      ...summary(mqttRounds, 2000),
      baseline: 'bare mqtt.js client counting the same retained configs',
    },
    mdns: mdnsRounds.length
      ? { ...summary(mdnsRounds, 3000), baseline: 'bonjour-service browser, same namespace' }
      : mdnsSkipped,
  }),
);
