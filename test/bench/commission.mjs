// `npm run bench:commission`: 20 virtual Improv devices on 20 socat ptys commissioned in
// parallel through the real queue (open without reset, detect, device info, name, Wi-Fi,
// provisioned + URL, close), against the same run with one device alone as the baseline.
// Devices live in a child process so the app side has its own event loop, as on site.
// Each figure is the median of RUNS runs. Target: ratio ≤ 1.5. Measured twice: with the
// devices taking CONNECT_DELAY_MS (default 200) to "join Wi-Fi", and with 0 ms, which leaves
// only the protocol and port work (the worst case for the ratio).
// Last line: {"devices","runs","target_ratio","all_provisioned",
//             "join_<ms>":{"one_ms","parallel_ms","ratio"},"join_0":{…}}.
import { fork } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEVICES = Number(process.env.DEVICES ?? 20);
const RUNS = Number(process.env.RUNS ?? 5);
const CONNECT_DELAY_MS = Number(process.env.CONNECT_DELAY_MS ?? 200);

const bundle = join(repo, 'node_modules', '.cache', 'fieldgraph-bench', 'commission-work.mjs');
if (process.argv[2] !== 'devices') {
  await build({
    entryPoints: [join(repo, 'test', 'bench', 'commission-work.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: bundle,
    logLevel: 'warning',
  });
}
const work = await import(bundle);

if (process.argv[2] === 'devices') {
  // Child: start devices on the paths the parent sends, report ready, close on request.
  process.on('message', async (msg) => {
    if (msg.paths) {
      const close = await work.startDevices(msg.paths, msg.connectDelayMs);
      process.once('message', async () => {
        await close();
        process.send({ closed: true });
        process.exit(0);
      });
      process.send({ ready: true });
    }
  });
} else {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const once = async (count, delay) => {
    const pairs = [];
    for (let i = 0; i < count; i++) pairs.push(await work.createPtyPair(`b${i}`));
    const child = fork(fileURLToPath(import.meta.url), ['devices'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const next = () => new Promise((r) => child.once('message', r));
    child.send({ paths: pairs.map((p) => p.devicePath), connectDelayMs: delay });
    await next();
    const result = await work.commissionAll(pairs.map((p) => p.hostPath));
    child.send({ close: true });
    await next();
    for (const p of pairs) await p.close();
    return result;
  };
  await once(1, CONNECT_DELAY_MS); // warm-up: module loading, first socat spawn
  let allOk = true;
  const scenario = async (delay) => {
    const one = [];
    const parallel = [];
    for (let r = 0; r < RUNS; r++) {
      const a = await once(1, delay);
      const b = await once(DEVICES, delay);
      allOk &&= a.provisioned === 1 && b.provisioned === DEVICES;
      one.push(a.ms);
      parallel.push(b.ms);
      console.error(
        `join ${delay} ms, run ${r + 1}: one ${a.ms.toFixed(0)} ms, ${DEVICES} in parallel ${b.ms.toFixed(0)} ms (${b.provisioned}/${DEVICES} provisioned)`,
      );
    }
    const oneMs = median(one);
    const parallelMs = median(parallel);
    return {
      one_ms: Math.round(oneMs),
      parallel_ms: Math.round(parallelMs),
      ratio: Number((parallelMs / oneMs).toFixed(3)),
    };
  };
  const realistic = await scenario(CONNECT_DELAY_MS);
  const protocolOnly = await scenario(0);
  console.log(
    JSON.stringify({
      devices: DEVICES,
      runs: RUNS,
      target_ratio: 1.5,
      all_provisioned: allOk,
      [`join_${CONNECT_DELAY_MS}`]: realistic,
      join_0: protocolOnly,
    }),
  );
}
