import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { createEngineRunner } from '../../../shared/node/gateway/engine-runner';
import { loadProjectFlowSet } from '../../../shared/node/gateway/project';
import { startGateway, type Gateway, type GatewayOptions } from '../../../shared/node/gateway/runtime';
import { silentLogger } from '../../../shared/node/log';
import { freePort, startMosquitto } from '../../helpers/mosquitto';
import { startVirtualShelly } from '../../../shared/node/sim/virtual-shelly';
import { flow, startVirtualRelay, writeProject } from './fixtures';
import { connectClient, nextJson, rpc, trustedInstaller, waitFor } from './helpers';
import { useCleanups } from '../../helpers/cleanups';

const cleanups = useCleanups();
const tempDir = (prefix: string) => cleanups.tempDir(prefix);
const client = async (url: string): Promise<MqttClient> => {
  const c = await connectClient(url);
  cleanups.push(() => new Promise<void>((r) => c.end(true, {}, () => r())));
  return c;
};
const gateway = async (
  broker: GatewayOptions['broker'],
  dataDir: string,
  projectDir: string,
): Promise<Gateway> => {
  const gw = await startGateway({
    id: 'gw1',
    broker,
    dataDir,
    trust: [trustedInstaller],
    log: silentLogger,
    createRunner: (set, io) => createEngineRunner(set, io, 'gw1'),
  });
  cleanups.push(() => gw.stop());
  await gw.load(await loadProjectFlowSet(projectDir, silentLogger));
  return gw;
};

const buttonFlow = flow(
  'button',
  [
    ['t', 'trigger.mqtt', { topic: 'test/button' }],
    ['set', 'action.set-property', { role: 'light', property: 'on', value: 'payload.on' }],
  ],
  [['t', 'set']],
  { mode: 'parallel', max: 10 },
  ['light'],
);
const echoFlow = flow(
  'echo',
  [
    ['t', 'trigger.property-change', { role: 'light', property: 'on' }],
    ['pub', 'action.mqtt-publish', { topic: 'test/light-state', payload: '{"on": payload}', qos: 1 }],
  ],
  [['t', 'pub']],
  { mode: 'queued', max: 10 },
  ['light'],
);
const motionFlow = flow(
  'motion',
  [
    ['t', 'trigger.mqtt', { topic: 'test/motion' }],
    ['on', 'action.set-property', { role: 'light', property: 'on', value: 'true' }],
    ['wait', 'logic.delay', { seconds: 1.5 }],
    ['off', 'action.set-property', { role: 'light', property: 'on', value: 'false' }],
  ],
  [
    ['t', 'on'],
    ['on', 'wait'],
    ['wait', 'off'],
  ],
  { mode: 'restart', max: 1 },
  ['light'],
);
const brokenFlow = flow(
  'broken',
  [
    ['t', 'trigger.mqtt', { topic: 'test/broken' }],
    ['set', 'action.set-property', { role: 'ghost', property: 'on', value: 'true' }],
  ],
  [['t', 'set']],
);

describe('gateway running project flows', () => {
  it('drives a Tasmota-like relay over mosquitto, reacts to its state, and traces each run', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const relay = await startVirtualRelay(m.url);
    cleanups.push(() => relay.stop());
    const project = writeProject(tempDir('fg-proj-'), [buttonFlow, echoFlow, brokenFlow]);
    const gw = await gateway({ url: m.url }, tempDir('fg-gwdata-'), project);
    expect(
      gw
        .status()
        .flows?.map((f) => f.id)
        .sort(),
    ).toEqual(['broken', 'button', 'echo']);

    const probe = await client(m.url);
    const echoed = nextJson<{ on: boolean }>(probe, 'test/light-state', (v) => v.on === true);
    await new Promise((r) => setTimeout(r, 100));
    probe.publish('test/button', JSON.stringify({ on: true }));
    expect(await echoed).toEqual({ on: true });
    expect(relay.commands.map((c) => c.payload)).toEqual(['ON']);
    expect(relay.state()).toBe(true);

    probe.publish('test/broken', '{}');
    await waitFor(() => gw.traces.query({ outcome: 'failed' }).length > 0, 5_000, 'the failed run');
    const failed = await rpc(probe, 'gw1', 'traces', { outcome: 'failed' });
    const [trace] = (failed.value as { traces: Array<Record<string, unknown>> }).traces;
    expect(trace).toMatchObject({ flowId: 'broken', outcome: 'failed', error: { nodeId: 'set' } });
    expect(String((trace.error as { message: string }).message)).toMatch(/ghost/);

    const finished = await rpc(probe, 'gw1', 'traces', { flowId: 'button', outcome: 'finished' });
    const [run] = (finished.value as { traces: Array<{ steps: Array<{ nodeId: string }> }> }).traces;
    expect(run.steps.map((s) => s.nodeId)).toEqual(['t', 'set']);
    const status = await rpc(probe, 'gw1', 'status');
    expect(status.value).toMatchObject({
      flowStats: { button: { started: 1 }, broken: { outcomes: { failed: 1 } } },
    });
  });

  it('resumes a delay after a restart in the middle of it', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const relay = await startVirtualRelay(m.url);
    cleanups.push(() => relay.stop());
    const project = writeProject(tempDir('fg-proj-'), [motionFlow]);
    const dataDir = tempDir('fg-gwdata-');
    const first = await gateway({ url: m.url }, dataDir, project);
    const probe = await client(m.url);
    const started = Date.now();
    probe.publish('test/motion', '{}');
    await waitFor(() => relay.state(), 5_000, 'the light to go on');
    await first.stop();
    const suspended = first.traces.query({ outcome: 'suspended' });
    expect(suspended).toHaveLength(1);

    await new Promise((r) => setTimeout(r, 300));
    expect(relay.state()).toBe(true);
    const second = await gateway({ url: m.url }, dataDir, project);
    await waitFor(() => !relay.state(), 5_000, 'the light to go off after the resumed delay');
    const offAfter = Date.now() - started;
    expect(offAfter).toBeGreaterThanOrEqual(1_400);
    expect(relay.commands.map((c) => c.payload)).toEqual(['ON', 'OFF']);
    await waitFor(
      () => second.traces.query({ flowId: 'motion', outcome: 'finished' }).length > 0,
      5_000,
      'the resumed trace',
    );
    const [resumed] = second.traces.query({ flowId: 'motion', outcome: 'finished' });
    expect(resumed.resumedFrom).toBe(suspended[0].runId);
  });

  it('runs the same flows on the embedded broker', async () => {
    const port = await freePort();
    const project = writeProject(tempDir('fg-proj-'), [buttonFlow, echoFlow]);
    const gw = await gateway({ embeddedPort: port, host: '127.0.0.1' }, tempDir('fg-gwdata-'), project);
    const relay = await startVirtualRelay(gw.brokerUrl);
    cleanups.push(() => relay.stop());
    const probe = await client(gw.brokerUrl);
    const echoed = nextJson<{ on: boolean }>(probe, 'test/light-state', (v) => v.on === true);
    await new Promise((r) => setTimeout(r, 100));
    probe.publish('test/button', JSON.stringify({ on: true }));
    expect(await echoed).toEqual({ on: true });
    expect(relay.commands.map((c) => c.payload)).toEqual(['ON']);
  });

  it('drives a Shelly over MQTT JSON-RPC: waits for its reply, and hears its NotifyStatus', async () => {
    const m = await startMosquitto();
    cleanups.push(() => m.stop());
    const shelly = await startVirtualShelly({ id: 'shellyplus1pm-test01', brokerUrl: m.url, port: 0 });
    cleanups.push(() => shelly.stop());
    await waitFor(() => shelly.mqttConnected, 10_000, 'the Shelly to reach the broker');
    const project = writeProject(tempDir('fg-proj-'), [
      flow(
        'pump',
        [
          ['t', 'trigger.mqtt', { topic: 'test/pump' }],
          ['toggle', 'action.device-action', { role: 'pump', action: 'toggle' }],
          ['done', 'action.mqtt-publish', { topic: 'test/pump-done', payload: 'payload' }],
        ],
        [
          ['t', 'toggle'],
          ['toggle', 'done'],
        ],
        { mode: 'queued', max: 10 },
        ['pump'],
      ),
      flow(
        'pump-state',
        [
          ['t', 'trigger.property-change', { role: 'pump', property: 'on' }],
          ['pub', 'action.mqtt-publish', { topic: 'test/pump-state', payload: '{"on": payload}' }],
        ],
        [['t', 'pub']],
        { mode: 'queued', max: 10 },
        ['pump'],
      ),
    ]);
    // bind a `pump` role to the Shelly in the same site
    const sitePath = join(project, 'sites', 'home.json');
    const site = JSON.parse(readFileSync(sitePath, 'utf8')) as {
      devices: unknown[];
      bindings: unknown[];
    };
    site.devices.push({
      id: 'pump1',
      name: 'Pump',
      model: 'shelly-plus-1pm',
      identity: {},
      variables: { prefix: 'shellyplus1pm-test01' },
    });
    site.bindings.push({ role: 'pump', device: 'pump1' });
    writeFileSync(sitePath, JSON.stringify(site));
    const projectFile = join(project, 'fieldgraph.json');
    const meta = JSON.parse(readFileSync(projectFile, 'utf8')) as {
      roles: unknown[];
    };
    meta.roles.push({ id: 'pump', capability: 'switch@1' });
    writeFileSync(projectFile, JSON.stringify(meta));

    await gateway({ url: m.url }, tempDir('fg-gwdata-'), project);
    const probe = await client(m.url);
    const done = nextJson<{ was_on: boolean }>(probe, 'test/pump-done');
    const state = nextJson<{ on: boolean }>(probe, 'test/pump-state', (v) => v.on === true);
    await new Promise((r) => setTimeout(r, 100));
    probe.publish('test/pump', '{}');
    expect(await done).toEqual({ was_on: false });
    expect(shelly.state.output).toBe(true);
    expect(await state).toEqual({ on: true });
  });
});
