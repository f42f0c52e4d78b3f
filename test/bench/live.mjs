// `npm run bench:live`: what watching a running design costs. A 200-node flow (an MQTT trigger
// fanning out to 20 branches of If → 7–8 Transforms → MQTT publish; each message runs ~30 steps)
// runs on a real `fieldgraph gateway` process against mosquitto on 127.0.0.1. The load generator
// of bench:engine sends {"temp": seq % 51, "seq": n}; readings over 25 are answered by one branch.
//
// Gateway half (this file): the gateway's throughput — a burst of BENCH_LIVE_BURST messages,
// input messages per second until every answer is back, and the gateway's CPU time per message
// (the throughput a core allows, steadier on a shared machine) — with the live stream watched (the
// `live` RPC lease open, every step collected and a batch published each 200 ms, as the canvas
// overlay reads it) against the same gateway with nobody watching; rounds alternate, medians.
// Also 1,000 msg/s paced with the overlay on: loss, p99 latency, batches per second, largest batch.
//
// UI half: when test/bench/live-ui.mjs exists, its `measureUi(context)` runs the canvas with the
// overlay on against this gateway at 1,000 msg/s and returns its frame figures, merged under
// "ui". The context: { brokerUrl, gatewayId, projectDir, flowId, rate, signingSecret (the key
// the gateway trusts), paced(rate, seconds) },
// where paced() drives the load and resolves with { sent, received, loss_pct, p99_ms }.
//
// The LAST line printed is one JSON object.
import { execFileSync, fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import mqtt from 'mqtt';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const burst = Number(process.env.BENCH_LIVE_BURST ?? 20_000);
const rate = Number(process.env.BENCH_LIVE_RATE ?? 1_000);
const pacedSeconds = Number(process.env.BENCH_LIVE_SECONDS ?? 10);
const log = (...args) => console.error('[bench:live]', ...args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (values) => {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
/** CPU time (user + system) a process used so far, in µs. */
const cpuUs = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / clockTicks) * 1e6;
};
const round2 = (x) => (x === null || x === undefined ? null : Math.round(x * 100) / 100);

// ---- the 200-node flow ------------------------------------------------------------------------

const BRANCHES = 20;
const NODES = 200;
const flowId = 'live-bench';
const benchFlow = (() => {
  const nodes = [{ id: 't', kind: 'trigger.mqtt', config: { topic: 'bench/in', format: 'json' } }];
  const edges = [];
  // 1 trigger + per branch an If, its Transforms and a publish: 200 nodes in all.
  const perBranch = (NODES - 1) / BRANCHES;
  let made = 1;
  for (let b = 0; b < BRANCHES; b++) {
    const size = Math.round(perBranch * (b + 1)) - Math.round(perBranch * b);
    const chain = [`if${b}`];
    // The load generator expects an answer for temp > 25 (and for its readiness probe, seq -1).
    const probe = b === 0 ? ' || payload.seq < 0.0' : '';
    nodes.push({
      id: `if${b}`,
      kind: 'logic.if',
      config: { condition: `payload.temp > 25 && (int(payload.seq) % ${BRANCHES} == ${b}${probe})` },
    });
    for (let k = 0; k < size - 2; k++) {
      chain.push(`b${b}x${k}`);
      nodes.push({
        id: `b${b}x${k}`,
        kind: 'logic.transform',
        config: { set: { [`s${k}`]: 'payload.seq' } },
      });
    }
    chain.push(`out${b}`);
    nodes.push({
      id: `out${b}`,
      kind: 'action.mqtt-publish',
      config: { topic: 'bench/out', qos: 0, retain: false },
    });
    made += size;
    edges.push({ id: `e-t-${b}`, from: { node: 't', port: 'out' }, to: { node: `if${b}`, port: 'in' } });
    for (let i = 1; i < chain.length; i++)
      edges.push({
        id: `e-${chain[i - 1]}`,
        from: { node: chain[i - 1], port: i === 1 ? 'true' : 'out' },
        to: { node: chain[i], port: 'in' },
      });
  }
  if (made !== NODES) throw new Error(`the bench flow has ${made} nodes, not ${NODES}`);
  return {
    schemaVersion: 1,
    id: flowId,
    name: 'Live bench: 200 nodes',
    roles: [],
    runMode: { mode: 'parallel', max: 1000 },
    nodes: nodes.map((n, i) => ({
      ...n,
      position: { x: 250 * Math.floor(i / BRANCHES), y: 80 * (i % BRANCHES) },
    })),
    edges,
  };
})();

// ---- parts: mosquitto, the gateway process, a load client ------------------------------------

const work = mkdtempSync(join(tmpdir(), 'fg-bench-live-'));
const children = new Set();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

const freePort = () =>
  new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });

const stop = (child) =>
  new Promise((done) => {
    children.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => (clearTimeout(timer), done()));
    child.kill('SIGTERM');
  });

const startMosquitto = async () => {
  const port = await freePort();
  const conf = join(work, `mosquitto-${port}.conf`);
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'set_tcp_nodelay true',
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  children.add(child);
  const url = `mqtt://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const probe = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
      await probe.endAsync(true);
      break;
    } catch (error) {
      if (i > 100) throw error;
      await sleep(50);
    }
  }
  return { url, stop: () => stop(child) };
};

const gatewayBundle = join(repo, 'node_modules', '.cache', 'fieldgraph-bench', 'gateway-live.mjs');
await build({
  stdin: {
    contents:
      "import { gatewayCommand } from './cli/commands/gateway';\nprocess.exitCode = await gatewayCommand.run(process.argv.slice(2));\n",
    resolveDir: repo,
    sourcefile: 'bench-live-gateway-entry.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: gatewayBundle,
  logLevel: 'warning',
});

// The live stream carries site data: its lease is a signed request, by a key the gateway trusts.
const signerBundle = join(repo, 'node_modules', '.cache', 'fieldgraph-bench', 'live-signer.mjs');
await build({
  stdin: {
    contents: [
      "export { signRequest } from './shared/core/gateway/signing';",
      "export { encodeKey, signingKeyFromSecret } from './shared/core/package/keys';",
      "export { useNodePackageCrypto } from './shared/node/keys/node-crypto';",
    ].join('\n'),
    resolveDir: repo,
    sourcefile: 'bench-live-signer.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: signerBundle,
  logLevel: 'warning',
});
const signer = await import(signerBundle);
signer.useNodePackageCrypto();
const benchKey = signer.signingKeyFromSecret(new Uint8Array(32).fill(7));

const projectDir = join(work, 'project');
mkdirSync(join(projectDir, 'flows'), { recursive: true });
writeFileSync(
  join(projectDir, 'fieldgraph.json'),
  JSON.stringify({ schemaVersion: 1, id: 'bench', name: 'Bench', roles: [] }),
);
writeFileSync(join(projectDir, 'flows', `${flowId}.json`), JSON.stringify(benchFlow));

const gatewayId = 'bench-live';
// FG_BENCH_PROFILE_DIR=/some/dir writes a V8 CPU profile of each gateway there (watched and not).
const profileDir = process.env.FG_BENCH_PROFILE_DIR;
const startGateway = async (brokerUrl) => {
  const child = spawn(
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      gatewayBundle,
      '--id',
      gatewayId,
      '--broker',
      brokerUrl,
      '--data',
      mkdtempSync(join(work, 'gw-')),
      '--project',
      projectDir,
      '--trust',
      signer.encodeKey('ed25519', benchKey.publicKey),
    ],
    { cwd: repo, env: { ...process.env, FIELDGRAPH_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.add(child);
  await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('is online')) ok();
    });
    child.once('exit', (code) => fail(new Error(`the gateway exited with ${code}`)));
  });
  return { pid: child.pid, stop: () => stop(child) };
};

// The load generator of bench:engine, in its own process: paced and burst phases with latency.
const startLoadgen = async (brokerUrl) => {
  const child = fork(join(repo, 'test', 'bench', 'engine-loadgen.mjs'), [brokerUrl], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  await new Promise((ok, fail) => {
    child.once('message', ok);
    child.once('exit', (code) => fail(new Error(`load generator exited with ${code}`)));
  });
  let nextId = 0;
  const call = (cmd, args = {}) =>
    new Promise((ok, fail) => {
      const id = ++nextId;
      const onMessage = (message) => {
        if (message.id !== id) return;
        child.off('message', onMessage);
        if (message.ok) ok(message.value);
        else fail(new Error(message.error));
      };
      child.on('message', onMessage);
      child.send({ id, cmd, ...args });
    });
  return { call, stop: async () => (await call('exit').catch(() => {}), stop(child)) };
};

/** Opens the live lease and counts what arrives on the live topic. */
const watchLive = async (brokerUrl) => {
  const client = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
  const topic = `fieldgraph/v1/gw/${gatewayId}/live`;
  const seen = { batches: 0, bytes: 0, largest: 0, steps: 0, dropped: 0 };
  client.on('message', (t, payload) => {
    if (t !== topic) return;
    seen.batches++;
    seen.bytes += payload.length;
    seen.largest = Math.max(seen.largest, payload.length);
    const batch = JSON.parse(payload.toString());
    for (const node of batch.nodes) seen.steps += node.runs;
    if (batch.dropped)
      seen.dropped += batch.dropped.nodes + batch.dropped.edges + batch.dropped.runs + batch.dropped.debug;
  });
  await client.subscribeAsync([topic, `fieldgraph/v1/gw/${gatewayId}/rpc/result`]);
  const args = { seconds: 600 };
  const auth = signer.signRequest(benchKey, {
    gatewayId,
    method: 'live',
    args,
    nonce: randomBytes(16).toString('hex'),
    at: new Date().toISOString(),
  });
  const answered = new Promise((ok, fail) => {
    client.on('message', (t, payload) => {
      if (t !== `fieldgraph/v1/gw/${gatewayId}/rpc/result`) return;
      const reply = JSON.parse(payload.toString());
      if (reply.id !== 'w') return;
      if (reply.ok) ok();
      else fail(new Error(`the gateway refused the live lease: ${reply.error?.message}`));
    });
  });
  await client.publishAsync(
    `fieldgraph/v1/gw/${gatewayId}/rpc/live`,
    JSON.stringify({ id: 'w', args, auth }),
  );
  await answered;
  for (let i = 0; i < 100 && seen.batches === 0; i++) {
    client.publish('bench/in', '{"temp":0,"seq":-2}');
    await sleep(100);
  }
  return { seen, stop: () => client.endAsync(true) };
};

// ---- measurements -----------------------------------------------------------------------------

const measure = async (mode) => {
  const broker = await startMosquitto();
  const gateway = await startGateway(broker.url);
  const loadgen = await startLoadgen(broker.url);
  let watcher;
  try {
    const { ready } = await loadgen.call('ready', { timeoutMs: 60_000 });
    if (!ready) throw new Error('the gateway never answered on bench/out');
    if (mode === 'on') watcher = await watchLive(broker.url);
    await loadgen.call('paced', { rate: 500, seconds: 2 }); // warm-up (JIT), discarded
    const cpuBefore = cpuUs(gateway.pid);
    const sat = await loadgen.call('saturate', { count: burst });
    // CPU per message: what the work costs, whatever else the shared machine runs meanwhile.
    const cpuPerMessage = (cpuUs(gateway.pid) - cpuBefore) / burst;
    const paced = mode === 'on' ? await loadgen.call('paced', { rate, seconds: pacedSeconds }) : undefined;
    const result = {
      input_msgs_per_s: sat.input_msgs_per_s,
      loss_pct: sat.loss_pct,
      cpu_us_per_msg: cpuPerMessage,
      ...(paced ? { paced_p99_ms: paced.p99_ms, paced_loss_pct: paced.loss_pct } : {}),
      ...(watcher
        ? {
            live_batches_per_s: watcher.seen.batches / (burst / sat.input_msgs_per_s + pacedSeconds + 2),
            live_largest_batch_kb: watcher.seen.largest / 1024,
            live_dropped_entries: watcher.seen.dropped,
          }
        : {}),
    };
    log(mode, JSON.stringify(result));
    return result;
  } finally {
    await watcher?.stop();
    await loadgen.stop();
    await gateway.stop();
    await broker.stop();
  }
};

log(`a ${NODES}-node flow; ${rounds} rounds; burst ${burst}; paced ${rate} msg/s for ${pacedSeconds} s`);
const runs = { off: [], on: [] };
for (let round = 1; round <= rounds; round++) {
  // alternate the order so a machine getting busier does not favour one mode
  for (const mode of round % 2 ? ['off', 'on'] : ['on', 'off']) runs[mode].push(await measure(mode));
}
const pick = (mode, field) => round2(median(runs[mode].map((r) => r[field])));
const summary = {
  flow_nodes: NODES,
  tracing_off: {
    input_msgs_per_s: pick('off', 'input_msgs_per_s'),
    cpu_us_per_msg: pick('off', 'cpu_us_per_msg'),
    loss_pct: pick('off', 'loss_pct'),
  },
  tracing_on: {
    input_msgs_per_s: pick('on', 'input_msgs_per_s'),
    cpu_us_per_msg: pick('on', 'cpu_us_per_msg'),
    loss_pct: pick('on', 'loss_pct'),
    paced_msgs_per_s: rate,
    paced_p99_ms: pick('on', 'paced_p99_ms'),
    paced_loss_pct: pick('on', 'paced_loss_pct'),
    live_batches_per_s: pick('on', 'live_batches_per_s'),
    live_largest_batch_kb: pick('on', 'live_largest_batch_kb'),
    live_dropped_entries: pick('on', 'live_dropped_entries'),
  },
};
const ratio = (a, b) => (a && b ? round2(a / b) : null);
summary.ratios = {
  // wall clock: what the gateway managed, noisy on a shared machine
  throughput_tracing_on_vs_off: ratio(
    summary.tracing_on.input_msgs_per_s,
    summary.tracing_off.input_msgs_per_s,
  ),
  // per CPU: the messages a core handles with tracing on against off (off's cost / on's cost)
  cpu_throughput_tracing_on_vs_off: ratio(
    summary.tracing_off.cpu_us_per_msg,
    summary.tracing_on.cpu_us_per_msg,
  ),
};
summary.targets_met = {
  throughput_tracing_on_at_least_0_9x_off:
    (summary.ratios.throughput_tracing_on_vs_off ?? 0) >= 0.9 &&
    (summary.ratios.cpu_throughput_tracing_on_vs_off ?? 0) >= 0.9,
};

const uiModule = join(repo, 'test', 'bench', 'live-ui.mjs');
if (existsSync(uiModule) && process.env.BENCH_LIVE_UI !== '0') {
  const broker = await startMosquitto();
  const gateway = await startGateway(broker.url);
  const loadgen = await startLoadgen(broker.url);
  try {
    await loadgen.call('ready', { timeoutMs: 60_000 });
    const { measureUi } = await import(uiModule);
    summary.ui = await measureUi({
      brokerUrl: broker.url,
      gatewayId,
      projectDir,
      flowId,
      rate,
      // The key the gateway trusts, for the app's installer key (signed live lease).
      signingSecret: benchKey.secretKey,
      paced: (pacedRate, seconds) => loadgen.call('paced', { rate: pacedRate, seconds }),
    });
  } finally {
    await loadgen.stop();
    await gateway.stop();
    await broker.stop();
  }
}
summary.runtime = { node: process.version, rounds, burst };
console.log(JSON.stringify(summary));
