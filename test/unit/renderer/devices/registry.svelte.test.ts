import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DiscoveredDevice } from '../../../../shared/core/registry/types';
import {
  deviceList,
  refreshRegistry,
  registry,
  serialPathOf,
  watchRegistry,
} from '../../../../renderer/src/devices/registry.svelte';
import { FieldgraphError } from '../../../../shared/core/errors';
import { fakeApi as fake } from '../../../helpers/fake-api';

vi.mock('../../../../renderer/src/api', async () => ({
  api: (await import('../../../helpers/fake-api')).fakeApi.api,
}));

const device = (id: string, extra: Partial<DiscoveredDevice> = {}): DiscoveredDevice => ({
  id,
  name: id,
  kind: 'relay',
  sources: ['mqtt'],
  identity: {},
  model: null,
  addresses: [],
  online: true,
  lastSeen: 1_700_000_000_000,
  site: 'Broker 127.0.0.1',
  room: null,
  warnings: [],
  sightings: [],
  ...extra,
});

const status = {
  mdnsInterfaces: ['192.168.1.20'],
  mqtt: ['mqtt://127.0.0.1:1883'],
  serial: true,
  problems: [],
};
let listed: DiscoveredDevice[];
let demo: { running: boolean; brokerUrl?: string; wifi?: { ssid: string; password: string } };

beforeEach(() => {
  fake.reset();
  listed = [device('relay'), device('sensor', { kind: 'sensor' })];
  demo = { running: false };
  fake.services.discovery = { list: () => ({ devices: listed, status }) };
  fake.services.demo = { status: () => demo };
});

describe('the window’s device list', () => {
  it('is read once however many views ask, then follows the registry’s batches', async () => {
    watchRegistry();
    watchRegistry();
    await vi.waitFor(() => expect(deviceList.devices.map((d) => d.id)).toEqual(['relay', 'sensor']));
    expect(fake.callsTo('discovery.list')).toHaveLength(1);
    expect(registry.status).toEqual(status);

    fake.emit('onDevice', {
      upserted: [device('lamp'), device('relay', { online: false })],
      removed: ['sensor'],
    });
    flushSync();
    expect(deviceList.devices.map((d) => [d.id, d.online])).toEqual([
      ['lamp', true],
      ['relay', false],
    ]);
  });

  it('reads the list and the demo site again when asked', async () => {
    listed = [device('thermostat')];
    demo = {
      running: true,
      brokerUrl: 'mqtt://127.0.0.1:18830',
      wifi: { ssid: 'demo-site', password: 'demo-pass' },
    };
    await refreshRegistry();
    expect(deviceList.devices.map((d) => d.id)).toEqual(['thermostat']);
    expect(registry.demo).toEqual({
      running: true,
      brokerUrl: 'mqtt://127.0.0.1:18830',
      wifi: { ssid: 'demo-site', password: 'demo-pass' },
    });
    demo = { running: false };
    await refreshRegistry();
    expect(registry.demo).toEqual({ running: false, brokerUrl: null, wifi: null });
  });

  it('says why the list could not be read and keeps the devices it had', async () => {
    listed = [device('kept')];
    await refreshRegistry();
    fake.services.discovery = {
      list: () => {
        throw new FieldgraphError('discovery.not_running', 'Discovery is not running; start it in Devices.');
      },
    };
    await refreshRegistry();
    expect(registry.error).toBe('Discovery is not running; start it in Devices.');
    expect(deviceList.devices.map((d) => d.id)).toEqual(['kept']);

    fake.services.discovery = { list: () => ({ devices: listed, status }) };
    await refreshRegistry();
    expect(registry.error).toBeNull();
  });
});

describe('serialPathOf', () => {
  it('is the port of the device’s USB sighting, and nothing for a device not on USB', () => {
    const sighting = (source: 'usb' | 'mdns', key: string) => ({ source, key });
    expect(serialPathOf({ sightings: [sighting('mdns', 'esp-1'), sighting('usb', '/dev/ttyUSB0')] })).toBe(
      '/dev/ttyUSB0',
    );
    expect(serialPathOf({ sightings: [sighting('mdns', 'esp-1')] })).toBeUndefined();
  });
});
