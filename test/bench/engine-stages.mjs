// Joins the gateway's stage times (engine-stages.cjs) with the load generator's publish and
// arrival times of one paced step, and says where the latency went: p50 and p99 of each leg, and
// the mean legs of the slowest 1 % of messages.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round2 = (x) => Math.round(x * 100) / 100;
const legs = ['total', 'in', 'gateway', 'write', 'out'];

/** Where the latency of step `step` (the load generator's answer with from/to/times) went, or null. */
export const stageReport = async ({ pid, rangeFile, stagesFile }, step) => {
  if (!step.times) return null;
  writeFileSync(rangeFile, `${step.from} ${step.to}`);
  rmSync(stagesFile, { force: true });
  process.kill(pid, 'SIGWINCH');
  for (let i = 0; i < 100 && !existsSync(stagesFile); i++) await sleep(50);
  await sleep(200);
  if (!existsSync(stagesFile)) return null;
  const gw = new Float64Array(new Uint8Array(readFileSync(stagesFile)).buffer);
  const lg = new Float64Array(new Uint8Array(readFileSync(step.times)).buffer);
  rmSync(step.times, { force: true });
  const n = step.to - step.from;
  const rows = [];
  for (let i = 0; i < n; i++) {
    const [sent, received] = [lg[i], lg[n + i]];
    const [arrived, published, left] = [gw[i], gw[n + i], gw[2 * n + i]];
    if (!received || !arrived || !published || !left) continue;
    rows.push({
      total: received - sent,
      in: arrived - sent,
      gateway: published - arrived,
      write: left - published,
      out: received - left,
    });
  }
  if (rows.length === 0) return null;
  const at = (leg, p) => {
    const sorted = rows.map((r) => r[leg]).sort((a, b) => a - b);
    return round2(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
  };
  const cut = at('total', 0.99);
  const slowest = rows.filter((r) => r.total >= cut);
  const each = (fn) => Object.fromEntries(legs.map((leg) => [leg, fn(leg)]));
  return {
    messages: rows.length,
    p50_ms: each((leg) => at(leg, 0.5)),
    p99_ms: each((leg) => at(leg, 0.99)),
    slowest_1pct_mean_ms: each((leg) => round2(slowest.reduce((sum, r) => sum + r[leg], 0) / slowest.length)),
  };
};
