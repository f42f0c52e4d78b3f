/**
 * Run flow waiting for a returned message on a real gateway and a real broker: an MQTT request
 * runs a library flow at its named Manual trigger, the library's Return to caller hands back the
 * answer, and the caller publishes it; a request the library never returns fails the caller's run
 * with the reason.
 */
import type { MqttClient } from 'mqtt';
import type { RunTrace } from '../../../shared/core/engine';
import { describe, expect, it } from 'vitest';
import { createEngineRunner } from '../../../shared/node/gateway/engine-runner';
import { loadProjectFlowSet } from '../../../shared/node/gateway/project';
import { startGateway } from '../../../shared/node/gateway/runtime';
import { silentLogger } from '../../../shared/node/log';
import { startMosquitto } from '../../helpers/mosquitto';
import { useCleanups } from '../../helpers/cleanups';
import { flow, writeProject } from './fixtures';
import { connectClient, nextJson, trustedInstaller, waitFor } from './helpers';

const cleanups = useCleanups();

const api = flow(
  'api',
  [
    ['t', 'trigger.mqtt', { topic: 'test/ask' }],
    [
      'call',
      'action.run-flow',
      { flow: 'lib', trigger: 'double', wait: true, result: 'returned', timeoutSeconds: 5 },
    ],
    ['pub', 'action.mqtt-publish', { topic: 'test/answer', payload: 'payload' }],
  ],
  [
    ['t', 'call'],
    ['call', 'pub'],
  ],
);
const lib = flow(
  'lib',
  [
    ['other', 'trigger.manual'],
    ['double', 'trigger.manual'],
    ['ok', 'logic.if', { condition: 'payload.n >= 0' }],
    ['x', 'logic.transform', { payload: '{"n": payload.n, "doubled": payload.n * 2.0}' }],
    ['ret', 'action.return'],
  ],
  [
    ['double', 'ok'],
    ['ok', 'x', 'true'],
    ['x', 'ret'],
  ],
);

describe('Run flow waiting for a returned message on a gateway', () => {
  it('an MQTT request gets the library flow’s returned answer; a request it never returns fails', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const probe: MqttClient = await connectClient(m.url);
    cleanups.push(() => new Promise<void>((r) => probe.end(true, {}, () => r())));
    const gw = await startGateway({
      id: 'gw1',
      broker: { url: m.url },
      dataDir: cleanups.tempDir('fg-gwdata-'),
      trust: [trustedInstaller],
      log: silentLogger,
      createRunner: (set, io) => createEngineRunner(set, io, 'gw1'),
    });
    cleanups.push(() => gw.stop());
    await gw.load(
      await loadProjectFlowSet(writeProject(cleanups.tempDir('fg-proj-'), [api, lib]), silentLogger),
    );

    const answer = nextJson<{ n: number; doubled: number }>(probe, 'test/answer', (v) => v.n === 21);
    await new Promise((r) => setTimeout(r, 100));
    probe.publish('test/ask', JSON.stringify({ n: 21 }));
    expect(await answer).toEqual({ n: 21, doubled: 42 });
    const [called] = gw.traces.query({ flowId: 'lib' }) as unknown as RunTrace[];
    expect(called?.trigger.nodeId).toBe('double');

    // A negative number takes the library's false branch, which returns nothing.
    probe.publish('test/ask', JSON.stringify({ n: -1 }));
    await waitFor(
      () => gw.traces.query({ flowId: 'api', outcome: 'failed' }).length > 0,
      5_000,
      'the failed caller run',
    );
    const [failed] = gw.traces.query({ flowId: 'api', outcome: 'failed' }) as unknown as RunTrace[];
    expect(failed?.error).toMatchObject({
      nodeId: 'call',
      message: 'Flow "lib" ended (finished) without returning a message to its caller.',
    });
  });
});
