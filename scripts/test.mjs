// `npm test`: build, lint, type-check every layer, then unit, integration and e2e tests.
// Every step runs even when an earlier one fails, so one run shows everything that is wrong;
// the exit code is non-zero if any step failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

rmSync('test-results/unit.json', { force: true });
rmSync('test-results/integration.json', { force: true });
rmSync('test-results/e2e-report.json', { force: true });
mkdirSync('test-results', { recursive: true });

const steps = [
  ['build', 'node', ['scripts/build.mjs']],
  ['lint', 'node_modules/.bin/eslint', ['.', '--max-warnings', '0']],
  ['format', 'node_modules/.bin/prettier', ['--check', '.', '--log-level', 'warn']],
  ['typecheck', 'node', ['scripts/typecheck.mjs']],
  [
    'unit',
    'node_modules/.bin/vitest',
    [
      'run',
      '--project',
      'unit',
      '--project',
      'renderer',
      '--reporter',
      'default',
      '--reporter',
      'json',
      '--outputFile.json',
      'test-results/unit.json',
    ],
  ],
  [
    'integration',
    'node_modules/.bin/vitest',
    [
      'run',
      '--project',
      'integration',
      '--reporter',
      'default',
      '--reporter',
      'json',
      '--outputFile.json',
      'test-results/integration.json',
    ],
  ],
  ['e2e', 'node_modules/.bin/playwright', ['test']],
];

const results = [];
for (const [name, cmd, args] of steps) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const { status } = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  results.push({ name, ok: status === 0, ms: Date.now() - started });
}

const counts = { passed: 0, failed: 0, skipped: 0 };
const readJson = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null);
for (const file of ['test-results/unit.json', 'test-results/integration.json']) {
  const report = readJson(file);
  if (!report) continue;
  counts.passed += report.numPassedTests ?? 0;
  counts.failed += report.numFailedTests ?? 0;
  counts.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
const e2e = readJson('test-results/e2e-report.json');
if (e2e?.stats) {
  counts.passed += e2e.stats.expected ?? 0;
  counts.failed += (e2e.stats.unexpected ?? 0) + (e2e.stats.flaky ?? 0);
  counts.skipped += e2e.stats.skipped ?? 0;
}

console.log('\n=== summary ===');
for (const r of results)
  console.log(`${r.ok ? 'ok    ' : 'FAILED'} ${r.name} (${(r.ms / 1000).toFixed(1)} s)`);
const failedSteps = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failedSteps} passed, ${failedSteps} failed`);
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failedSteps || counts.failed ? 1 : 0);
