import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type Catalog } from '../../../shared/core/model/catalog';
import { canFillRole, devicesForRole } from '../../../shared/core/model/resolver';
import { validateSite } from '../../../shared/core/model/validate';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import { toSiteDevice } from '../../../shared/core/registry/to-site-device';
import {
  createDiscoverySession,
  loadMatchableModels,
  type DiscoverySession,
} from '../../../shared/node/discovery/session';
import { loadLibrary } from '../../../shared/node/library/load';
import { silentLogger } from '../../../shared/node/log';
import { DEMO_DEVICES, startDemoSite, type DemoSite } from '../../../shared/node/sim/site';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';
import { waitForValue } from '../../helpers/wait';

const waitFor = waitForValue;

describe('discovered demo devices become site devices the resolver can bind', () => {
  let broker: Mosquitto;
  let site: DemoSite;
  let session: DiscoverySession;
  let catalog: Catalog;
  const find = (pred: (d: DiscoveredDevice) => boolean) => () => session.registry.list().find(pred);

  beforeAll(async () => {
    const library = await loadLibrary();
    catalog = createCatalog(library.capabilities, library.models);
    broker = await startMosquitto();
    site = await startDemoSite({ brokerUrl: broker.url, log: silentLogger, reportMs: 300, telePeriod: 1 });
    session = createDiscoverySession({ log: silentLogger, models: await loadMatchableModels(silentLogger) });
    await session.start({ mqttUrls: [broker.url] });
  });
  afterAll(async () => {
    await session?.dispose();
    await site?.stop();
    await broker?.stop();
  });

  it('the ESPHome sensor: its entities at their own topics, the status topic from its configs; it fills a motion role', async () => {
    const found = await waitFor(
      find(
        (d) => d.identity.mac === DEMO_DEVICES.esphomeMac && d.entities?.length === 3 && d.online === true,
      ),
      'the sensor with its three entities',
    );
    expect(found.model?.id).toBe('esphome-device');
    expect(found.understanding?.summary).toBe('all 3 entities understood');
    const result = toSiteDevice(found, catalog);
    if (!result.ok) throw new Error(result.reason);
    const name = DEMO_DEVICES.esphomeName;
    expect(result.device).toMatchObject({
      id: 'demo-sensor',
      name: 'Demo sensor',
      model: 'esphome-device',
      identity: { mac: DEMO_DEVICES.esphomeMac },
      variables: { status_topic: `${name}/status`, host: name },
    });
    expect(Object.keys(result.device.entities ?? {}).sort()).toEqual([
      'binary_sensor_motion',
      'sensor_humidity',
      'sensor_temperature',
    ]);
    expect(result.device.entities?.binary_sensor_motion?.properties?.motion?.observe).toEqual([
      { kind: 'mqtt', topic: `${name}/binary_sensor/motion/state`, format: 'text' },
    ]);
    expect(result.conflicts).toEqual([]);
    const motion = canFillRole(result.device, { id: 'hall-motion', capability: 'motion@1' }, catalog);
    expect(motion).toEqual({
      ok: true,
      candidate: expect.objectContaining({
        implementation: 'binary_sensor_motion',
        reason: 'implements motion@1',
      }),
    });
    // It has no relay: no entity offers a switch, and the model's own switch waits for a setting.
    expect(canFillRole(result.device, { id: 'hall-light', capability: 'switch@1' }, catalog).ok).toBe(false);
    const report = validateSite(
      { id: 'demo', name: 'Demo', rooms: [], devices: [result.device], bindings: [], gateways: [] },
      { catalog },
    );
    expect(report.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('the Tasmota relay, the Shelly and the Homie light: the variables their wire bindings need', async () => {
    const relay = await waitFor(
      find((d) => d.identity.topic === DEMO_DEVICES.tasmotaTopic && d.online === true),
      'relay',
    );
    const shelly = await waitFor(
      find(
        (d) =>
          d.identity.mac === DEMO_DEVICES.shellyMac &&
          d.model?.id === 'shelly-plus-1pm' &&
          (d.entities ?? []).length > 0,
      ),
      'shelly with its components',
    );
    // The light describes its two properties in six retained attribute messages.
    const homie = await waitFor(
      find(
        (d) =>
          d.identity.topic === DEMO_DEVICES.homieId &&
          Object.keys(d.sightings[0]?.facts ?? {}).filter((k) => k.includes('/light/')).length === 6,
      ),
      'homie with its property attributes',
    );
    const taken = new Set<string>();
    const convert = (d: DiscoveredDevice) => {
      const r = toSiteDevice(d, catalog, taken);
      if (!r.ok) throw new Error(r.reason);
      taken.add(r.device.id);
      return r.device;
    };
    const devices = [convert(relay), convert(shelly), convert(homie)];
    // Each keeps the entities it announced (relay 1; switch:0 and its meters; the light node).
    expect(devices.map((d) => Object.keys(d.entities ?? {}))).toEqual([
      ['relay1'],
      ['switch_0_switch', 'switch_0_power_meter', 'switch_0_energy_meter'],
      ['light'],
    ]);
    expect(devices.map(({ entities: _entities, ...d }) => d)).toEqual([
      {
        id: 'demo-relay',
        name: 'Demo relay',
        model: 'tasmota-device',
        identity: {
          mac: DEMO_DEVICES.tasmotaMac,
          hostname: 'demo-relay-c4d5',
          topic: DEMO_DEVICES.tasmotaTopic,
        },
        variables: {
          topic: DEMO_DEVICES.tasmotaTopic,
          host: '127.0.0.1',
          lwt: `tele/${DEMO_DEVICES.tasmotaTopic}/LWT`,
        },
      },
      {
        id: DEMO_DEVICES.shellyId,
        name: DEMO_DEVICES.shellyId,
        model: 'shelly-plus-1pm',
        identity: { mac: DEMO_DEVICES.shellyMac, topic: DEMO_DEVICES.shellyId },
        variables: { prefix: DEMO_DEVICES.shellyId },
      },
      {
        id: 'demo-homie-light',
        name: 'Demo Homie light',
        model: 'homie-device',
        identity: { topic: DEMO_DEVICES.homieId },
        variables: {
          base: `homie/${DEMO_DEVICES.homieId}`,
          switch_path: 'light/power',
          dimmer_path: 'light/brightness',
        },
      },
    ]);
    // Switch roles: all three fit, the Homie light through its settable boolean property.
    const light = { id: 'hall-light', capability: 'switch@1' };
    expect(
      devicesForRole(light, devices, catalog).map((c) => [c.device, c.implementation, c.reason]),
    ).toEqual([
      ['demo-homie-light', 'switch', 'implements switch@1'],
      ['demo-relay', 'relay1', 'implements switch@1'],
      [DEMO_DEVICES.shellyId, 'switch_0_switch', 'implements switch@1'],
    ]);
    const plug = { id: 'kitchen-plug', capability: 'switch@1', alsoRequires: ['power-meter@1'] };
    expect(devicesForRole(plug, devices, catalog).map((c) => c.device)).toEqual([DEMO_DEVICES.shellyId]);
    expect(canFillRole(devices[0]!, plug, catalog)).toEqual({
      ok: false,
      reason: 'it does not also offer power-meter@1',
    });
    // It describes no °C property, so as a thermometer it still waits for that setting.
    expect(canFillRole(devices[2]!, { id: 'hall-temp', capability: 'temperature@1' }, catalog)).toMatchObject(
      {
        ok: false,
        needs: { implementation: 'temperature', settings: [{ name: 'temperature_path' }] },
      },
    );
  });
});
