import { describe, expect, it } from 'vitest';
import { createDeviceRegistry } from '../../../../../shared/core/registry/registry';
import { createMdnsCache, type MdnsQuestion } from '../../../../../shared/node/discovery/mdns-cache';
import { parseTxt } from '../../../../../shared/node/discovery/mdns-txt';

const setup = () => {
  let now = 1_000_000;
  const asked: MdnsQuestion[][] = [];
  const registry = createDeviceRegistry({ schedule: () => () => {} });
  const cache = createMdnsCache({ sink: registry, query: (q) => asked.push(q), now: () => now });
  return { cache, registry, asked, advance: (ms: number) => (now += ms) };
};

const ptr = (instance: string, ttl = 4500) => ({
  type: 'PTR',
  name: '_http._tcp.local',
  ttl,
  data: `${instance}._http._tcp.local`,
});

describe('mDNS cache', () => {
  it('asks for SRV/TXT it lacks, then for the host address, and keeps dotted instance names whole', () => {
    const { cache, registry, asked } = setup();
    cache.handleResponse([ptr('Kitchen.Lamp v2')], '10.0.0.9', '10.0.0.1');
    expect(asked.at(-1)).toEqual([
      { name: 'Kitchen.Lamp v2._http._tcp.local', type: 'SRV' },
      { name: 'Kitchen.Lamp v2._http._tcp.local', type: 'TXT' },
    ]);
    expect(registry.list()[0].addresses).toEqual(['10.0.0.9']);
    cache.handleResponse(
      [
        {
          type: 'SRV',
          name: 'Kitchen.Lamp v2._http._tcp.local',
          ttl: 120,
          data: { target: 'lamp.local', port: 80 },
        },
      ],
      '10.0.0.9',
      '10.0.0.1',
    );
    expect(asked.at(-1)).toEqual([{ name: 'lamp.local', type: 'A' }]);
    cache.handleResponse(
      [{ type: 'A', name: 'lamp.local', ttl: 120, data: '10.0.0.42' }],
      '10.0.0.9',
      '10.0.0.1',
    );
    const [device] = registry.list();
    expect(device.addresses).toEqual(['10.0.0.42']);
    expect(device.identity.hostname).toBe('lamp');
    expect((device.sightings[0].raw as { instance: string }).instance).toBe('Kitchen.Lamp v2');
  });

  it('honours a goodbye one second later, and a re-announcement brings it back', () => {
    const { cache, registry, advance } = setup();
    cache.handleResponse([ptr('a')], '10.0.0.9', 'if');
    cache.handleResponse([ptr('a', 0)], '10.0.0.9', 'if');
    cache.sweep();
    expect(registry.list()[0].online).toBe(true);
    advance(1001);
    cache.sweep();
    expect(registry.list()[0].online).toBe(false);
    cache.handleResponse([ptr('a')], '10.0.0.9', 'if');
    expect(registry.list()[0].online).toBe(true);
  });

  it('marks an instance offline after two spaced re-queries go unanswered', () => {
    const { cache, registry, advance } = setup();
    cache.handleResponse([ptr('quiet')], '10.0.0.9', 'if');
    advance(1);
    cache.requery();
    advance(10_000);
    cache.requery();
    advance(10_000);
    cache.sweep();
    expect(registry.list()[0].online).toBe(true);
    cache.requery();
    cache.sweep();
    expect(registry.list()[0].online).toBe(false);
  });

  it('learns new service types from the meta-query and asks for them', () => {
    const { cache, asked } = setup();
    cache.handleResponse(
      [{ type: 'PTR', name: '_services._dns-sd._udp.local', ttl: 4500, data: '_printer._tcp.local' }],
      'x',
      'if',
    );
    expect(asked.at(-1)).toEqual([{ name: '_printer._tcp.local', type: 'PTR' }]);
    expect(cache.types()).toContain('_printer._tcp.local');
  });

  it('ignores records with the wrong shape instead of throwing', () => {
    const { cache, registry } = setup();
    cache.handleResponse(
      [
        { type: 'PTR', name: '_http._tcp.local', ttl: 10, data: 42 },
        { type: 'SRV', name: 'nobody._http._tcp.local', ttl: 10, data: 'nonsense' },
        { type: 'A', name: 'x.local', ttl: 10, data: { not: 'an ip' } },
        null as never,
      ],
      'x',
      'if',
    );
    expect(registry.list()).toEqual([]);
  });
});

describe('TXT parsing', () => {
  it('follows RFC 6763: first = splits, keys case-insensitive, first duplicate wins, bare keys are true', () => {
    const txt = parseTxt([
      Buffer.from('URL=http://x/?a=b'),
      Buffer.from('url=later'),
      Buffer.from('flag'),
      Buffer.from('empty='),
      Buffer.alloc(0),
    ]);
    expect(txt.entries).toEqual({ url: 'http://x/?a=b', flag: true, empty: '' });
    expect(txt.warnings).toEqual(['TXT key "url" appears twice; the first value is used']);
  });
  it('keeps a 255-byte string and escapes binary in the raw view', () => {
    const long = Buffer.concat([Buffer.from('k='), Buffer.alloc(253, 0x62)]);
    const txt = parseTxt([long, Buffer.from([0x6b, 0x32, 0x3d, 0x00, 0xff])]);
    expect(txt.entries.k).toHaveLength(253);
    expect(txt.strings[1]).toBe('k2=\\x00\\xff');
    expect(txt.warnings).toEqual([
      'TXT value of "k2" is not valid UTF-8',
      'TXT value of "k2" contains NUL bytes',
    ]);
  });
  it('treats anything that is not a list of byte strings as an empty record', () => {
    expect(parseTxt('nope').entries).toEqual({});
    expect(parseTxt([1, 2, 'x']).entries).toEqual({});
  });
});
