/**
 * Gateway-wide variables on a real gateway and a real broker: one flow sets global.mode from an
 * MQTT message, another reads it and publishes; the value survives a gateway restart, and a new
 * version of the flows that no longer sets the name drops it.
 */
import type { MqttClient } from 'mqtt';
import type { RunTrace } from '../../../shared/core/engine';
import { describe, expect, it } from 'vitest';
import { createEngineRunner } from '../../../shared/node/gateway/engine-runner';
import { loadProjectFlowSet } from '../../../shared/node/gateway/project';
import { startGateway, type Gateway } from '../../../shared/node/gateway/runtime';
import { silentLogger } from '../../../shared/node/log';
import { startMosquitto } from '../../helpers/mosquitto';
import { useCleanups } from '../../helpers/cleanups';
import { flow, writeProject } from './fixtures';
import { connectClient, nextJson, trustedInstaller, waitFor } from './helpers';

const cleanups = useCleanups();

const gateway = async (url: string, dataDir: string, projectDir: string): Promise<Gateway> => {
  const gw = await startGateway({
    id: 'gw1',
    broker: { url },
    dataDir,
    trust: [trustedInstaller],
    log: silentLogger,
    createRunner: (set, io) => createEngineRunner(set, io, 'gw1'),
  });
  cleanups.push(() => gw.stop());
  await gw.load(await loadProjectFlowSet(projectDir, silentLogger));
  return gw;
};

const setter = (name: string) =>
  flow(
    'setter',
    [
      ['t', 'trigger.mqtt', { topic: 'test/mode' }],
      ['set', 'logic.set-variable', { name, value: 'payload.mode', scope: 'gateway' }],
    ],
    [['t', 'set']],
  );
const reader = flow(
  'reader',
  [
    ['t', 'trigger.mqtt', { topic: 'test/ask' }],
    [
      'pub',
      'action.mqtt-publish',
      { topic: 'test/answer', payload: '{"mode": has(global.mode) ? global.mode : "unset", "n": payload.n}' },
    ],
  ],
  [['t', 'pub']],
);

describe('gateway-wide variables on a gateway', () => {
  it('one flow sets global.mode from MQTT, another reads it; kept across a restart, dropped when no flow sets it', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const probe: MqttClient = await connectClient(m.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    let n = 0;
    const ask = async (): Promise<unknown> => {
      const mine = ++n;
      const answer = nextJson<{ mode: unknown; n: number }>(probe, 'test/answer', (v) => v.n === mine);
      await new Promise((r) => setTimeout(r, 100));
      probe.publish('test/ask', JSON.stringify({ n: mine }));
      return (await answer).mode;
    };
    const dataDir = cleanups.tempDir('fg-gwdata-');
    const project = writeProject(cleanups.tempDir('fg-proj-'), [setter('mode'), reader]);

    const first = await gateway(m.url, dataDir, project);
    expect(await ask()).toBe('unset');
    probe.publish('test/mode', JSON.stringify({ mode: 'away' }));
    await waitFor(
      () => first.traces.query({ flowId: 'setter', outcome: 'finished' }).length > 0,
      5_000,
      'the setter run',
    );
    const [set] = first.traces.query({ flowId: 'setter', outcome: 'finished' }) as unknown as RunTrace[];
    expect(set!.steps.find((s) => s.nodeId === 'set')?.changedVariables).toEqual({
      'global.mode': { from: null, to: 'away' },
    });
    expect(await ask()).toBe('away');
    await first.stop();

    // Restart on the same data folder: the value is still there before any message sets it.
    const second = await gateway(m.url, dataDir, project);
    expect(await ask()).toBe('away');
    await second.stop();

    // A new version of the flows that sets another name: global.mode is gone.
    const updated = writeProject(cleanups.tempDir('fg-proj-'), [setter('other'), reader]);
    await gateway(m.url, dataDir, updated);
    expect(await ask()).toBe('unset');
  });
});
