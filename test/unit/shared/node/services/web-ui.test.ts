import { describe, expect, it } from 'vitest';
import type { DiscoveredDevice, Sighting } from '../../../../../shared/core/registry/types';
import { webUiOf } from '../../../../../shared/node/services/device-page';

const sighting = (source: Sighting['source'], raw: unknown): Sighting => ({
  source,
  key: `${source}-key`,
  identity: {},
  facts: {},
  addresses: [],
  online: true,
  raw,
  warnings: [],
  seenAt: 0,
});
const device = (addresses: string[], sightings: Sighting[]): DiscoveredDevice => ({
  id: 'd',
  name: 'd',
  kind: 'device',
  sources: [...new Set(sightings.map((s) => s.source))],
  identity: {},
  model: null,
  addresses,
  online: true,
  lastSeen: 0,
  site: 'Site',
  room: null,
  warnings: [],
  sightings,
});

describe("a device's web page", () => {
  it('is on the port its _http._tcp announcement names, else on 80', () => {
    const http = (port: unknown) => sighting('mdns', { type: '_http._tcp', host: 'wled-1.local', port });
    expect(webUiOf(device(['192.168.1.20'], [http(8080)]), {})).toBe('http://192.168.1.20:8080/');
    expect(webUiOf(device(['192.168.1.20'], [http(80)]), {})).toBe('http://192.168.1.20/');
    // Another service's port (ESPHome's native API) is not the web server's.
    const api = sighting('mdns', { type: '_esphomelib._tcp', port: 6053 });
    expect(webUiOf(device(['192.168.1.21'], [api]), {})).toBe('http://192.168.1.21/');
    // A port that is not one is ignored rather than put into the address.
    expect(webUiOf(device(['192.168.1.20'], [http('8080')]), {})).toBe('http://192.168.1.20/');
    expect(webUiOf(device(['192.168.1.20'], [http(70000)]), {})).toBe('http://192.168.1.20/');
  });

  it('prefers the host setting, takes IPv4 or .local names only, and is null without an address', () => {
    const mqttOnly = device(['fe80::1'], [sighting('mqtt', {})]);
    expect(webUiOf(mqttOnly, {})).toBeNull();
    expect(webUiOf(mqttOnly, { host: 'shelly-plus.local' })).toBe('http://shelly-plus.local/');
    expect(webUiOf(device(['10.0.0.5'], []), { host: '10.0.0.9' })).toBe('http://10.0.0.9/');
  });
});
