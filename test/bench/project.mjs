// Project store speed on a large project: 300 flows, 30 sites, 20 models (the demo site's
// documents, copied with new ids). Figures: saving everything durably (temp file + fsync +
// rename + folder fsync per file) vs plain writeFileSync of the same bytes; saving after one
// edit; one autosave; opening with full validation against the library vs reading and parsing
// the same files (and opening with the format checks only, to show what validation costs).
// Medians of RUNS runs. Last line: one JSON object.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = Number(process.env.RUNS ?? 5);
const FLOWS = 300;
const SITES = 30;
const MODELS = 20;

const bundle = join(repo, 'node_modules', '.cache', 'fieldgraph-bench', 'project-work.mjs');
await build({
  entryPoints: [join(repo, 'test', 'bench', 'project-work.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: bundle,
  logLevel: 'warning',
});
const work = await import(bundle);
const demo = join(repo, 'resources', 'samples', 'demo-site');
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const flow = readJson(join(demo, 'flows', 'motion-light.json'));
const site = readJson(join(demo, 'sites', 'demo.json'));
const model = readJson(join(demo, 'models', 'esphome-multisensor.json'));
const meta = readJson(join(demo, 'fieldgraph.json'));

const base = mkdtempSync(join(tmpdir(), 'fg-bench-project-'));
process.on('exit', () => rmSync(base, { recursive: true, force: true }));
const validate = work.createModelValidation(await work.loadLibrary());
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

const results = {
  saveAll: [],
  plainWrite: [],
  saveOne: [],
  autosave: [],
  open: [],
  openFormatOnly: [],
  plainRead: [],
};
let bytes = 0;
let fileCount = 0;
for (let run = 0; run < RUNS; run++) {
  const dir = join(base, `p${run}`);
  const store = work.createProjectStore({
    recovery: work.createRecoveryArea(join(base, `r${run}`)),
    autosaveMs: 0,
    validate,
  });
  await store.create(dir, 'Bench');
  for (let i = 0; i < FLOWS; i++) store.putDocument('flows', `flow-${i}`, { ...flow, id: `flow-${i}` });
  for (let i = 0; i < SITES; i++) store.putDocument('sites', `site-${i}`, { ...site, id: `site-${i}` });
  for (let i = 0; i < MODELS; i++)
    store.putDocument('models', i === 0 ? model.id : `model-${i}`, {
      ...model,
      id: i === 0 ? model.id : `model-${i}`,
    });
  writeFileSync(join(dir, 'fieldgraph.json'), JSON.stringify({ ...meta, name: 'Bench' }));
  results.saveAll.push(await time(() => store.save()));
  store.putDocument('flows', 'flow-7', { ...flow, id: 'flow-7', name: 'Changed' });
  results.autosave.push(await time(() => store.autosaveNow()));
  results.saveOne.push(await time(() => store.save()));
  await store.close();

  // Baseline: the same bytes with plain writeFileSync, no temp file, no fsync.
  const files = [];
  for (const kind of ['flows', 'models', 'sites']) {
    for (const name of readdirSync(join(dir, kind)))
      files.push([`${kind}/${name}`, readFileSync(join(dir, kind, name), 'utf8')]);
  }
  fileCount = files.length + 1;
  bytes = files.reduce((n, [, text]) => n + text.length, 0);
  const plain = join(base, `plain${run}`);
  for (const kind of ['flows', 'models', 'sites']) mkdirSync(join(plain, kind), { recursive: true });
  results.plainWrite.push(
    await time(() => files.forEach(([rel, text]) => writeFileSync(join(plain, rel), text))),
  );

  const reopen = work.createProjectStore({
    recovery: work.createRecoveryArea(join(base, `r${run}`)),
    autosaveMs: 0,
    validate,
  });
  results.open.push(await time(() => reopen.open(dir)));
  const problems = reopen.summary().problems.filter((p) => p.severity === 'error');
  if (problems.length) throw new Error(`bench project has problems: ${JSON.stringify(problems.slice(0, 3))}`);
  await reopen.close();
  const formatOnly = work.createProjectStore({
    recovery: work.createRecoveryArea(join(base, `r${run}`)),
    autosaveMs: 0,
  });
  results.openFormatOnly.push(await time(() => formatOnly.open(dir)));
  await formatOnly.close();
  results.plainRead.push(
    await time(() => files.forEach(([rel]) => JSON.parse(readFileSync(join(dir, rel), 'utf8')))),
  );
}

const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(median(v) * 10) / 10]));
console.error(
  `project of ${fileCount} files, ${(bytes / 1024).toFixed(0)} KB; medians of ${RUNS} runs (ms):`,
  m,
);
console.log(
  JSON.stringify({
    files: fileCount,
    kilobytes: Math.round(bytes / 1024),
    runs: RUNS,
    save_all_ms: m.saveAll,
    plain_write_ms: m.plainWrite,
    save_all_vs_plain: Math.round((m.saveAll / m.plainWrite) * 10) / 10,
    save_one_edit_ms: m.saveOne,
    autosave_ms: m.autosave,
    open_validated_ms: m.open,
    open_format_only_ms: m.openFormatOnly,
    plain_read_parse_ms: m.plainRead,
    open_vs_plain: Math.round((m.open / m.plainRead) * 10) / 10,
  }),
);
