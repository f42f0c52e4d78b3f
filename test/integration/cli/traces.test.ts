/**
 * `fieldgraph traces` reads the runs a remote gateway kept over the site broker (mosquitto):
 * newest first, filtered by flow, outcome and limit, in exactly the documented JSON shape.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { useCleanups } from '../../helpers/cleanups';
import { freePort, startMosquitto } from '../../helpers/mosquitto';
import { flow, writeProject } from '../gateway/fixtures';
import { encodeKey } from '../../../shared/core/package/keys';
import { installerKey } from '../../helpers/packages';
import { connectClient, trustedInstaller, waitFor } from '../gateway/helpers';
import { spawnGateway } from '../gateway/process';

const cleanups = useCleanups();
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const bundle = join(repo, 'node_modules', '.cache', 'fieldgraph-test', 'cli-for-traces.mjs');

// The CLI as the build makes it (main.ts turns usage mistakes into exit code 2), bundled here so
// the test does not wait for a full build.
const built = build({
  entryPoints: [join(repo, 'cli/main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: bundle,
  logLevel: 'warning',
});

// Traces carry site data: the request is signed with an installer key the gateway trusts.
// (Written per call: the per-test cleanups remove temp folders.)
const writeKeyFile = (): string => {
  const keyFile = join(cleanups.tempDir('fg-traces-key-'), 'signing.key');
  writeFileSync(keyFile, encodeKey('ed25519-secret', installerKey.secretKey) + '\n', { mode: 0o600 });
  return keyFile;
};

const traces = async (...args: string[]) => {
  await built;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bundle, 'traces', '--key', writeKeyFile(), ...args], {
      cwd: repo,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
};

interface Runs {
  runs: Array<{
    flow: string;
    started: string;
    outcome: string;
    steps: Array<{
      node: string;
      kind: string;
      ms: number;
      input: unknown;
      output: unknown;
      error: string | null;
    }>;
  }>;
}

describe('fieldgraph traces', () => {
  it('lists a remote gateway’s runs over mosquitto, newest first, filtered as asked', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const project = writeProject(cleanups.tempDir('fg-traces-proj-'), [
      flow(
        'check',
        [
          ['t', 'trigger.mqtt', { topic: 'site/level' }],
          ['high', 'logic.if', { condition: 'payload.level > 5' }],
          ['pub', 'action.mqtt-publish', { topic: 'site/alarm' }],
          ['bad', 'logic.transform', { payload: 'payload.missing.x' }],
        ],
        [
          ['t', 'high'],
          ['high', 'pub', 'true'],
          ['high', 'bad', 'false'],
        ],
      ),
      flow('other', [['t', 'trigger.mqtt', { topic: 'site/other' }]], []),
    ]);
    const gw = await spawnGateway([
      '--id',
      'remote1',
      '--broker',
      m.url,
      '--data',
      cleanups.tempDir('fg-traces-data-'),
      '--project',
      project,
      '--trust',
      trustedInstaller,
    ]);
    cleanups.push(gw.kill);
    await gw.online();
    const probe = await connectClient(m.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    const alarms: string[] = [];
    probe.on('message', (t, p) => t === 'site/alarm' && alarms.push(p.toString()));
    await probe.subscribeAsync('site/alarm');
    for (const level of [7, 2, 9, 1]) {
      await probe.publishAsync('site/level', JSON.stringify({ level }), { qos: 1 });
      await new Promise((r) => setTimeout(r, 20));
    }
    await probe.publishAsync('site/other', '{}', { qos: 1 });
    await waitFor(() => alarms.length === 2, 10_000, 'the two alarms');

    const all = await traces('--mqtt', m.url, '--gateway', 'remote1', '--json');
    expect(all.code, all.stderr).toBe(0);
    const everything = JSON.parse(all.stdout) as Runs;
    expect(everything.runs.map((r) => r.flow)).toEqual(['other', 'check', 'check', 'check', 'check']);

    const failed = await traces(
      '--mqtt',
      m.url,
      '--gateway',
      'remote1',
      '--flow',
      'check',
      '--outcome',
      'failed',
      '--json',
    );
    const out = JSON.parse(failed.stdout) as Runs;
    expect(out.runs.map((r) => r.steps[0]!.input)).toEqual([{ level: 1 }, { level: 2 }]);
    const [run] = out.runs;
    expect(Object.keys(run!).sort()).toEqual(['flow', 'outcome', 'started', 'steps']);
    expect(run).toMatchObject({ flow: 'check', outcome: 'failed' });
    expect(Date.parse(run!.started)).toBeGreaterThan(Date.now() - 60_000);
    expect(run!.steps.map((s) => [s.node, s.kind])).toEqual([
      ['t', 'trigger.mqtt'],
      ['high', 'logic.if'],
      ['bad', 'logic.transform'],
    ]);
    for (const step of run!.steps)
      expect(Object.keys(step).sort()).toEqual(['error', 'input', 'kind', 'ms', 'node', 'output']);
    expect(run!.steps[1]).toMatchObject({ input: { level: 1 }, output: { level: 1 }, error: null });
    expect(run!.steps[2]!.error).toMatch(/missing/);
    expect(run!.steps[2]!.output).toBeNull();

    const one = JSON.parse(
      (await traces('--mqtt', m.url, '--gateway', 'remote1', '--flow', 'check', '--limit', '1', '--json'))
        .stdout,
    ) as Runs;
    expect(one.runs).toHaveLength(1);
    expect(one.runs[0]!.steps[0]!.input).toEqual({ level: 1 });

    const finished = JSON.parse(
      (
        await traces(
          '--mqtt',
          m.url,
          '--gateway',
          'remote1',
          '--flow',
          'check',
          '--outcome',
          'finished,failed',
          '--json',
        )
      ).stdout,
    ) as Runs;
    expect(finished.runs.map((r) => r.outcome)).toEqual(['failed', 'finished', 'failed', 'finished']);

    const text = await traces('--mqtt', m.url, '--gateway', 'remote1', '--flow', 'check', '--limit', '1');
    expect(text.stdout).toMatch(/check {2}failed/);
    expect(text.stdout).toMatch(/bad \(logic\.transform\).*✗/);
  });

  it('explains a usage mistake (exit 2) and a gateway that does not answer (exit 1)', async () => {
    const bad = await traces('--mqtt', 'mqtt://127.0.0.1:1', '--gateway', 'x', '--outcome', 'sometimes');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--outcome "sometimes" is not an outcome/);
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const silent = await traces('--mqtt', m.url, '--gateway', 'nobody');
    expect(silent.code).toBe(1);
    expect(silent.stderr).toMatch(/Gateway nobody did not answer "traces"/);
    const port = await freePort();
    const unreachable = await traces('--mqtt', `mqtt://127.0.0.1:${port}`, '--gateway', 'x', '--json');
    expect(unreachable.code).toBe(1);
    expect(JSON.parse(unreachable.stdout)).toMatchObject({ ok: false, code: 'deploy.unreachable' });
  });
});
