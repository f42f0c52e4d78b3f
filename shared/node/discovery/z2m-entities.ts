/**
 * One zigbee2mqtt device's `exposes` (from `<base>/bridge/devices`) → DiscoveredEntities bound at
 * the device's own topics: state on `<base>/<friendly_name>` (one JSON object, a value per
 * property), commands on `<base>/<friendly_name>/set` (`{"<property>": value}`). Access bits say
 * what can be read (1, published) and written (2, set). Generic features map by property name;
 * composites (light, switch, cover, lock, fan, climate) become one entity each; the set-only
 * `identify` enum becomes an identify action; everything else is listed as understood without a
 * capability.
 */
import type { Implementation, Mapping } from '../../core/model/schemas';
import {
  boundEntity,
  enumMap,
  observeTopic,
  propertyBinding,
  publishTopic,
  unboundEntity,
  type EntityBase,
} from '../../core/registry/entity-bindings';
import { entityId, type DiscoveredEntity } from '../../core/registry/entities';

/** One expose (feature) as zigbee2mqtt describes it. */
interface Expose {
  readonly type?: unknown;
  readonly name?: unknown;
  readonly property?: unknown;
  readonly access?: unknown;
  readonly unit?: unknown;
  readonly endpoint?: unknown;
  readonly value_on?: unknown;
  readonly value_off?: unknown;
  readonly value_min?: unknown;
  readonly value_max?: unknown;
  readonly values?: unknown;
  readonly features?: unknown;
  readonly label?: unknown;
}

const PUBLISHED = 1;
const SETTABLE = 2;

const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const features = (e: Expose): Expose[] =>
  Array.isArray(e.features) ? (e.features.filter((f) => f && typeof f === 'object') as Expose[]) : [];
const access = (e: Expose): number => (typeof e.access === 'number' ? e.access : PUBLISHED);

/** Numeric properties with a capability, by property name, and the units taken as they are. */
const NUMERIC: Readonly<Record<string, { capability: string; property: string; units: readonly string[] }>> =
  {
    temperature: { capability: 'temperature@1', property: 'temperature', units: ['°C'] },
    humidity: { capability: 'humidity@1', property: 'humidity', units: ['%'] },
    pressure: { capability: 'pressure@1', property: 'pressure', units: ['hPa', 'mbar'] },
    illuminance: { capability: 'illuminance@1', property: 'illuminance', units: ['lx'] },
    illuminance_lux: { capability: 'illuminance@1', property: 'illuminance', units: ['lx'] },
    power: { capability: 'power-meter@1', property: 'power', units: ['W'] },
    voltage: { capability: 'power-meter@1', property: 'voltage', units: ['V'] },
    current: { capability: 'power-meter@1', property: 'current', units: ['A'] },
    energy: { capability: 'energy-meter@1', property: 'energy', units: ['kWh'] },
    battery: { capability: 'battery@1', property: 'level', units: ['%'] },
    co2: { capability: 'air-quality@1', property: 'co2', units: ['ppm'] },
    pm25: { capability: 'air-quality@1', property: 'pm25', units: ['µg/m³', 'μg/m³'] },
    voc: { capability: 'air-quality@1', property: 'voc', units: ['ppb'] },
  };

/** Binary properties with a capability, by property name; `invert` when the device's "on" means the capability's false. */
const BINARY: Readonly<Record<string, { capability: string; property: string; invert?: boolean }>> = {
  occupancy: { capability: 'occupancy@1', property: 'occupied' },
  presence: { capability: 'occupancy@1', property: 'occupied' },
  motion: { capability: 'motion@1', property: 'motion' },
  contact: { capability: 'contact@1', property: 'open', invert: true },
  water_leak: { capability: 'water-leak@1', property: 'leak' },
  smoke: { capability: 'smoke@1', property: 'smoke' },
  battery_low: { capability: 'battery@1', property: 'low' },
};

const pressOf = (value: string): string | undefined => {
  const v = value.toLowerCase();
  if (/triple/.test(v)) return 'triple';
  if (/double/.test(v)) return 'double';
  if (/(long|hold)(?!_release)/.test(v) && !/release/.test(v)) return 'long';
  if (/^(single|press|click|on|off|toggle)$|_(single|press|click)$|^(single|press)_/.test(v)) return 'single';
  return undefined;
};

/** Everything needed to bind one device's exposes. */
export interface Z2mDevice {
  readonly stateTopic: string;
  readonly setTopic: string;
  readonly exposes: readonly unknown[];
}

const onOffMaps = (f: Expose): Mapping[] => {
  const on = f.value_on ?? 'ON';
  const off = f.value_off ?? 'OFF';
  return [
    enumMap(
      [
        [on, true],
        [off, false],
      ],
      undefined,
      typeof on === 'string',
    ),
  ];
};

/** The entities of one device, in expose order. */
export const z2mEntities = (device: Z2mDevice): DiscoveredEntity[] => {
  const taken = new Set<string>();
  const out: DiscoveredEntity[] = [];
  const { stateTopic, setTopic } = device;

  const read = (f: Expose, maps: Mapping[], writable = true) => {
    const property = s(f.property)!;
    const a = access(f);
    return propertyBinding(
      a & PUBLISHED ? [observeTopic(stateTopic, property)] : [],
      maps,
      writable && a & SETTABLE ? publishTopic(setTopic, { [property]: '{{value}}' }) : undefined,
    );
  };

  const add = (
    f: Expose,
    component: string,
    channel: string,
    result: Implementation | string,
    note?: string,
  ) => {
    const base: EntityBase = {
      id: entityId(channel, taken),
      ecosystem: 'zigbee2mqtt',
      component,
      name: s(f.label) ?? s(f.name) ?? channel,
      channel,
      raw: f,
      state_topic: stateTopic,
      ...(typeof result !== 'string' && hasWrite(result) ? { command_topic: setTopic } : {}),
    };
    out.push(
      typeof result === 'string' ? unboundEntity(base, 'unmapped', result) : boundEntity(base, result, note),
    );
  };

  const generic = (f: Expose): void => {
    const type = s(f.type) ?? 'unknown';
    const property = s(f.property);
    if (!property) {
      out.push(
        unboundEntity(
          {
            id: entityId(s(f.name) ?? type, taken),
            ecosystem: 'zigbee2mqtt',
            component: type,
            name: s(f.name) ?? type,
            channel: s(f.name) ?? type,
            raw: f,
          },
          'unmapped',
          'has no property in the device state',
        ),
      );
      return;
    }
    // Exposes of one endpoint carry the endpoint as a suffix of their property (`temperature_l1`).
    const endpoint = s(f.endpoint);
    const name =
      s(f.name) ??
      (endpoint && property.endsWith(`_${endpoint}`) ? property.slice(0, -endpoint.length - 1) : property);
    if (type === 'numeric') {
      const spec = NUMERIC[name];
      const unit = s(f.unit);
      if (!spec) return add(f, type, property, `no library capability for ${name}`);
      if (unit !== undefined && !spec.units.includes(unit))
        return add(f, type, property, `reports ${name} in ${unit}, not a unit ${spec.capability} takes`);
      return add(f, type, property, {
        capability: spec.capability,
        properties: { [spec.property]: read(f, [], false) },
      });
    }
    if (type === 'binary') {
      const spec = BINARY[name];
      if (spec) {
        const on = f.value_on ?? true;
        const off = f.value_off ?? false;
        return add(f, type, property, {
          capability: spec.capability,
          properties: {
            [spec.property]: read(
              f,
              [
                enumMap(
                  [
                    [on, !spec.invert],
                    [off, !!spec.invert],
                  ],
                  'forward',
                ),
              ],
              false,
            ),
          },
        });
      }
      if (name === 'state' && access(f) & SETTABLE)
        return add(f, type, property, { capability: 'switch@1', properties: { on: read(f, onOffMaps(f)) } });
      return add(f, type, property, `no library capability for ${name}`);
    }
    // zigbee2mqtt's identify (genIdentify): a set-only enum whose one value starts the blinking.
    if (type === 'enum' && name === 'identify' && access(f) & SETTABLE) {
      const values = Array.isArray(f.values) ? f.values.map(String) : [];
      const value = values.includes('identify') ? 'identify' : values[0];
      if (value === undefined) return add(f, type, property, 'is an identify without a value to send');
      return add(f, type, property, {
        capability: 'identify@1',
        actions: { identify: { invoke: publishTopic(setTopic, { [property]: value }) } },
      });
    }
    if (type === 'enum' && name === 'action') {
      const values = Array.isArray(f.values) ? f.values.map(String) : [];
      const pairs = values.flatMap((v) => {
        const press = pressOf(v);
        return press ? [[v, press] as const] : [];
      });
      if (!pairs.length)
        return add(f, type, property, `its actions (${values.join(', ') || 'none'}) are not presses`);
      const skipped = values.filter((v) => !pressOf(v));
      return add(
        f,
        type,
        property,
        {
          capability: 'button@1',
          events: {
            pressed: { subscribe: [observeTopic(stateTopic, property)], map: [enumMap(pairs, 'forward')] },
          },
        },
        skipped.length ? `actions ${skipped.join(', ')} are not presses and are not bound` : undefined,
      );
    }
    return add(f, type, property, `no library capability for a ${type} ${name}`);
  };

  const composite = (e: Expose): void => {
    const type = s(e.type)!;
    const fs = features(e);
    const byName = (n: string) => fs.find((f) => s(f.name) === n && s(f.property));
    const state = byName('state');
    const endpoint = s(e.endpoint);
    const channel = s(state?.property) ?? (endpoint ? `${type}_${endpoint}` : type);
    if (type === 'light' || type === 'switch') {
      if (!state) return add(e, type, channel, `is a ${type} without a state feature`);
      const properties: NonNullable<Implementation['properties']> = { on: read(state, onOffMaps(state)) };
      const brightness = type === 'light' ? byName('brightness') : undefined;
      if (brightness) {
        const max =
          typeof brightness.value_max === 'number' && brightness.value_max > 0 ? brightness.value_max : 254;
        properties.brightness = read(brightness, [
          { kind: 'linear', device: [0, max], value: [0, 100], decimals: 0, deviceDecimals: 0, clamp: true },
        ]);
      }
      const color = fs.some((f) => /^color/.test(s(f.name) ?? ''));
      return add(
        e,
        type,
        channel,
        { capability: color ? 'color-light@1' : brightness ? 'dimmer@1' : 'switch@1', properties },
        color ? 'colour and colour temperature are not bound' : undefined,
      );
    }
    if (type === 'cover') {
      const properties: NonNullable<Implementation['properties']> = {};
      const position = byName('position');
      if (position) properties.position = read(position, []);
      if (state && access(state) & PUBLISHED)
        properties.state = propertyBinding(
          [observeTopic(stateTopic, s(state.property)!)],
          [
            enumMap(
              [
                ['OPEN', 'open'],
                ['CLOSE', 'closed'],
                ['CLOSED', 'closed'],
                ['STOP', 'stopped'],
                ['STOPPED', 'stopped'],
                ['OPENING', 'opening'],
                ['CLOSING', 'closing'],
              ],
              'forward',
              true,
            ),
          ],
        );
      const actions: NonNullable<Implementation['actions']> = {};
      if (state && access(state) & SETTABLE) {
        for (const [action, value] of [
          ['open', 'OPEN'],
          ['close', 'CLOSE'],
          ['stop', 'STOP'],
        ] as const)
          actions[action] = { invoke: publishTopic(setTopic, { [s(state.property)!]: value }) };
      }
      return add(e, type, channel, {
        capability: 'cover@1',
        properties,
        ...(Object.keys(actions).length ? { actions } : {}),
      });
    }
    if (type === 'lock') {
      if (!state) return add(e, type, channel, 'is a lock without a state feature');
      const on = state.value_on ?? 'LOCK';
      const off = state.value_off ?? 'UNLOCK';
      const property = s(state.property)!;
      return add(e, type, channel, {
        capability: 'lock@1',
        properties: {
          locked: propertyBinding(access(state) & PUBLISHED ? [observeTopic(stateTopic, property)] : [], [
            enumMap(
              [
                [on, true],
                [off, false],
              ],
              'forward',
            ),
          ]),
        },
        ...(access(state) & SETTABLE
          ? {
              actions: {
                lock: { invoke: publishTopic(setTopic, { [property]: on }) },
                unlock: { invoke: publishTopic(setTopic, { [property]: off }) },
              },
            }
          : {}),
      });
    }
    if (type === 'fan') {
      const on = byName('state') ?? fs.find((f) => s(f.type) === 'binary' && s(f.property));
      if (!on) return add(e, type, channel, 'is a fan without an on/off feature');
      return add(
        e,
        type,
        s(on.property)!,
        { capability: 'fan@1', properties: { on: read(on, onOffMaps(on)) } },
        'its speed is not bound',
      );
    }
    if (type === 'climate') {
      const properties: NonNullable<Implementation['properties']> = {};
      const local = byName('local_temperature');
      if (local) properties.currentTemperature = read(local, [], false);
      const setpoint =
        byName('occupied_heating_setpoint') ??
        byName('current_heating_setpoint') ??
        byName('occupied_cooling_setpoint');
      if (setpoint) properties.targetTemperature = read(setpoint, []);
      const mode = byName('system_mode');
      const modes = (Array.isArray(mode?.values) ? mode.values.map(String) : []).filter((m) =>
        ['off', 'heat', 'cool', 'auto'].includes(m),
      );
      if (mode && modes.length) properties.mode = read(mode, [enumMap(modes.map((m) => [m, m]))]);
      const running = byName('running_state');
      if (running)
        properties.heating = read(
          running,
          [
            enumMap(
              [
                ['heat', true],
                ['idle', false],
                ['cool', false],
                ['fan_only', false],
              ],
              'forward',
            ),
          ],
          false,
        );
      if (!Object.keys(properties).length)
        return add(e, type, channel, 'is a climate without temperatures or a mode');
      return add(e, type, channel, { capability: 'thermostat@1', properties });
    }
    add(e, type, channel, `no library capability for a ${type}`);
  };

  for (const raw of device.exposes) {
    if (!raw || typeof raw !== 'object') continue;
    const e = raw as Expose;
    const type = s(e.type);
    if (type && ['light', 'switch', 'cover', 'lock', 'fan', 'climate'].includes(type)) composite(e);
    else generic(e);
    if (out.length >= 200) break;
  }
  return out;
};

const hasWrite = (impl: Implementation): boolean =>
  Object.values(impl.properties ?? {}).some((p) => p.write) || Object.keys(impl.actions ?? {}).length > 0;
