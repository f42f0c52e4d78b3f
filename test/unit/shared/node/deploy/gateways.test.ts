import { describe, expect, it } from 'vitest';
import type { DiscoveredDevice, Sighting } from '../../../../../shared/core/registry/types';
import { mdnsGatewaysOf, mergeGateways, type MdnsGateway } from '../../../../../shared/node/deploy/gateways';
import type { GatewayStatus } from '../../../../../shared/node/gateway/topics';

const sighting = (over: Partial<Sighting> & Pick<Sighting, 'source' | 'key'>): Sighting => ({
  identity: {},
  facts: {},
  addresses: [],
  online: true,
  raw: {},
  warnings: [],
  seenAt: 1,
  ...over,
});

const device = (id: string, sightings: Sighting[], kind = 'gateway'): DiscoveredDevice => ({
  id,
  name: id,
  kind,
  sources: [...new Set(sightings.map((s) => s.source))],
  identity: {},
  model: null,
  addresses: sightings.flatMap((s) => s.addresses),
  online: true,
  lastSeen: 1,
  site: 'Network',
  room: null,
  warnings: [],
  sightings,
});

const announced = (id: string, address: string, port: number, online: boolean | null = true) =>
  sighting({
    source: 'mdns',
    key: `fieldgraph-${id}._fieldgraph._tcp.local`,
    identity: { topic: `gw:${id}` },
    kind: 'gateway',
    facts: {
      'mdns.type': '_fieldgraph._tcp',
      'txt.id': id,
      'txt.version': '0.1.0',
      'txt.fp': 'aaaa:bbbb',
    },
    addresses: [address],
    online,
    raw: { type: '_fieldgraph._tcp', port, txt: { id, version: '0.1.0', fp: 'aaaa:bbbb' } },
  });

const status = (id: string, over: Partial<GatewayStatus> = {}): GatewayStatus => ({
  schemaVersion: 1,
  id,
  state: 'online',
  version: '0.1.1',
  fingerprint: 'cccc:dddd',
  broker: 'site',
  ...over,
});

describe('gateways from the discovery registry', () => {
  it('reads id, address, SRV port, version and fingerprint from _fieldgraph._tcp sightings only', () => {
    const mqttOnly = sighting({
      source: 'mqtt',
      key: 'gateway:gw-m',
      facts: { 'mqtt.protocol': 'fieldgraph' },
    });
    const shelly = sighting({
      source: 'mdns',
      key: 'shelly._shelly._tcp.local',
      facts: { 'mdns.type': '_shelly._tcp', 'txt.id': 'shelly' },
      addresses: ['10.0.0.9'],
    });
    expect(
      mdnsGatewaysOf([
        device('d1', [announced('gw-a', '169.254.1.1', 8080), mqttOnly]),
        device('d2', [shelly], 'device'),
        device('d3', [mqttOnly]),
      ]),
    ).toEqual([
      {
        id: 'gw-a',
        online: true,
        addresses: ['169.254.1.1'],
        port: 8080,
        version: '0.1.0',
        fingerprint: 'aaaa:bbbb',
      },
    ]);
  });

  it('keeps both addresses of a gateway heard on two interfaces, and skips one without an id', () => {
    const noId = sighting({
      source: 'mdns',
      key: 'x._fieldgraph._tcp.local',
      facts: { 'mdns.type': '_fieldgraph._tcp' },
    });
    const [gw] = mdnsGatewaysOf([
      device('d1', [announced('gw-a', '10.0.0.2', 8080), announced('gw-a', '169.254.1.1', 8080)]),
      device('d2', [noId]),
    ]);
    expect([...(gw?.addresses ?? [])].sort()).toEqual(['10.0.0.2', '169.254.1.1']);
  });
});

describe('merging mDNS, MQTT status and typed HTTP addresses', () => {
  const mdns = (id: string, over: Partial<MdnsGateway> = {}): MdnsGateway => ({
    id,
    online: true,
    addresses: ['169.254.1.1'],
    port: 8080,
    version: '0.1.0',
    fingerprint: 'aaaa:bbbb',
    ...over,
  });

  it('merges by id, sorted, saying how each was found; the status wins over the TXT record', () => {
    const merged = mergeGateways({
      mdns: [mdns('gw-b'), mdns('gw-a', { addresses: ['169.254.1.2'] })],
      mqtt: [status('gw-a', { http: 8080 }), status('gw-c', { state: 'offline' })],
    });
    expect(merged).toEqual([
      {
        id: 'gw-a',
        state: 'online',
        foundBy: ['mdns', 'mqtt'],
        version: '0.1.1',
        fingerprint: 'cccc:dddd',
        addresses: ['169.254.1.2'],
        httpUrl: 'http://169.254.1.2:8080',
        httpConfirmed: true,
      },
      {
        id: 'gw-b',
        state: 'online',
        foundBy: ['mdns'],
        version: '0.1.0',
        fingerprint: 'aaaa:bbbb',
        addresses: ['169.254.1.1'],
        httpUrl: 'http://169.254.1.1:8080',
        // mDNS alone: the SRV port may be the embedded broker's; the service asks /v1/status.
        httpConfirmed: false,
      },
      {
        id: 'gw-c',
        state: 'offline',
        foundBy: ['mqtt'],
        version: '0.1.1',
        fingerprint: 'cccc:dddd',
        addresses: [],
        httpConfirmed: false,
      },
    ]);
  });

  it('offers no HTTP endpoint when the retained status says the gateway has none', () => {
    const [gw] = mergeGateways({ mdns: [mdns('gw-a', { port: 1883 })], mqtt: [status('gw-a')] });
    expect(gw).toMatchObject({ foundBy: ['mdns', 'mqtt'], httpConfirmed: false });
    expect(gw?.httpUrl).toBeUndefined();
  });

  it("uses the broker's host for a gateway that runs the broker itself and was not heard over mDNS", () => {
    const [gw] = mergeGateways({
      mqtt: [status('gw-a', { broker: 'embedded', http: 8081 })],
      brokerUrl: 'mqtt://192.0.2.7:1883',
    });
    expect(gw).toMatchObject({ httpUrl: 'http://192.0.2.7:8081', httpConfirmed: true });
    const [site] = mergeGateways({
      mqtt: [status('gw-a', { http: 8081 })],
      brokerUrl: 'mqtt://192.0.2.7:1883',
    });
    expect(site?.httpUrl).toBeUndefined();
  });

  it('offers an endpoint only where it listens: loopback to this machine alone, a named address as named', () => {
    const merged = mergeGateways({
      mdns: [mdns('gw-a'), mdns('gw-b'), mdns('gw-c'), mdns('gw-d', { addresses: ['fe80::1'] })],
      mqtt: [
        status('gw-a', { http: 8081, httpHost: '127.0.0.1' }),
        status('gw-b', { http: 8081, httpHost: '0.0.0.0' }),
        status('gw-c', { http: 8081, httpHost: '10.1.2.3' }),
        status('gw-d', { http: 8081, httpHost: '::' }),
      ],
    });
    expect(merged.map((g) => [g.id, g.httpUrl, g.httpConfirmed])).toEqual([
      ['gw-a', undefined, false],
      ['gw-b', 'http://169.254.1.1:8081', true],
      ['gw-c', 'http://10.1.2.3:8081', true],
      ['gw-d', 'http://[fe80::1]:8081', true],
    ]);
    // The app on the gateway's own machine, through its embedded broker on loopback, reaches it.
    const [own] = mergeGateways({
      mqtt: [status('gw-a', { broker: 'embedded', http: 8081, httpHost: '127.0.0.1' })],
      brokerUrl: 'mqtt://127.0.0.1:1883',
    });
    expect(own).toMatchObject({ httpUrl: 'http://127.0.0.1:8081', httpConfirmed: true });
  });

  it('takes a typed address as the endpoint and calls a gateway that answered there online', () => {
    const [gw] = mergeGateways({
      mdns: [mdns('gw-a', { online: false })],
      mqtt: [status('gw-a', { state: 'offline' })],
      http: [{ url: 'http://127.0.0.1:9000', status: status('gw-a', { version: '0.2.0' }) }],
    });
    expect(gw).toMatchObject({
      state: 'online',
      foundBy: ['mdns', 'mqtt', 'http'],
      version: '0.2.0',
      addresses: ['169.254.1.1', '127.0.0.1'],
      httpUrl: 'http://127.0.0.1:9000',
      httpConfirmed: true,
    });
  });

  it('says offline or unknown from mDNS alone, and brackets IPv6 hosts', () => {
    const merged = mergeGateways({
      mdns: [mdns('gw-a', { online: false }), mdns('gw-b', { online: null, addresses: ['fe80::1'] })],
    });
    expect(merged.map((g) => [g.state, g.httpUrl])).toEqual([
      ['offline', 'http://169.254.1.1:8080'],
      ['unknown', 'http://[fe80::1]:8080'],
    ]);
  });
});
