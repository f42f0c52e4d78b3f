import { mkdtemp, rm } from 'node:fs/promises';
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
