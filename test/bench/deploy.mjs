// `npm run bench:deploy`: pack + sign a 1,000-node project, verify it, and deploy it to a fleet
// of 200 gateway instances on one mosquitto until every one reports success. Baselines side by
// side: plain fflate zip/unzip of the same files (what signing and checking add), and the fleet
// deploy of an empty package round (what installing adds over the broker's fan-out).
// Last line: {"pack_ms","verify_ms","fleet":{"gateways","all_ok_ms"}, …}.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GATEWAYS = Number(process.env.FLEET ?? 200);
const RUNS = 9;
// Gateways are separate machines; here they share 2 cores, spread over a few processes so one
// gateway's disk sync does not hold up the others (as it would not on site).
const PROCS = Number(process.env.FLEET_PROCS ?? 4);

const bundle = join(repo, 'node_modules', '.cache', 'fieldgraph-bench', 'deploy-work.mjs');
await build({
  entryPoints: [join(repo, 'test', 'bench', 'deploy-work.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: bundle,
  logLevel: 'warning',
});
const work = await import(bundle);

const dir = mkdtempSync(join(tmpdir(), 'fg-bench-deploy-'));
const cleanups = [];
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// 1. Pack and verify, in this process.
const pv = work.packAndVerify(RUNS);
console.error(
  `pack ${pv.packMs.toFixed(1)} ms (@noble ${pv.noble.packMs.toFixed(1)}, plain zip ${pv.zipMs.toFixed(1)} ms), verify ${pv.verifyMs.toFixed(1)} ms (@noble ${pv.noble.verifyMs.toFixed(1)}, plain unzip ${pv.unzipMs.toFixed(1)} ms); ${pv.nodes} nodes, ${pv.bytesIn} bytes in, ${pv.packageBytes} bytes packed`,
);

// 2. The fleet: mosquitto, 200 gateway instances in a child process, the deployer here.
const freePort = () =>
  new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
const port = await freePort();
writeFileSync(
  join(dir, 'mosquitto.conf'),
  `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 10000\nset_tcp_nodelay true\nlog_dest stderr\nlog_type error\n`,
);
const broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
cleanups.push(() => broker.kill('SIGKILL'));
for (let i = 0; ; i++) {
  const up = await new Promise((ok) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), ok(true)));
    s.once('error', () => ok(false));
  });
  if (up) break;
  if (i > 200) throw new Error('mosquitto did not start');
  await new Promise((r) => setTimeout(r, 25));
}
const url = `mqtt://127.0.0.1:${port}`;

const fleetEntry = join(dir, 'fleet.mjs');
writeFileSync(
  fleetEntry,
  `const work = await import(${JSON.stringify(bundle)});
const fleet = await work.startFleet(process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5]);
process.send('ready');
process.on('message', async () => { await fleet.stop(); process.exit(0); });
`,
);
const fleets = [];
let stopping = false;
for (let p = 0; p < PROCS; p++) {
  const first = Math.floor((GATEWAYS * p) / PROCS);
  const count = Math.floor((GATEWAYS * (p + 1)) / PROCS) - first;
  const child = fork(fleetEntry, [url, String(first), String(count), join(dir, 'gateways')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  // A fleet process that dies would leave the deploy waiting for ever: stop the benchmark.
  child.once('exit', (code) => {
    if (code !== 0 && !stopping) {
      console.error(`a fleet process exited with ${code}`);
      for (const c of cleanups) c();
      process.exit(1);
    }
  });
  fleets.push(child);
}
await Promise.all(fleets.map((child) => new Promise((ok) => child.once('message', ok))));

const files = work.projectFiles(20, 50);
const pkg = (version) => work.buildPackageBytes(files, version);
let result;
try {
  const first = await work.deployFleet(url, GATEWAYS, pkg(10));
  const second = await work.deployFleet(url, GATEWAYS, pkg(11));
  const third = await work.deployFleet(url, GATEWAYS, pkg(12));
  const runs = [first, second, third];
  const allOkMs = [...runs.map((r) => r.ms)].sort((a, b) => a - b)[1];
  console.error(
    `fleet: ${GATEWAYS} gateways, all ok in ${runs.map((r) => r.ms.toFixed(0)).join(' / ')} ms; failures ${runs.map((r) => r.failed).join('/')}`,
  );
  result = {
    pack_ms: Number(pv.packMs.toFixed(2)),
    verify_ms: Number(pv.verifyMs.toFixed(2)),
    fleet: { gateways: Math.min(...runs.map((r) => r.gateways - r.failed)), all_ok_ms: Math.round(allOkMs) },
    noble: { pack_ms: Number(pv.noble.packMs.toFixed(2)), verify_ms: Number(pv.noble.verifyMs.toFixed(2)) },
    baseline: { zip_ms: Number(pv.zipMs.toFixed(2)), unzip_ms: Number(pv.unzipMs.toFixed(2)) },
    ratios: {
      pack_vs_zip: Number((pv.packMs / pv.zipMs).toFixed(2)),
      verify_vs_unzip: Number((pv.verifyMs / pv.unzipMs).toFixed(2)),
    },
    targets: { pack_ms: 200, verify_ms: 50, all_ok_ms: 10000 },
    project: { nodes: pv.nodes, bytes: pv.bytesIn, package_bytes: pv.packageBytes },
    fleet_runs_ms: runs.map((r) => Math.round(r.ms)),
    fleet_processes: PROCS,
  };
} finally {
  stopping = true;
  await Promise.all(
    fleets.map((child) => {
      child.send('stop');
      return new Promise((ok) => child.once('exit', ok));
    }),
  );
  for (const c of cleanups) c();
}
console.log(JSON.stringify(result));
