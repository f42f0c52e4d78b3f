/**
 * Shelly Gen1 devices, entity by entity: what a Gen1 device publishes under `shellies/<id>/…`
 * (`relay/0`, `light/0/status`, `roller/0/pos`, `input_event/0`, `sensor/temperature`…) becomes one
 * entity per relay, light, roller, input and sensor, bound at those topics.
 */
import type { DiscoveredEntity } from '../../core/registry/entities';
import { entityId } from '../../core/registry/entities';
import type { Implementation, Mapping } from '../../core/model/schemas';

/** Gen1 counts energy in watt-minutes. */
const WMIN_TO_KWH: Mapping = {
  kind: 'linear',
  direction: 'forward',
  device: [0, 60000],
  value: [0, 1],
  decimals: 4,
};
const NUMBER: Mapping = { kind: 'parse', direction: 'forward', as: 'number' };

const ON_OFF: Mapping = {
  kind: 'enum',
  pairs: [
    { device: 'on', value: true },
    { device: 'off', value: false },
  ],
  ignoreCase: true,
};
const GEN1_PRESS: Mapping = {
  kind: 'enum',
  direction: 'forward',
  pairs: [
    { device: 'S', value: 'single' },
    { device: 'SS', value: 'double' },
    { device: 'SSS', value: 'triple' },
    { device: 'L', value: 'long' },
  ],
};

/** The Gen1 topics (below `shellies/<id>/`) discovery listens to, as MQTT filters. */
export const GEN1_TOPICS = [
  'relay/+',
  'relay/+/power',
  'relay/+/energy',
  'light/+',
  'light/+/status',
  'light/+/power',
  'light/+/energy',
  'white/+',
  'white/+/status',
  'color/+',
  'color/+/status',
  'roller/+',
  'roller/+/pos',
  'roller/+/power',
  'roller/+/energy',
  'input_event/+',
  'sensor/+',
  'ext_temperature/+',
  'ext_humidity/+',
];

const GEN1_SENSORS: Record<string, { capability: string; property: string; map: Mapping[] }> = {
  temperature: { capability: 'temperature@1', property: 'temperature', map: [NUMBER] },
  humidity: { capability: 'humidity@1', property: 'humidity', map: [NUMBER] },
  battery: { capability: 'battery@1', property: 'level', map: [NUMBER] },
  lux: { capability: 'illuminance@1', property: 'illuminance', map: [NUMBER] },
  state: {
    capability: 'contact@1',
    property: 'open',
    map: [
      {
        kind: 'enum',
        direction: 'forward',
        pairs: [
          { device: 'open', value: true },
          { device: 'close', value: false },
        ],
      },
    ],
  },
  motion: {
    capability: 'motion@1',
    property: 'motion',
    map: [{ kind: 'parse', direction: 'forward', as: 'boolean' }],
  },
  flood: {
    capability: 'water-leak@1',
    property: 'leak',
    map: [{ kind: 'parse', direction: 'forward', as: 'boolean' }],
  },
  smoke: {
    capability: 'smoke@1',
    property: 'smoke',
    map: [{ kind: 'parse', direction: 'forward', as: 'boolean' }],
  },
};

/**
 * The entities of a Gen1 device from the topics it published (relative to `shellies/<id>/`):
 * each relay, light (white, colour), roller, input event and sensor it reported, with its power
 * and energy meters when it reported those too.
 */
export const shellyGen1Entities = (id: string, seen: ReadonlyMap<string, string>): DiscoveredEntity[] => {
  const base = `shellies/${id}`;
  const taken = new Set<string>();
  const out: DiscoveredEntity[] = [];
  const at = (rel: string) => `${base}/${rel}`;
  const entity = (
    component: string,
    channel: string,
    capability: string | null,
    binding: Implementation | null,
    state: string,
    extra: Partial<DiscoveredEntity> = {},
  ) =>
    out.push({
      id: entityId(
        `${channel.replace(/[:/]/g, '_')}${capability ? '_' + capability.split('@')[0]!.replace('-', '_') : ''}`,
        taken,
      ),
      ecosystem: 'shelly',
      component,
      name: channel,
      channel,
      capability,
      binding,
      state_topic: at(state),
      status: binding ? 'bound' : 'unmapped',
      raw: { payload: seen.get(state) ?? null },
      ...extra,
    });
  const meters = (kind: string, n: string) => {
    const channel = `${kind}:${n}`;
    if (seen.has(`${kind}/${n}/power`))
      entity(
        kind,
        channel,
        'power-meter@1',
        {
          capability: 'power-meter@1',
          title: `${channel} power`,
          properties: {
            power: {
              observe: [{ kind: 'mqtt', topic: at(`${kind}/${n}/power`), format: 'text' }],
              map: [NUMBER],
            },
          },
        },
        `${kind}/${n}/power`,
      );
    if (seen.has(`${kind}/${n}/energy`))
      entity(
        kind,
        channel,
        'energy-meter@1',
        {
          capability: 'energy-meter@1',
          title: `${channel} energy`,
          properties: {
            energy: {
              observe: [{ kind: 'mqtt', topic: at(`${kind}/${n}/energy`), format: 'text' }],
              map: [NUMBER, WMIN_TO_KWH],
            },
          },
        },
        `${kind}/${n}/energy`,
      );
  };
  const channels = (kind: string) =>
    [
      ...new Set(
        [...seen.keys()]
          .map((t) => new RegExp(`^${kind}/(\\d+)(?:/|$)`).exec(t)?.[1])
          .filter((n): n is string => !!n),
      ),
    ].sort((a, b) => Number(a) - Number(b));
  for (const n of channels('relay')) {
    if (!seen.has(`relay/${n}`)) continue;
    entity(
      'relay',
      `relay:${n}`,
      'switch@1',
      {
        capability: 'switch@1',
        title: `Relay ${n}`,
        properties: {
          on: {
            write: { kind: 'mqtt', topic: at(`relay/${n}/command`), payload: '{{value}}' },
            observe: [{ kind: 'mqtt', topic: at(`relay/${n}`), format: 'text' }],
            map: [ON_OFF],
          },
        },
        actions: { toggle: { invoke: { kind: 'mqtt', topic: at(`relay/${n}/command`), payload: 'toggle' } } },
      },
      `relay/${n}`,
      { command_topic: at(`relay/${n}/command`) },
    );
    meters('relay', n);
  }
  for (const kind of ['light', 'white', 'color']) {
    for (const n of channels(kind)) {
      if (!seen.has(`${kind}/${n}`) && !seen.has(`${kind}/${n}/status`)) continue;
      const set = at(`${kind}/${n}/set`);
      entity(
        kind,
        `${kind}:${n}`,
        'dimmer@1',
        {
          capability: 'dimmer@1',
          title: `Light ${n}`,
          properties: {
            on: {
              write: { kind: 'mqtt', topic: set, payload: { turn: '{{value}}' } },
              observe: [{ kind: 'mqtt', topic: at(`${kind}/${n}`), format: 'text' }],
              map: [ON_OFF],
            },
            brightness: {
              write: { kind: 'mqtt', topic: set, payload: { brightness: '{{value}}' } },
              observe: [
                {
                  kind: 'mqtt',
                  topic: at(`${kind}/${n}/status`),
                  format: 'json',
                  valuePath: kind === 'color' ? 'gain' : 'brightness',
                },
              ],
            },
          },
          actions: {
            toggle: { invoke: { kind: 'mqtt', topic: at(`${kind}/${n}/command`), payload: 'toggle' } },
          },
        },
        `${kind}/${n}/status`,
        {
          command_topic: set,
          ...(kind === 'color' ? { reason: 'its colour is not bound, only on/off and gain' } : {}),
        },
      );
      meters(kind, n);
    }
  }
  for (const n of channels('roller')) {
    const command = at(`roller/${n}/command`);
    entity(
      'roller',
      `roller:${n}`,
      'cover@1',
      {
        capability: 'cover@1',
        title: `Roller ${n}`,
        properties: {
          position: {
            write: { kind: 'mqtt', topic: at(`roller/${n}/command/pos`), payload: '{{value}}' },
            observe: [{ kind: 'mqtt', topic: at(`roller/${n}/pos`), format: 'text' }],
            map: [{ kind: 'parse', as: 'integer' }],
          },
          state: {
            observe: [{ kind: 'mqtt', topic: at(`roller/${n}`), format: 'text' }],
            map: [
              {
                kind: 'enum',
                direction: 'forward',
                pairs: [
                  { device: 'open', value: 'opening' },
                  { device: 'close', value: 'closing' },
                  { device: 'stop', value: 'stopped' },
                ],
              },
            ],
          },
        },
        actions: {
          open: { invoke: { kind: 'mqtt', topic: command, payload: 'open' } },
          close: { invoke: { kind: 'mqtt', topic: command, payload: 'close' } },
          stop: { invoke: { kind: 'mqtt', topic: command, payload: 'stop' } },
        },
      },
      `roller/${n}/pos`,
      { command_topic: at(`roller/${n}/command/pos`) },
    );
    meters('roller', n);
  }
  for (const n of channels('input_event')) {
    entity(
      'input',
      `input:${n}`,
      'button@1',
      {
        capability: 'button@1',
        title: `Input ${n}`,
        events: {
          pressed: {
            subscribe: [{ kind: 'mqtt', topic: at(`input_event/${n}`), format: 'json', valuePath: 'event' }],
            map: [GEN1_PRESS],
          },
        },
      },
      `input_event/${n}`,
    );
  }
  for (const [kind, capability, property] of [
    ['ext_temperature', 'temperature@1', 'temperature'],
    ['ext_humidity', 'humidity@1', 'humidity'],
  ] as const) {
    for (const n of channels(kind)) {
      entity(
        kind,
        `${kind}:${n}`,
        capability,
        {
          capability,
          title: `${kind} ${n}`,
          properties: {
            [property]: {
              observe: [{ kind: 'mqtt', topic: at(`${kind}/${n}`), format: 'text' }],
              map: [NUMBER],
            },
          },
        },
        `${kind}/${n}`,
      );
    }
  }
  for (const topic of [...seen.keys()].filter((t) => /^sensor\/[^/]+$/.test(t)).sort()) {
    const name = topic.slice(7);
    const known = GEN1_SENSORS[name];
    if (!known) {
      entity('sensor', `sensor:${name}`, null, null, topic, {
        reason: `a ${name} reading; no library capability takes it`,
      });
      continue;
    }
    entity(
      'sensor',
      `sensor:${name}`,
      known.capability,
      {
        capability: known.capability,
        title: name,
        properties: {
          [known.property]: { observe: [{ kind: 'mqtt', topic: at(topic), format: 'text' }], map: known.map },
        },
      },
      topic,
    );
  }
  return out;
};
