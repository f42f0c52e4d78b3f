/**
 * Shelly Gen2+ devices, entity by entity. A Gen2, Gen3 or Gen4 device is what its components say
 * — the keys of `Shelly.GetConfig`/`Shelly.GetStatus` (`switch:0`, `cover:0`, `light:0`,
 * `input:1`, `pm1:0`, `em:0`…) — not what a model table remembers: a Plus 2PM in cover profile
 * has `cover:0` and no switches. Gen1 devices are read in shelly-gen1-entities.ts.
 */
import type { DiscoveredEntity } from '../../core/registry/entities';
import { entityId } from '../../core/registry/entities';
import type { Implementation, Mapping, MqttSubscription, PropertyBinding } from '../../core/model/schemas';
import { deviceText } from '../../core/registry/text';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** Shelly counts energy in watt-hours (Gen2+); the capability wants kilowatt-hours. */
const WH_TO_KWH: Mapping = {
  kind: 'linear',
  direction: 'forward',
  device: [0, 1000],
  value: [0, 1],
  decimals: 4,
};
const PRESS: Mapping = {
  kind: 'enum',
  direction: 'forward',
  pairs: [
    { device: 'single_push', value: 'single' },
    { device: 'double_push', value: 'double' },
    { device: 'triple_push', value: 'triple' },
    { device: 'long_push', value: 'long' },
  ],
};

/** Components every Gen2+ device has that are services of the device, not things it drives. */
const SYSTEM = new Set([
  'sys',
  'wifi',
  'eth',
  'ble',
  'cloud',
  'mqtt',
  'ws',
  'ui',
  'knx',
  'matter',
  'zigbee',
  'modbus',
  'bthome',
  'plugs_ui',
  'ht_ui',
  'wd_ui',
  'script',
  'schedule',
  'webhook',
  'kvs',
]);
/** Virtual components a user or script creates; they hold values, not hardware. */
const VIRTUAL = new Set(['boolean', 'number', 'text', 'enum', 'group', 'button', 'object']);

/** The Gen2+ RPC namespace of a light-like component. */
const LIGHT_METHODS: Record<string, string> = { light: 'Light', cct: 'CCT', rgb: 'RGB', rgbw: 'RGBW' };

interface Gen2Context {
  readonly prefix: string;
  readonly taken: Set<string>;
}

const notify = (ctx: Gen2Context, component: string, field: string): MqttSubscription[] => [
  {
    kind: 'mqtt',
    topic: `${ctx.prefix}/events/rpc`,
    format: 'json',
    where: [{ path: 'method', equals: 'NotifyStatus' }],
    valuePath: `params.${component}.${field}`,
  },
  { kind: 'mqtt', topic: `${ctx.prefix}/status/${component}`, format: 'json', valuePath: field },
];

const readStatus = (namespace: string, id: number, field: string): PropertyBinding['read'] => ({
  kind: 'rpc',
  method: `${namespace}.GetStatus`,
  params: { id },
  resultPath: field,
});

/**
 * The entities of a Gen2+ device from its config and status (either may be missing: then the
 * other names the components). Each binding carries the device's topic prefix as a fixed
 * variable, so its RPC calls go to `<prefix>/rpc` and its state is read from
 * `<prefix>/events/rpc` (NotifyStatus) or `<prefix>/status/<component>`.
 */
export const shellyGen2Entities = (
  prefix: string,
  config: Json | undefined,
  status: Json | undefined,
): DiscoveredEntity[] => {
  const ctx: Gen2Context = { prefix, taken: new Set() };
  const keys = [...new Set([...Object.keys(config ?? {}), ...Object.keys(status ?? {})])]
    .filter((k) => /^[a-z0-9_]+:\d+$/.test(k))
    .sort((a, b) => {
      const [ta, ia] = a.split(':');
      const [tb, ib] = b.split(':');
      return ta!.localeCompare(tb!) || Number(ia ?? 0) - Number(ib ?? 0);
    });
  const out: DiscoveredEntity[] = [];
  const events = `${prefix}/events/rpc`;
  const command = `${prefix}/rpc`;
  for (const key of keys.slice(0, 200)) {
    const [type, idText] = key.split(':');
    if (!type || SYSTEM.has(type) || idText === undefined) continue;
    const id = Number(idText);
    const cfg = isObject(config?.[key]) ? (config![key] as Json) : {};
    const st = isObject(status?.[key]) ? (status![key] as Json) : {};
    const label = deviceText(typeof cfg.name === 'string' && cfg.name ? cfg.name : key, 200);
    const base = {
      ecosystem: 'shelly' as const,
      component: type,
      name: label,
      channel: key,
      raw: { config: cfg, status: st },
    };
    const push = (
      capability: string | null,
      binding: Implementation | null,
      extra: Partial<DiscoveredEntity> = {},
    ) =>
      out.push({
        ...base,
        id: entityId(
          `${key.replace(':', '_')}${capability ? '_' + capability.split('@')[0]!.replace('-', '_') : ''}`,
          ctx.taken,
        ),
        capability,
        binding,
        state_topic: events,
        status: binding ? 'bound' : 'unmapped',
        ...extra,
      });
    const variables = { prefix };
    const meters = (namespace: string) => {
      if ('apower' in st) {
        const properties: Record<string, PropertyBinding> = {};
        for (const [field, property] of [
          ['apower', 'power'],
          ['voltage', 'voltage'],
          ['current', 'current'],
        ] as const) {
          if (field in st)
            properties[property] = {
              read: readStatus(namespace, id, field),
              observe: notify(ctx, key, field),
            };
        }
        push('power-meter@1', {
          capability: 'power-meter@1',
          title: `${label} power`,
          variables,
          properties,
        });
      }
      if (isObject(st.aenergy)) {
        push('energy-meter@1', {
          capability: 'energy-meter@1',
          title: `${label} energy`,
          variables,
          properties: {
            energy: {
              read: readStatus(namespace, id, 'aenergy.total'),
              observe: notify(ctx, key, 'aenergy.total'),
              map: [WH_TO_KWH],
            },
          },
        });
      }
    };
    switch (type) {
      case 'switch':
        push(
          'switch@1',
          {
            capability: 'switch@1',
            title: label,
            variables,
            properties: {
              on: {
                write: { kind: 'rpc', method: 'Switch.Set', params: { id, on: '{{value}}' } },
                read: readStatus('Switch', id, 'output'),
                observe: notify(ctx, key, 'output'),
              },
            },
            actions: { toggle: { invoke: { kind: 'rpc', method: 'Switch.Toggle', params: { id } } } },
          },
          { command_topic: command },
        );
        meters('Switch');
        break;
      case 'cover':
        push(
          'cover@1',
          {
            capability: 'cover@1',
            title: label,
            variables,
            properties: {
              position: {
                write: { kind: 'rpc', method: 'Cover.GoToPosition', params: { id, pos: '{{value}}' } },
                read: readStatus('Cover', id, 'current_pos'),
                observe: notify(ctx, key, 'current_pos'),
              },
              state: {
                read: readStatus('Cover', id, 'state'),
                observe: notify(ctx, key, 'state'),
                map: [
                  {
                    kind: 'enum',
                    direction: 'forward',
                    pairs: ['open', 'closed', 'opening', 'closing', 'stopped'].map((s) => ({
                      device: s,
                      value: s,
                    })),
                  },
                ],
              },
            },
            actions: {
              open: { invoke: { kind: 'rpc', method: 'Cover.Open', params: { id } } },
              close: { invoke: { kind: 'rpc', method: 'Cover.Close', params: { id } } },
              stop: { invoke: { kind: 'rpc', method: 'Cover.Stop', params: { id } } },
            },
          },
          {
            command_topic: command,
            ...(st.pos_control === false
              ? { reason: 'not calibrated yet: it reports no position until it is' }
              : {}),
          },
        );
        meters('Cover');
        break;
      case 'light':
      case 'cct':
      case 'rgb':
      case 'rgbw': {
        const ns = LIGHT_METHODS[type]!;
        push(
          'dimmer@1',
          {
            capability: 'dimmer@1',
            title: label,
            variables,
            properties: {
              on: {
                write: { kind: 'rpc', method: `${ns}.Set`, params: { id, on: '{{value}}' } },
                read: readStatus(ns, id, 'output'),
                observe: notify(ctx, key, 'output'),
              },
              brightness: {
                write: { kind: 'rpc', method: `${ns}.Set`, params: { id, brightness: '{{value}}' } },
                read: readStatus(ns, id, 'brightness'),
                observe: notify(ctx, key, 'brightness'),
              },
            },
            actions: { toggle: { invoke: { kind: 'rpc', method: `${ns}.Toggle`, params: { id } } } },
          },
          {
            command_topic: command,
            ...(type !== 'light'
              ? {
                  reason: `its ${type === 'cct' ? 'colour temperature' : 'colour'} is not bound, only on/off and brightness`,
                }
              : {}),
          },
        );
        meters(ns);
        break;
      }
      case 'input': {
        const kind = typeof cfg.type === 'string' ? cfg.type : 'switch';
        if (kind === 'button') {
          push('button@1', {
            capability: 'button@1',
            title: label,
            variables,
            events: {
              pressed: {
                subscribe: [
                  {
                    kind: 'mqtt',
                    topic: events,
                    format: 'json',
                    where: [
                      { path: 'method', equals: 'NotifyEvent' },
                      { path: 'params.events.0.component', equals: key },
                    ],
                    valuePath: 'params.events.0.event',
                  },
                ],
                map: [PRESS],
              },
            },
          });
        } else {
          push(null, null, {
            reason: `an input in ${kind} mode; its state is read, but what it is wired to is not announced`,
          });
        }
        break;
      }
      case 'pm1':
        meters('PM1');
        break;
      case 'em':
      case 'em1': {
        const ns = type === 'em' ? 'EM' : 'EM1';
        const fields: [string, string][] =
          type === 'em'
            ? [
                ['total_act_power', 'power'],
                ['total_current', 'current'],
              ]
            : [
                ['act_power', 'power'],
                ['voltage', 'voltage'],
                ['current', 'current'],
              ];
        const properties: Record<string, PropertyBinding> = {};
        for (const [field, property] of fields)
          properties[property] = { read: readStatus(ns, id, field), observe: notify(ctx, key, field) };
        push(
          'power-meter@1',
          { capability: 'power-meter@1', title: `${label} power`, variables, properties },
          type === 'em' ? { reason: 'the three-phase total; each phase (a_, b_, c_) is left out' } : {},
        );
        break;
      }
      case 'emdata':
      case 'em1data': {
        const field = type === 'emdata' ? 'total_act' : 'total_act_energy';
        push('energy-meter@1', {
          capability: 'energy-meter@1',
          title: `${label} energy`,
          variables,
          properties: {
            energy: {
              read: readStatus(type === 'emdata' ? 'EMData' : 'EM1Data', id, field),
              observe: notify(ctx, key, field),
              map: [WH_TO_KWH],
            },
          },
        });
        break;
      }
      case 'temperature':
      case 'humidity':
      case 'illuminance':
      case 'devicepower': {
        const [capability, property, field, ns] = {
          temperature: ['temperature@1', 'temperature', 'tC', 'Temperature'],
          humidity: ['humidity@1', 'humidity', 'rh', 'Humidity'],
          illuminance: ['illuminance@1', 'illuminance', 'lux', 'Illuminance'],
          devicepower: ['battery@1', 'level', 'battery.percent', 'DevicePower'],
        }[type]!;
        push(capability!, {
          capability: capability!,
          title: label,
          variables,
          properties: {
            [property!]: { read: readStatus(ns!, id, field!), observe: notify(ctx, key, field!) },
          },
        });
        break;
      }
      case 'smoke':
      case 'flood': {
        const [capability, property] = type === 'smoke' ? ['smoke@1', 'smoke'] : ['water-leak@1', 'leak'];
        push(capability, {
          capability,
          title: label,
          variables,
          properties: {
            [property]: {
              read: readStatus(type === 'smoke' ? 'Smoke' : 'Flood', id, 'alarm'),
              observe: notify(ctx, key, 'alarm'),
            },
          },
        });
        break;
      }
      default:
        if (VIRTUAL.has(type))
          push(null, null, {
            reason: `a virtual ${type} component (a value kept on the device, not hardware)`,
          });
        else push(null, null, { status: 'unsupported', reason: `its ${type} component is not read yet` });
    }
  }
  return out;
};
