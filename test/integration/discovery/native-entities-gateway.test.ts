import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog } from '../../../shared/core/model/catalog';
import type { Site } from '../../../shared/core/model/schemas';
import { topicMatches } from '../../../shared/core/topics/match';
import { toSiteDevice } from '../../../shared/core/registry/to-site-device';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import { createDiscoverySession, loadMatchableModels } from '../../../shared/node/discovery/session';
import { createDeviceHub } from '../../../shared/node/gateway/devices';
import type { FlowIo } from '../../../shared/node/gateway/runner';
import { loadLibrary } from '../../../shared/node/library/load';
import { silentLogger } from '../../../shared/node/log';
import { startVirtualHomie } from '../../../shared/node/sim/virtual-homie';
import { startVirtualShelly } from '../../../shared/node/sim/virtual-shelly';
import { startVirtualTasmotaRelay } from '../../../shared/node/sim/virtual-tasmota';
import { startMosquitto } from '../../helpers/mosquitto';
import { waitForValue } from '../../helpers/wait';

const waitFor = <T>(probe: () => T | undefined, what: string, ms = 15_000) => waitForValue(probe, what, ms);

/**
 * Devices found entity by entity are run entity by entity: a two-relay Tasmota with a custom
 * FullTopic, a two-switch Shelly Gen2 and a Homie light are discovered over mosquitto, added to a
 * site with their entities, and the gateway's device hub switches the second channel of each —
 * `<topic>/cmnd/POWER2` for the Tasmota, `Switch.Set` with id 1 for the Shelly — and reads their
 * state back from the devices' own reports.
 */
describe('entities discovered from Tasmota, Shelly and Homie are executed by the gateway', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let brokerUrl: string;
  let tasmota: Awaited<ReturnType<typeof startVirtualTasmotaRelay>>;
  let shelly: Awaited<ReturnType<typeof startVirtualShelly>>;
  let homie: Awaited<ReturnType<typeof startVirtualHomie>>;
  const found: Record<'tasmota' | 'shelly' | 'homie', DiscoveredDevice | undefined> = {
    tasmota: undefined,
    shelly: undefined,
    homie: undefined,
  };

  beforeAll(async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    brokerUrl = broker.url;
    tasmota = await startVirtualTasmotaRelay({
      brokerUrl,
      topic: 'stairs',
      mac: 'a4cf12c6c75f',
      deviceName: 'Stairs',
      relays: 2,
      fullTopic: '%topic%/%prefix%/',
    });
    cleanups.push(() => tasmota.stop());
    shelly = await startVirtualShelly({
      id: 'shellyplus2pm-c049ef8b3a10',
      mac: 'c049ef8b3a10',
      brokerUrl,
      kind: { app: 'Plus2PM', model: 'SNSW-102P16EU', switches: 2 },
    });
    cleanups.push(() => shelly.stop());
    homie = await startVirtualHomie({ brokerUrl, id: 'porch-light' });
    cleanups.push(() => homie.stop());
    const session = createDiscoverySession({
      log: silentLogger,
      models: await loadMatchableModels(silentLogger),
    });
    cleanups.push(() => session.dispose());
    await session.start({ mqttUrls: [brokerUrl] });
    const withEntities = (topic: string, n: number) => () =>
      session.registry
        .list()
        .find(
          (d) =>
            d.identity.topic === topic &&
            d.online === true &&
            (d.entities ?? []).filter((e) => e.status === 'bound').length >= n,
        );
    found.tasmota = await waitFor(withEntities('stairs', 2), 'the Tasmota with two relays');
    found.shelly = await waitFor(
      withEntities('shellyplus2pm-c049ef8b3a10', 2),
      'the Shelly with its components',
    );
    found.homie = await waitFor(withEntities('porch-light', 1), 'the Homie light');
  });
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  it('lists every channel at the topics the devices really use', () => {
    const channels = (d: DiscoveredDevice | undefined) =>
      (d?.entities ?? [])
        .filter((e) => e.status === 'bound')
        .map((e) => [e.capability, e.channel, e.command_topic]);
    expect(channels(found.tasmota)).toEqual([
      ['switch@1', 'relay1', 'stairs/cmnd/POWER1'],
      ['switch@1', 'relay2', 'stairs/cmnd/POWER2'],
    ]);
    expect(found.tasmota?.model).toMatchObject({ id: 'tasmota-device', confidence: 0.9 });
    expect(channels(found.shelly)).toEqual([
      ['switch@1', 'switch:0', 'shellyplus2pm-c049ef8b3a10/rpc'],
      ['power-meter@1', 'switch:0', undefined],
      ['energy-meter@1', 'switch:0', undefined],
      ['switch@1', 'switch:1', 'shellyplus2pm-c049ef8b3a10/rpc'],
      ['power-meter@1', 'switch:1', undefined],
      ['energy-meter@1', 'switch:1', undefined],
    ]);
    expect(found.shelly?.model?.id).toBe('shelly-gen2');
    expect(channels(found.homie)).toEqual([['dimmer@1', 'light', 'homie/porch-light/light/power/set']]);
  });

  it('switches the second channel of the Tasmota and the Shelly, and the Homie light, through the device hub', async () => {
    const library = await loadLibrary();
    const catalog = createCatalog(library.capabilities, library.models);
    const devices = (['tasmota', 'shelly', 'homie'] as const).map((k, i) => {
      const r = toSiteDevice(found[k]!, catalog, new Set([`taken-${i}`]));
      if (!r.ok) throw new Error(r.reason);
      return r.device;
    });
    const [t, s, h] = devices;
    const relay2 = found.tasmota!.entities!.find((e) => e.channel === 'relay2')!.id;
    const switch1 = found.shelly!.entities!.find(
      (e) => e.channel === 'switch:1' && e.capability === 'switch@1',
    )!.id;
    const light = found.homie!.entities!.find((e) => e.capability === 'dimmer@1')!.id;
    const site: Site = {
      schemaVersion: 1,
      id: 'site-1',
      name: 'Site 1',
      rooms: [],
      devices,
      bindings: [
        { role: 'stairs-2', device: t!.id, implementation: relay2 },
        { role: 'hall-2', device: s!.id, implementation: switch1 },
        { role: 'porch', device: h!.id, implementation: light },
      ],
      gateways: [],
    };
    const roles = [
      { id: 'stairs-2', title: 'Stairs 2', capability: 'switch@1' },
      { id: 'hall-2', title: 'Hall 2', capability: 'switch@1' },
      { id: 'porch', title: 'Porch', capability: 'dimmer@1' },
    ];
    const client = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    cleanups.push(() => client.endAsync(true));
    const handlers: Array<{ filter: string; handler: (topic: string, payload: Buffer) => void }> = [];
    client.on('message', (topic, payload) => {
      for (const h of handlers) if (topicMatches(h.filter, topic)) h.handler(topic, payload);
    });
    const io = {
      publish: (topic, payload, options) => void client.publish(topic, payload, options),
      subscribe: (filter, handler) => {
        const entry = { filter, handler: handler as (topic: string, payload: Buffer) => void };
        handlers.push(entry);
        void client.subscribeAsync(filter);
        return () => handlers.splice(handlers.indexOf(entry), 1);
      },
      log: silentLogger,
      trace: () => {},
    } satisfies Omit<FlowIo, 'state'> as unknown as FlowIo; // the device hub keeps no state
    const hub = createDeviceHub(
      { roles, models: library.models, sites: [site] },
      'gw-test',
      io,
      silentLogger,
    );
    const seen: Record<string, unknown> = {};
    const stop = hub.observe({
      propertyChanged: (role, property, value) => (seen[`${role}.${property}`] = value),
      eventRaised: () => {},
    });
    cleanups.push(stop);
    await new Promise((r) => setTimeout(r, 300));

    await hub.writeProperty('stairs-2', 'on', true);
    await waitFor(() => (tasmota.powers[1] ? true : undefined), 'relay 2 of the Tasmota on');
    expect(tasmota.powers).toEqual([false, true]);
    await waitFor(
      () => (seen['stairs-2.on'] === true ? true : undefined),
      'the Tasmota reporting relay 2 on',
    );

    await hub.writeProperty('hall-2', 'on', true);
    expect(shelly.state.outputs).toEqual([false, true]);
    await waitFor(() => (seen['hall-2.on'] === true ? true : undefined), 'the Shelly notifying switch:1 on');

    await hub.writeProperty('porch', 'brightness', 35);
    await hub.writeProperty('porch', 'on', true);
    await waitFor(
      () => (homie.power && homie.brightness === 35 ? true : undefined),
      'the Homie light on at 35 %',
    );
    await waitFor(() => (seen['porch.brightness'] === 35 ? true : undefined), 'the Homie light echoing 35');
  });
});
