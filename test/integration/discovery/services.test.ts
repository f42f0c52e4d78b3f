import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../shared/core/api/dispatch';
import { createEventHub } from '../../../shared/core/api/events';
import type { RegistryChange } from '../../../shared/core/registry/types';
import { silentLogger } from '../../../shared/node/log';
import { createServices } from '../../../shared/node/services';

describe('discovery and demo services through the dispatcher', () => {
  let dataDir: string;
  const batches: RegistryChange[] = [];
  const hub = createEventHub();
  hub.subscribe((event, payload) => event === 'onDevice' && batches.push(payload as RegistryChange));
  let dispatch: ReturnType<typeof createDispatcher>;
  const call = (method: string, args: unknown = {}) => dispatch(method, args, { transport: 'direct' });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fg-disc-svc-'));
    dispatch = createDispatcher(createServices({ runtime: 'web', dataDir, hub, log: silentLogger }), {
      checkResults: true,
    });
  });
  afterAll(async () => {
    await call('demo.stop');
    await call('discovery.stop');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts the demo site, lists its devices in batches, refuses a second start, stops it', async () => {
    const started = await call('demo.start');
    expect(started.ok).toBe(true);
    expect((await call('demo.start')).ok).toBe(false);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const listed = await call('discovery.list');
      if (!listed.ok) throw new Error(JSON.stringify(listed.error));
      const names = (listed.value as { devices: { model: { id: string } | null }[] }).devices.map(
        (d) => d.model?.id,
      );
      if (
        ['tasmota-device', 'shelly-plus-1pm', 'esphome-device', 'homie-device', 'fieldgraph-gateway'].every(
          (m) => names.includes(m),
        )
      )
        break;
      if (Date.now() > deadline) throw new Error(`demo devices not all listed: ${names.join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const placed = await call('discovery.list');
    const relay = (
      placed as { value: { devices: { identity: { topic?: string }; site: string; room: string | null }[] } }
    ).value.devices.find((d) => d.identity.topic === 'demo_relay');
    // The sample project's site file names the site and room of each demo device.
    expect(relay).toMatchObject({ site: 'Demo site', room: 'Hall' });
    // Changes reach the UI as batched onDevice events, not one event per device.
    while (batches.length === 0 && Date.now() < deadline + 2000) await new Promise((r) => setTimeout(r, 50));
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.length).toBeLessThan(40);
    expect(await call('demo.stop')).toEqual({ ok: true, value: { stopped: true } });
    const after = await call('discovery.list');
    expect(
      (after as { value: { devices: { sources: string[] }[] } }).value.devices.filter((d) =>
        d.sources.includes('mqtt'),
      ),
    ).toEqual([]);
  });

  it('rejects an mDNS interface that is not ours and an unreachable broker, with codes', async () => {
    const bad = await call('discovery.start', { mdnsInterfaces: ['203.0.113.9'] });
    expect(bad).toMatchObject({ ok: false, error: { code: 'discovery.bad_interface' } });
    const unreachable = await call('discovery.start', { mqttUrls: ['mqtt://127.0.0.1:1'] });
    expect(unreachable).toMatchObject({ ok: false, error: { code: 'discovery.broker_unreachable' } });
  });
});

describe('services and the program that runs them', () => {
  const refused = (url: string) =>
    new Promise<boolean>((resolve) => {
      const { hostname, port } = new URL(url);
      const socket = connect(Number(port), hostname);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });

  it('watch no process signals; dispose() stops the demo site and the inspector connection', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fg-disc-dispose-'));
    const signals = () => ['SIGINT', 'SIGTERM', 'exit'].map((name) => process.listenerCount(name));
    const before = signals();
    const services = createServices({ runtime: 'web', dataDir, hub: createEventHub(), log: silentLogger });
    const dispatch = createDispatcher(services, { checkResults: true });
    const call = (method: string, args: unknown = {}) => dispatch(method, args, { transport: 'direct' });
    try {
      expect((await call('demo.start')).ok).toBe(true);
      const inspecting = await call('inspector.start');
      expect(inspecting.ok).toBe(true);
      const brokerUrl = (inspecting as { value: { brokerUrl: string } }).value.brokerUrl;
      expect(brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+/);
      expect(await refused(brokerUrl)).toBe(false);
      expect(signals()).toEqual(before);

      await services.dispose();
      expect(await refused(brokerUrl)).toBe(true);
      expect(await call('inspector.topics')).toMatchObject({
        ok: true,
        value: { status: { brokerUrl: null, connected: false }, topics: [] },
      });
      // A second dispose (a second Ctrl+C) is harmless.
      await services.dispose();
    } finally {
      await services.dispose();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
