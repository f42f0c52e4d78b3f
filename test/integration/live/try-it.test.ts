import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventName } from '../../../shared/core/api';
import { createEventHub } from '../../../shared/core/api/events';
import { silentLogger } from '../../../shared/node/log';
import { createLiveService } from '../../../shared/node/services/live';
import { useCleanups } from '../../helpers/cleanups';
import { freePort, startMosquitto } from '../../helpers/mosquitto';
import { flow } from '../gateway/fixtures';
import { connectClient, nextJson } from '../gateway/helpers';
import { gatewayBundle, spawnGateway } from '../gateway/process';
import { writeProject } from '../gateway/fixtures';
import { encodeKey } from '../../../shared/core/package/keys';
import { ensureInstallerKey } from '../../../shared/node/keys/installer-key';
import { createEncryptedFileSecretStore } from '../../../shared/node/secrets/encrypted-file';
import type { LiveBatch } from '../../../shared/core/engine/live';
import { join } from 'node:path';

const cleanups = useCleanups();

/** The live service as the app composes it, with the gateway command bundled from source. */
const liveService = async (secrets?: ReturnType<typeof createEncryptedFileSecretStore>) => {
  const dataDir = cleanups.tempDir('fg-live-data-');
  const hub = createEventHub();
  const events: Array<{ event: EventName; payload: unknown }> = [];
  hub.subscribe((event, payload) => events.push({ event, payload }));
  const live = createLiveService(
    { runtime: 'web', dataDir, hub, log: silentLogger },
    {
      gatewayCommand: { command: process.execPath, args: [await gatewayBundle()] },
      ...(secrets ? { secrets } : {}),
    },
  );
  cleanups.push(() => Promise.resolve(live.tryStop({}, { transport: 'direct' })).catch(() => {}));
  return { live, events, dataDir };
};

const direct = { transport: 'direct' } as const;
const site = {
  schemaVersion: 1,
  id: 'scratch',
  name: 'Scratch',
  rooms: [],
  devices: [],
  bindings: [],
  gateways: [],
};

describe('try-it mode', () => {
  it('runs the unsaved design on a gateway in a child process, fires its Manual trigger, and keeps the trace', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const { live, events, dataDir } = await liveService();
    const probe = await connectClient(m.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));

    const design = {
      flows: [
        flow(
          'press',
          [
            ['go', 'trigger.manual'],
            ['say', 'action.log', { message: '"pressed with " + string(payload)' }],
            ['pub', 'action.mqtt-publish', { topic: 'try/out', payload: 'payload' }],
            ['other', 'trigger.manual'],
          ],
          [
            ['go', 'say'],
            ['say', 'pub'],
            ['other', 'pub'],
          ],
        ),
        // A flow the engine cannot build is left out and named, the other one runs.
        flow('broken', [['x', 'logic.if', { condition: 'payload >' }]], []),
      ],
      roles: [],
      site,
    };
    const state = await live.tryStart({ design, brokerUrl: m.url }, direct);
    expect(state).toMatchObject({ state: 'running', flows: [{ id: 'press' }], brokerUrl: m.url });
    expect(state.message).toMatch(/broken could not start/);
    const gatewayId = state.gatewayId!;
    expect(gatewayId).toMatch(/^try-it-/);
    expect(events.map((e) => e.event)).toEqual(['onTryIt', 'onTryIt']);
    expect(await live.tryState({}, direct)).toEqual(state);

    const out = nextJson<number>(probe, 'try/out');
    await new Promise((r) => setTimeout(r, 100));
    const { runId } = await live.run(
      { gateway: { brokerUrl: m.url, gatewayId }, flowId: 'press', payload: 42 },
      direct,
    );
    expect(runId).toEqual(expect.any(String));
    expect(await out).toBe(42);

    const page = await live.traces(
      { gateway: { brokerUrl: m.url, gatewayId }, query: { flowId: 'press' } },
      direct,
    );
    expect(page.skipped).toBe(0);
    const run = page.runs.find((t) => t.runId === runId);
    expect(run).toMatchObject({ flowId: 'press', outcome: 'finished' });
    expect(run!.steps.map((s) => s.nodeId)).toEqual(['go', 'say', 'pub']);
    expect(run!.steps[1]).toMatchObject({ input: 42, outputs: [{ port: 'out', payload: 42 }] });
    expect(page.counts.press?.finished).toBeGreaterThanOrEqual(1);
    expect(await live.trace({ gateway: { brokerUrl: m.url, gatewayId }, runId: runId! }, direct)).toEqual(
      run,
    );

    // The inject button of the second Manual trigger starts the run there.
    const second = await live.run(
      { gateway: { brokerUrl: m.url, gatewayId }, flowId: 'press', nodeId: 'other', payload: 7 },
      direct,
    );
    const fromOther = await live.trace(
      { gateway: { brokerUrl: m.url, gatewayId }, runId: second.runId! },
      direct,
    );
    expect(fromOther.steps.map((s) => s.nodeId)).toEqual(['other', 'pub']);

    const offline = nextJson(probe, `fieldgraph/v1/gw/${gatewayId}/status`, (s) => s.state === 'offline');
    expect(await live.tryStop({}, direct)).toEqual({ state: 'stopped', flows: [] });
    expect(await offline).toMatchObject({ reason: 'shutdown' });
    // The scratch project is gone with it.
    expect(readdirSync(dataDir).filter((n) => n.startsWith('try-it-'))).toEqual([]);
  });

  it('says why when the broker cannot be reached, and a trace that is not kept is named', async () => {
    const { live, events } = await liveService();
    const design = { flows: [flow('f', [['go', 'trigger.manual']], [])], roles: [], site };
    await expect(live.tryStart({ design, brokerUrl: 'mqtt://127.0.0.1:1' }, direct)).rejects.toMatchObject({
      code: 'live.unreachable',
      message: expect.stringMatching(/Cannot reach the broker at mqtt:\/\/127\.0\.0\.1:1/),
    });
    expect(events.at(-1)).toMatchObject({ event: 'onTryIt', payload: { state: 'failed' } });
    expect(await live.tryState({}, direct)).toMatchObject({ state: 'failed' });

    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const state = await live.tryStart({ design, brokerUrl: m.url }, direct);
    await expect(
      live.trace({ gateway: { brokerUrl: m.url, gatewayId: state.gatewayId! }, runId: 'nope' }, direct),
    ).rejects.toMatchObject({ code: 'live.rejected', message: expect.stringMatching(/nope/) });
    // Any other gateway is spoken to with the installer key, kept in the secret store: locked here.
    await expect(
      live.run({ gateway: { brokerUrl: m.url, gatewayId: 'nobody-here' }, flowId: 'f' }, direct),
    ).rejects.toMatchObject({ code: 'secrets.locked' });
  }, 30_000);

  it('reports a try-it gateway that dies by itself', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const { live, events, dataDir } = await liveService();
    const design = { flows: [flow('f', [['go', 'trigger.manual']], [])], roles: [], site };
    await live.tryStart({ design, brokerUrl: m.url }, direct);
    const scratch = readdirSync(dataDir).filter((n) => n.startsWith('try-it-'));
    expect(scratch).toHaveLength(1);
    const pid = Number(
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .find((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(scratch[0]);
          } catch {
            return false;
          }
        }),
    );
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await expect
      .poll(() => events.at(-1)?.payload, { timeout: 10_000 })
      .toMatchObject({ state: 'failed', message: expect.stringMatching(/stopped by itself/) });
    await expect.poll(() => existsSync(`${dataDir}/${scratch[0]}`)).toBe(false);
  }, 30_000);
});

describe('the live view of a deployed gateway', () => {
  it('streams what its flows do over the broker or polled over HTTP, signed with the installer key it trusts; another key is refused', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const secrets = createEncryptedFileSecretStore({
      path: join(cleanups.tempDir('fg-live-secrets-'), 'secrets.json'),
      passphrase: 'live test passphrase',
      kdf: { N: 1024, r: 8, p: 1 },
    });
    const installer = await ensureInstallerKey(secrets);
    const project = writeProject(cleanups.tempDir('fg-live-proj-'), [
      flow(
        'hello',
        [
          ['go', 'trigger.manual'],
          ['say', 'action.log', { message: '"hello " + string(payload)' }],
          ['bad', 'logic.transform', { payload: 'payload.nope.deeper' }],
        ],
        [
          ['go', 'say'],
          ['say', 'bad'],
        ],
      ),
    ]);
    const httpPort = await freePort();
    const gw = await spawnGateway([
      '--http',
      `127.0.0.1:${httpPort}`,
      '--id',
      'site-gw',
      '--broker',
      m.url,
      '--data',
      cleanups.tempDir('fg-live-gw-'),
      '--project',
      project,
      '--trust',
      encodeKey('ed25519', installer.publicKey),
    ]);
    cleanups.push(gw.kill);
    await gw.online();

    const { live, events } = await liveService(secrets);
    const gateway = { brokerUrl: m.url, gatewayId: 'site-gw' };
    expect(await live.watch(gateway, direct)).toEqual({ gatewayId: 'site-gw' });
    const { runId } = await live.run({ gateway, flowId: 'hello', payload: 'world' }, direct);
    expect(runId).toEqual(expect.any(String));

    const batches = () => events.filter((e) => e.event === 'onLiveBatch').map((e) => e.payload as LiveBatch);
    await expect
      .poll(
        () =>
          batches()
            .flatMap((b) => b.runs)
            .map((r) => r.runId),
        { timeout: 10_000 },
      )
      .toContain(runId);
    const nodes = batches().flatMap((b) => b.nodes);
    expect(nodes.find((n) => n.nodeId === 'say')).toMatchObject({
      flowId: 'hello',
      runs: 1,
      value: 'world',
      runId,
    });
    expect(nodes.find((n) => n.nodeId === 'bad')?.error).toMatch(/nope/);
    expect(
      batches()
        .flatMap((b) => b.edges)
        .map((e) => e.edgeId)
        .sort(),
    ).toEqual(['e0', 'e1']);
    const debug = batches().flatMap((b) => b.debug);
    expect(debug).toContainEqual(
      expect.objectContaining({ source: 'log', text: 'hello world', nodeId: 'say', runId }),
    );
    expect(debug).toContainEqual(expect.objectContaining({ source: 'error', nodeId: 'bad', level: 'error' }));
    expect(
      batches()
        .flatMap((b) => b.runs)
        .find((r) => r.runId === runId)?.outcome,
    ).toBe('failed');

    // Traces come the same way, with the version of the flow they ran on.
    const page = await live.traces({ gateway, query: { outcome: ['failed'] } }, direct);
    expect(page.runs.map((r) => r.runId)).toContain(runId);
    expect(page.runs[0]!.flowVersion?.hash).toMatch(/^[0-9a-f]{16}$/);

    // Over its HTTP endpoint the same runs are read, and a run started, signed the same way.
    const overHttp = { httpUrl: `http://127.0.0.1:${httpPort}`, gatewayId: 'site-gw' };
    expect((await live.trace({ gateway: overHttp, runId: runId! }, direct)).runId).toBe(runId);
    const viaHttp = await live.run({ gateway: overHttp, flowId: 'hello', payload: 'http' }, direct);
    await expect
      .poll(async () =>
        (await live.traces({ gateway: overHttp, query: { limit: 10 } }, direct)).runs.map((r) => r.runId),
      )
      .toContain(viaHttp.runId);

    await live.unwatch({ gatewayId: 'site-gw' }, direct);
    let seen = batches().length;
    await live.run({ gateway, flowId: 'hello' }, direct);
    await new Promise((r) => setTimeout(r, 600));
    expect(batches().length).toBe(seen);

    // Over HTTP the live stream is polled: what runs from then on comes, each batch once, and
    // nothing from before watching began.
    expect(await live.watch(overHttp, direct)).toEqual({ gatewayId: 'site-gw' });
    const polled = await live.run({ gateway: overHttp, flowId: 'hello', payload: 'polled' }, direct);
    await expect
      .poll(
        () =>
          batches()
            .flatMap((b) => b.debug)
            .filter((d) => d.runId === polled.runId)
            .map((d) => d.text),
        { timeout: 10_000 },
      )
      .toContain('hello polled');
    const overHttpBatches = batches().slice(seen);
    const seqs = overHttpBatches.map((b) => b.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(overHttpBatches.flatMap((b) => b.runs).map((r) => r.runId)).toEqual([polled.runId]);
    expect(overHttpBatches.flatMap((b) => b.nodes).find((n) => n.nodeId === 'say')).toMatchObject({
      runs: 1,
      value: 'polled',
    });
    await live.unwatch({ gatewayId: 'site-gw' }, direct);
    seen = batches().length;
    await live.run({ gateway: overHttp, flowId: 'hello' }, direct);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(batches().length).toBe(seen);

    // An app whose installer key the gateway does not trust is told so, and gets no stream.
    const stranger = createEncryptedFileSecretStore({
      path: join(cleanups.tempDir('fg-live-secrets-'), 'secrets.json'),
      passphrase: 'another passphrase',
      kdf: { N: 1024, r: 8, p: 1 },
    });
    const other = await liveService(stranger);
    await expect(other.live.watch(gateway, direct)).rejects.toMatchObject({
      code: 'live.rejected',
      message: expect.stringMatching(/site-gw/),
    });
    await expect(other.live.watch(overHttp, direct)).rejects.toMatchObject({
      code: 'live.rejected',
      message: expect.stringMatching(/site-gw/),
    });
  }, 60_000);
});
