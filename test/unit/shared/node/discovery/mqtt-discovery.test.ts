import { describe, expect, it } from 'vitest';
import { builtinModels } from '../../../../../shared/core/registry/builtin-models';
import { createDeviceRegistry } from '../../../../../shared/core/registry/registry';
import { createMqttDiscovery } from '../../../../../shared/node/discovery/mqtt-discovery';

const setup = () => {
  const registry = createDeviceRegistry({ schedule: () => () => {}, models: builtinModels });
  const published: [string, string][] = [];
  const subscribed: string[] = [];
  const problems: string[] = [];
  const discovery = createMqttDiscovery(
    {
      sink: registry,
      now: () => 5000,
      publish: (t, p) => published.push([t, p]),
      subscribe: (t) => subscribed.push(t),
      problem: (where, reason) => problems.push(`${where}: ${reason}`),
    },
    'fg-test',
  );
  const send = (topic: string, payload: string | Uint8Array) =>
    discovery.handle(topic, typeof payload === 'string' ? new TextEncoder().encode(payload) : payload);
  return { registry, published, subscribed, problems, send, discovery };
};

describe('MQTT discovery interpreters', () => {
  it('expands ~ in availability topics and follows an avty list with its own payloads', () => {
    const { registry, subscribed, send } = setup();
    send(
      'homeassistant/light/n1/config',
      JSON.stringify({
        '~': 'base/n1',
        cmd_t: '~/set',
        avty: [{ t: '~/avail', pl_avail: 'up', pl_not_avail: 'down' }],
        dev: { ids: 'n1', name: 'Lamp', sa: 'Porch' },
      }),
    );
    expect(subscribed).toEqual(['base/n1/avail']);
    expect(registry.list()[0]).toMatchObject({ name: 'Lamp', kind: 'relay', online: null, room: 'Porch' });
    send('base/n1/avail', 'up');
    expect(registry.list()[0].online).toBe(true);
    send('base/n1/avail', 'down');
    expect(registry.list()[0].online).toBe(false);
  });

  it('groups entities of one device and removes the device with its last entity', () => {
    const { registry, send } = setup();
    const dev = { ids: ['d1'], name: 'Multi' };
    send('homeassistant/sensor/d1/a/config', JSON.stringify({ name: 'A', stat_t: 'x', dev }));
    send('homeassistant/binary_sensor/d1/b/config', JSON.stringify({ name: 'B', stat_t: 'y', dev }));
    expect(registry.list()).toHaveLength(1);
    expect(registry.list()[0].sightings[0].facts['ha.components']).toBe('binary_sensor,sensor');
    send('homeassistant/sensor/d1/a/config', '');
    expect(registry.list()).toHaveLength(1);
    send('homeassistant/binary_sensor/d1/b/config', '');
    expect(registry.list()).toEqual([]);
  });

  it('drops only the cmps a device re-announcement leaves out, and only that device’s on removal', () => {
    const { registry, send } = setup();
    const announce = (id: string, cmps: Record<string, unknown>) =>
      send(`homeassistant/device/${id}/config`, JSON.stringify({ dev: { ids: [id], name: id }, cmps }));
    const channels = (name: string) =>
      registry
        .list()
        .find((d) => d.name === name)
        ?.sightings[0].entities?.map((e) => e.channel)
        .sort();
    announce('d1', { a: { p: 'sensor', stat_t: 'd1/a' }, b: { p: 'binary_sensor', stat_t: 'd1/b' } });
    // Same object id under another prefix path: must not be touched by d1's messages.
    announce('d10', { a: { p: 'sensor', stat_t: 'd10/a' } });
    expect(channels('d1')).toEqual(['a', 'b']);
    announce('d1', { b: { p: 'binary_sensor', stat_t: 'd1/b' }, c: { p: 'sensor', stat_t: 'd1/c' } });
    expect(channels('d1')).toEqual(['b', 'c']);
    expect(channels('d10')).toEqual(['a']);
    send('homeassistant/device/d1/config', '');
    expect(registry.list().map((d) => d.name)).toEqual(['d10']);
    // Announced again after removal, the device comes back whole.
    announce('d1', { a: { p: 'sensor', stat_t: 'd1/a' } });
    expect(channels('d1')).toEqual(['a']);
  });

  it('reports Homie v4 only once $homie is seen, keeping attributes that came first', () => {
    const { registry, send } = setup();
    send('homie/lamp/$name', 'Lamp');
    send('homie/lamp/$state', 'ready');
    send('other/thing/$state', 'ready');
    expect(registry.list()).toEqual([]);
    send('homie/lamp/$homie', '4.0.0');
    expect(registry.list()).toHaveLength(1);
    expect(registry.list()[0]).toMatchObject({ name: 'Lamp', online: true });
    send('homie/lamp/$state', 'lost');
    expect(registry.list()[0].online).toBe(false);
  });

  it('asks a Gen2 Shelly for its device info once, and ignores non-Shelly <x>/online payloads', () => {
    const { registry, published, send } = setup();
    send('printer/online', 'yes');
    expect(registry.list()).toEqual([]);
    send('shellyplus1-aabbccddeeff/online', 'true');
    send('shellyplus1-aabbccddeeff/online', 'true');
    expect(published).toEqual([
      [
        'shellyplus1-aabbccddeeff/rpc',
        JSON.stringify({ id: 1, src: 'fg-test', method: 'Shelly.GetDeviceInfo' }),
      ],
    ]);
    send(
      'fg-test/rpc',
      JSON.stringify({ id: 1, result: { mac: 'AABBCCDDEEFF', app: 'Plus1', name: 'Porch' } }),
    );
    expect(registry.list()[0]).toMatchObject({ name: 'Porch', identity: { mac: 'aabbccddeeff' } });
    send('fg-test/rpc', 'garbage');
  });

  it('skips bad Tasmota configs and oversized payloads with reasons, without throwing', () => {
    const { registry, problems, send } = setup();
    send('tasmota/discovery/AA/config', JSON.stringify({ t: 'a/b' }));
    send('tasmota/discovery/AA/config', JSON.stringify({ dn: 'no topic' }));
    send('homeassistant/switch/x/config', new Uint8Array(70 * 1024));
    send('tele/ok_relay/LWT', 'Online');
    expect(registry.list().map((d) => d.name)).toEqual(['ok_relay']);
    expect(problems).toEqual([
      'tasmota/discovery/AA/config: Tasmota discovery config has no usable "t" (device topic); skipped',
      'tasmota/discovery/AA/config: Tasmota discovery config has no usable "t" (device topic); skipped',
      'homeassistant/switch/x/config: the payload is 71680 bytes, over the 65536-byte limit; skipped',
    ]);
  });

  it('keeps the messages a device sent as evidence facts for library rules', () => {
    const { registry, send } = setup();
    send('tele/r1/LWT', 'Online');
    expect(registry.list()[0].sightings[0].facts['topic:tele/r1/LWT']).toBe('Online');
  });
});
