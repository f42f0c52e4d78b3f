import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventName } from '../../../shared/core/api';
import { createEventHub } from '../../../shared/core/api/events';
import { silentLogger } from '../../../shared/node/log';
import { createLiveService } from '../../../shared/node/services/live';
import { useCleanups } from '../../helpers/cleanups';
import { startMosquitto } from '../../helpers/mosquitto';
import { flow } from '../gateway/fixtures';
import { connectClient, nextJson } from '../gateway/helpers';
import { gatewayBundle } from '../gateway/process';

const cleanups = useCleanups();

/** The live service as the app composes it, with the gateway command bundled from source. */
const liveService = async () => {
  const dataDir = cleanups.tempDir('fg-live-data-');
  const hub = createEventHub();
  const events: Array<{ event: EventName; payload: unknown }> = [];
  hub.subscribe((event, payload) => events.push({ event, payload }));
  const live = createLiveService(
    { runtime: 'web', dataDir, hub, log: silentLogger },
    { gatewayCommand: { command: process.execPath, args: [await gatewayBundle()] } },
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
          ],
          [
            ['go', 'say'],
            ['say', 'pub'],
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
    await expect(
      live.run({ gateway: { brokerUrl: m.url, gatewayId: 'nobody-here' }, flowId: 'f' }, direct),
    ).rejects.toMatchObject({ code: 'live.timeout' });
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
