import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog } from '../../../shared/core/model/catalog';
import { siteReadiness } from '../../../shared/core/model/readiness';
import type { Site } from '../../../shared/core/model/schemas';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import { toSiteDevice } from '../../../shared/core/registry/to-site-device';
import { loadLibrary } from '../../../shared/node/library/load';
import { silentLogger } from '../../../shared/node/log';
import { DEMO_DEVICES, startDemoSite } from '../../../shared/node/sim/site';
import { startMosquitto } from '../../helpers/mosquitto';
import { discoverOn, runProject, saveProject } from '../../helpers/site-path';
import { waitForValue } from '../../helpers/wait';

const waitFor = <T>(probe: () => T | undefined, what: string, ms = 15_000) => waitForValue(probe, what, ms);

/**
 * The path the Flows view takes, end to end with real parts: the demo's virtual devices are
 * discovered over mosquitto, turned into site devices, bound in `sites/<id>.json` through the
 * project API exactly as the canvas writes it, saved; a gateway loading that project then turns
 * the relay on when the ESPHome-like sensor reports motion.
 */
describe('what the canvas binds in a site reaches a gateway', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const work = mkdtempSync(join(tmpdir(), 'fg-site-gw-'));
  let found: { sensor: DiscoveredDevice; relay: DiscoveredDevice };
  let brokerUrl: string;

  beforeAll(async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    brokerUrl = broker.url;
    const site = await startDemoSite({ brokerUrl, log: silentLogger, reportMs: 300, telePeriod: 1 });
    cleanups.push(() => site.stop());
    const session = await discoverOn(brokerUrl, (fn) => cleanups.push(fn));
    const list = () => session.registry.list();
    found = {
      sensor: await waitFor(
        () =>
          list().find(
            (d) =>
              d.identity.mac === DEMO_DEVICES.esphomeMac && d.entities?.length === 3 && d.online === true,
          ),
        'the sensor',
      ),
      relay: await waitFor(
        () => list().find((d) => d.identity.topic === DEMO_DEVICES.tasmotaTopic && d.online === true),
        'the relay',
      ),
    };
  });
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
    rmSync(work, { recursive: true, force: true });
  });

  it('binds, saves, and the gateway switches the relay on motion', async () => {
    const library = await loadLibrary();
    const catalog = createCatalog(library.capabilities, library.models);
    const sensor = toSiteDevice(found.sensor, catalog);
    const relay = toSiteDevice(found.relay, catalog, new Set(sensor.ok ? [sensor.device.id] : []));
    if (!sensor.ok || !relay.ok) throw new Error('the demo devices did not convert');
    const roles = [
      { id: 'hall-motion', title: 'Hall motion', capability: 'motion@1' },
      { id: 'hall-light', title: 'Hall light', capability: 'switch@1' },
    ];
    const site: Site = {
      schemaVersion: 1,
      id: 'site-1',
      name: 'Site 1',
      rooms: [],
      devices: [sensor.device, relay.device],
      bindings: [
        { role: 'hall-motion', device: sensor.device.id },
        { role: 'hall-light', device: relay.device.id },
      ],
      gateways: [],
    };
    expect(siteReadiness(roles, site.bindings, site.devices, catalog)).toMatchObject({ ready: true });

    const path = join(work, 'hallway');
    const flow = {
      id: 'motion-light',
      name: 'Motion light',
      nodes: [
        {
          id: 'motion',
          kind: 'trigger.property-change',
          config: { role: 'hall-motion', property: 'motion', condition: 'payload == true' },
          position: { x: 0, y: 0 },
        },
        {
          id: 'light',
          kind: 'action.set-property',
          config: { role: 'hall-light', property: 'on', value: 'true' },
          position: { x: 300, y: 0 },
        },
      ],
      edges: [{ id: 'e', from: { node: 'motion', port: 'out' }, to: { node: 'light', port: 'in' } }],
      groups: [],
    };
    const saved = await saveProject(join(work, 'data'), path, { name: 'Hallway', roles, flow, site });
    expect(saved.problems).toEqual([]);
    expect(JSON.parse(readFileSync(join(path, 'sites', 'site-1.json'), 'utf8'))).toMatchObject({
      bindings: site.bindings,
      // The sensor is saved with its entities: the gateway runs its motion entity at its own topic.
      devices: [
        {
          id: 'demo-sensor',
          variables: { status_topic: 'demo-sensor/status' },
          entities: { binary_sensor_motion: { capability: 'motion@1' } },
        },
        { id: 'demo-relay' },
      ],
    });

    const watcher = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    cleanups.push(() => watcher.endAsync(true));
    const power: string[] = [];
    watcher.on(
      'message',
      (topic, payload) => topic === 'stat/demo_relay/POWER' && power.push(payload.toString()),
    );
    await watcher.subscribeAsync('stat/demo_relay/POWER');
    await watcher.publishAsync('cmnd/demo_relay/POWER', 'OFF');
    await waitFor(() => (power.at(-1) === 'OFF' ? true : undefined), 'the relay off');

    await runProject('gw-hall', brokerUrl, join(work, 'gateway'), path, (fn) => cleanups.push(fn));
    // The sensor reports motion at random (every 0.3 s with a 15 % chance); the flow turns the relay on.
    await waitFor(
      () => (power.at(-1) === 'ON' ? true : undefined),
      'the relay switched on by motion',
      30_000,
    );
  });
});
