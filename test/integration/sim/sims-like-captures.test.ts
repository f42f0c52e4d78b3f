import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVirtualEsphome } from '../../../shared/node/sim/virtual-esphome';
import { startVirtualHomie } from '../../../shared/node/sim/virtual-homie';
import { startVirtualShelly } from '../../../shared/node/sim/virtual-shelly';
import { startVirtualTasmotaRelay } from '../../../shared/node/sim/virtual-tasmota';
import type { FieldFixture } from '../../helpers/field-corpus';
import { startMosquitto } from '../../helpers/mosquitto';
import { waitForValue } from '../../helpers/wait';

/**
 * The virtual devices announce like their real counterparts: what each publishes on mosquitto
 * (topics, and the keys of every JSON announcement) is compared with a field capture of the same
 * firmware (test/fixtures/field/). Values differ (names, MACs); the shape must not, or the
 * tests that use the simulators would pass on announcements no real device makes.
 */
const capture = (path: string) =>
  JSON.parse(readFileSync(`test/fixtures/field/${path}`, 'utf8')) as FieldFixture;
const json = (payload: string | object): Record<string, unknown> =>
  typeof payload === 'string'
    ? (JSON.parse(payload) as Record<string, unknown>)
    : (payload as Record<string, unknown>);
const keys = (value: unknown): string[] =>
  value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value).sort() : [];
/** A capture's topic with its device's own name replaced by `<id>`. */
const generic = (topic: string, id: string) => topic.split(id).join('<id>');

describe('the virtual devices announce like the field captures', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let brokerUrl: string;
  let watcher: mqtt.MqttClient;
  const heard = new Map<string, string>();

  beforeAll(async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    brokerUrl = broker.url;
    watcher = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    cleanups.push(() => watcher.endAsync(true));
    watcher.on('message', (topic, payload) => heard.set(topic, payload.toString()));
    await watcher.subscribeAsync('#');
  });
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  const waitTopic = (topic: string) => waitForValue(() => heard.get(topic), `a message on ${topic}`, 15_000);

  it('Tasmota 14: native discovery config and sensors with the keys Tasmota 14 sends', async () => {
    // The simulator says it runs 14.1.0: its config is compared with a 14.1.0 relay's, its sensors
    // message with a metering plug's (the `sensors` message has not changed shape since 9.x).
    const real = capture('tasmota/offline-relay.json');
    expect(json(real.messages.find((m) => m.topic.endsWith('/config'))!.payload).sw).toBe('14.1.0');
    const realConfig = json(real.messages.find((m) => m.topic.endsWith('/config'))!.payload);
    const plug = capture('tasmota/energy-plug.json');
    const realSensors = json(plug.messages.find((m) => m.topic.endsWith('/sensors'))!.payload);
    const sim = await startVirtualTasmotaRelay({
      brokerUrl,
      topic: 'sim_plug',
      mac: 'cc50e3000001',
      sensors: { ENERGY: { Power: 12, Voltage: 230, Current: 0.05, Total: 1.5 } },
    });
    cleanups.push(() => sim.stop());
    const config = json(await waitTopic('tasmota/discovery/CC50E3000001/config'));
    const sensors = json(await waitTopic('tasmota/discovery/CC50E3000001/sensors'));
    expect(keys(config)).toEqual(keys(realConfig));
    // Lists Tasmota always sends at their fixed lengths (friendly names, relays, buttons, switches).
    for (const key of ['fn', 'rl', 'swc', 'swn', 'btn', 'so', 'tp'] as const)
      expect(Array.isArray(config[key]) ? (config[key] as unknown[]).length : typeof config[key]).toBe(
        Array.isArray(realConfig[key]) ? (realConfig[key] as unknown[]).length : typeof realConfig[key],
      );
    expect(keys(sensors)).toEqual(keys(realSensors));
    expect(keys(sensors.sn)).toEqual(expect.arrayContaining(['Time', 'ENERGY']));
    expect(await waitTopic('tele/sim_plug/LWT')).toBe(config.onln);
    expect(config.onln).toBe(realConfig.onln);
  });

  it('ESPHome 2025: the esphome/discover announce and Home Assistant configs keyed as the capture, no origin', async () => {
    const real = capture('esphome/current-2025-hallway.json');
    const node = 'sim-node';
    const sim = await startVirtualEsphome({ brokerUrl, name: node, mac: 'b4e62d000001', reportMs: 60_000 });
    cleanups.push(() => sim.stop());
    const announce = json(await waitTopic(`esphome/discover/${node}`));
    const realAnnounce = json(real.messages.find((m) => m.topic.startsWith('esphome/discover/'))!.payload);
    expect(keys(announce)).toEqual(keys(realAnnounce));
    expect(await waitTopic(`${node}/status`)).toBe('online');
    const realConfigs = real.messages.filter((m) => m.topic.startsWith('homeassistant/'));
    await waitForValue(
      () =>
        [...heard.keys()].filter((t) => t.startsWith(`homeassistant/`) && t.includes(`/${node}/`)).length >= 3
          ? true
          : undefined,
      'the node’s discovery configs',
      15_000,
    );
    const configs = [...heard].filter(([t]) => t.startsWith('homeassistant/') && t.includes(`/${node}/`));
    for (const [topic, payload] of configs) {
      const component = topic.split('/')[1]!;
      const c = json(payload);
      // The shape every config of that component has in the capture (same abbreviations, no `o`).
      const like = realConfigs.filter((m) => m.topic.split('/')[1] === component).map((m) => json(m.payload));
      expect(like.length, `a captured ${component} config`).toBeGreaterThan(0);
      expect(c.o, `${topic} has no origin`).toBeUndefined();
      // `sa` (suggested area) is sent only by nodes given an `area`, as the simulated one is.
      expect(keys(c.dev).filter((k) => k !== 'sa')).toEqual(keys(like[0]!.dev));
      const allowed = new Set(like.flatMap((x) => keys(x)));
      expect(
        keys(c).filter((k) => !allowed.has(k)),
        `${topic}: keys the capture never uses`,
      ).toEqual([]);
      expect(String((c.dev as Record<string, unknown>).sw)).toMatch(
        /^\d{4}\.\d+\.\d+ \(config hash 0x[0-9a-f]{8}\)$/,
      );
      expect(String(c.avty_t)).toBe(`${node}/status`);
      expect(String(c.stat_t)).toMatch(new RegExp(`^${node}/${component}/[a-z0-9_]+/state$`));
    }
  });

  it('Shelly Plus 1PM: online, and GetDeviceInfo, GetConfig and GetStatus answered with the capture’s keys', async () => {
    const real = capture('shelly/plus-1pm.json');
    const id = 'shellyplus1pm-c0ffee000001';
    const sim = await startVirtualShelly({ id, mac: 'c0ffee000001', brokerUrl });
    cleanups.push(() => sim.stop());
    const realOnline = real.messages.find((m) => m.topic.endsWith('/online'))!;
    expect(await waitTopic(`${id}/online`)).toBe(realOnline.payload);
    const answers = new Map<string, Record<string, unknown>>();
    watcher.on('message', (topic, payload) => {
      if (topic !== 'sim-check/rpc') return;
      const answer = json(payload.toString());
      answers.set(String(answer.id), answer);
    });
    for (const [n, method] of ['Shelly.GetDeviceInfo', 'Shelly.GetConfig', 'Shelly.GetStatus'].entries()) {
      await watcher.publishAsync(`${id}/rpc`, JSON.stringify({ id: n + 1, src: 'sim-check', method }));
      const answer = await waitForValue(() => answers.get(String(n + 1)), `the answer to ${method}`, 15_000);
      const realResult = real.replies!.find((r) => r.method === method)!.payload as { result: object };
      expect(keys(answer)).toEqual(expect.arrayContaining(['id', 'src', 'result']));
      const result = answer.result as Record<string, unknown>;
      // `script:<n>` entries are the owner's scripts, not part of the device.
      const own = (list: string[]) => list.filter((k) => !k.startsWith('script:'));
      expect(keys(result), method).toEqual(own(keys(realResult.result)));
      if (method !== 'Shelly.GetDeviceInfo') {
        for (const component of ['switch:0', 'input:0'])
          expect(keys(result[component]), `${method} ${component}`).toEqual(
            keys((realResult.result as Record<string, unknown>)[component]),
          );
      }
    }
  });

  it('Homie 4: the device, node and property attributes the capture has', async () => {
    const real = capture('homie/v4-kitchen-light.json');
    const id = 'sim-light';
    const sim = await startVirtualHomie({ brokerUrl, id });
    cleanups.push(() => sim.stop());
    await waitForValue(
      () => (heard.get(`homie/${id}/$state`) === 'ready' ? true : undefined),
      'ready',
      15_000,
    );
    const attributes = (topics: Iterable<string>, device: string) =>
      new Set(
        [...topics]
          .filter((t) => t.startsWith(`homie/${device}/`))
          .map((t) => generic(t, device).split('/').slice(2))
          .filter((levels) => levels.at(-1)!.startsWith('$'))
          .map(
            (levels) =>
              `${'node/'.repeat(Math.min(levels.length - 1, 1))}${'property/'.repeat(Math.max(levels.length - 2, 0))}${levels.at(-1)}`,
          ),
      );
    const realAttributes = attributes(
      real.messages.map((m) => m.topic),
      'kitchen-light',
    );
    expect(realAttributes).toEqual(
      new Set([
        '$homie',
        '$name',
        '$state',
        '$nodes',
        '$extensions',
        'node/$name',
        'node/$type',
        'node/$properties',
        'node/property/$name',
        'node/property/$datatype',
        'node/property/$settable',
      ]),
    );
    expect([...realAttributes].filter((a) => !attributes(heard.keys(), id).has(a))).toEqual([]);
    expect(heard.get(`homie/${id}/$homie`)).toBe(
      real.messages.find((m) => m.topic.endsWith('/$homie'))!.payload,
    );
  });
});
