/**
 * Home Assistant sensors and binary sensors (by device class and unit) and the press-like
 * entities (identify button, event, device trigger) → library capabilities.
 */
import { checkHaTemplate } from '../../core/model/ha-template';
import type { Implementation, Mapping, MqttSubscription } from '../../core/model/schemas';
import {
  enumMap,
  observeTopic,
  propertyBinding,
  publishTopic,
  templateMap,
} from '../../core/registry/entity-bindings';
import {
  type Config,
  Unsupported,
  str,
  pyText,
  statePairs,
  reader,
  retainOf,
  numberFrom,
  required,
} from './ha-entity-read';

/** Sensor device classes → capability, property, and the conversion per unit (absent: the unit is taken as is). */
const SENSORS: Readonly<
  Record<string, { capability: string; property: string; units?: Readonly<Record<string, Mapping | null>> }>
> = {
  temperature: {
    capability: 'temperature@1',
    property: 'temperature',
    units: {
      '°C': null,
      '℃': null,
      C: null,
      '°F': { kind: 'linear', device: [32, 212], value: [0, 100], decimals: 2 },
      '℉': { kind: 'linear', device: [32, 212], value: [0, 100], decimals: 2 },
      K: { kind: 'linear', device: [273.15, 373.15], value: [0, 100], decimals: 2 },
    },
  },
  humidity: { capability: 'humidity@1', property: 'humidity', units: { '%': null } },
  moisture: { capability: 'humidity@1', property: 'humidity', units: { '%': null } },
  pressure: {
    capability: 'pressure@1',
    property: 'pressure',
    units: {
      hPa: null,
      mbar: null,
      Pa: { kind: 'linear', device: [0, 100], value: [0, 1] },
      kPa: { kind: 'linear', device: [0, 1], value: [0, 10] },
      bar: { kind: 'linear', device: [0, 1], value: [0, 1000] },
    },
  },
  atmospheric_pressure: {
    capability: 'pressure@1',
    property: 'pressure',
    units: { hPa: null, mbar: null, kPa: { kind: 'linear', device: [0, 1], value: [0, 10] } },
  },
  illuminance: { capability: 'illuminance@1', property: 'illuminance', units: { lx: null } },
  power: {
    capability: 'power-meter@1',
    property: 'power',
    units: { W: null, kW: { kind: 'linear', device: [0, 1], value: [0, 1000] } },
  },
  voltage: {
    capability: 'power-meter@1',
    property: 'voltage',
    units: { V: null, mV: { kind: 'linear', device: [0, 1000], value: [0, 1] } },
  },
  current: {
    capability: 'power-meter@1',
    property: 'current',
    units: { A: null, mA: { kind: 'linear', device: [0, 1000], value: [0, 1] } },
  },
  energy: {
    capability: 'energy-meter@1',
    property: 'energy',
    units: {
      kWh: null,
      Wh: { kind: 'linear', device: [0, 1000], value: [0, 1] },
      MWh: { kind: 'linear', device: [0, 1], value: [0, 1000] },
    },
  },
  battery: { capability: 'battery@1', property: 'level', units: { '%': null } },
  signal_strength: { capability: 'signal-strength@1', property: 'rssi', units: { dBm: null } },
  carbon_dioxide: { capability: 'air-quality@1', property: 'co2', units: { ppm: null } },
  pm25: { capability: 'air-quality@1', property: 'pm25', units: { 'µg/m³': null, 'μg/m³': null } },
  volatile_organic_compounds_parts: { capability: 'air-quality@1', property: 'voc', units: { ppb: null } },
};
/** Binary sensor device classes → capability and property (ON means the property is true). */
const BINARY: Readonly<Record<string, { capability: string; property: string }>> = {
  motion: { capability: 'motion@1', property: 'motion' },
  occupancy: { capability: 'occupancy@1', property: 'occupied' },
  presence: { capability: 'occupancy@1', property: 'occupied' },
  door: { capability: 'contact@1', property: 'open' },
  window: { capability: 'contact@1', property: 'open' },
  opening: { capability: 'contact@1', property: 'open' },
  garage_door: { capability: 'contact@1', property: 'open' },
  moisture: { capability: 'water-leak@1', property: 'leak' },
  smoke: { capability: 'smoke@1', property: 'smoke' },
  battery: { capability: 'battery@1', property: 'low' },
};
/** HA event types (and device trigger types) → the press the button capability names. */
const pressOf = (type: string): string | undefined => {
  const t = type.toLowerCase();
  if (/(^|_)(triple|3x)/.test(t)) return 'triple';
  if (/(^|_)(double|2x|dbl)/.test(t)) return 'double';
  if (/(^|_)(long|hold)/.test(t)) return 'long';
  if (
    /^(single|press|click|short|button_short_press|single_press|short_press|pressed|on|toggle)$|_single$|_press$|_click$/.test(
      t,
    )
  )
    return 'single';
  return undefined;
};
/** A sensor bound by device class and unit, or the reason it stands for no capability. */
export const sensor = (c: Config): Implementation | string => {
  const topic = required(c, 'state_topic', 'sensor');
  const deviceClass = str(c, 'device_class');
  const spec = deviceClass ? SENSORS[deviceClass] : undefined;
  if (!spec)
    return deviceClass
      ? `no library capability for a ${deviceClass} sensor`
      : 'a sensor without a device class (no capability says what it measures)';
  const unit = str(c, 'unit_of_measurement');
  let extra: Mapping[] = [];
  if (spec.units && unit !== undefined) {
    if (!Object.hasOwn(spec.units, unit))
      throw new Unsupported(`is in ${unit}, a unit Fieldgraph does not convert for ${spec.capability}`);
    const conversion = spec.units[unit];
    extra = conversion ? [conversion] : [];
  }
  return {
    capability: spec.capability,
    properties: { [spec.property]: numberFrom(topic, c.value_template, extra) },
  };
};
/** A binary sensor bound by device class (ON is true), or the reason it stands for no capability. */
export const binarySensor = (c: Config): Implementation | string => {
  const topic = required(c, 'state_topic', 'binary_sensor');
  const deviceClass = str(c, 'device_class');
  const spec = deviceClass ? BINARY[deviceClass] : undefined;
  if (!spec)
    return deviceClass
      ? `no library capability for a ${deviceClass} binary sensor`
      : 'a binary sensor without a device class (no capability says what it detects)';
  const read = reader(topic, c.value_template, 'value template');
  return {
    capability: spec.capability,
    properties: {
      [spec.property]: propertyBinding(
        [read.sub],
        [
          ...read.maps,
          enumMap(
            statePairs([
              [c.payload_on ?? 'ON', true],
              [c.payload_off ?? 'OFF', false],
            ]),
            'forward',
          ),
        ],
      ),
    },
  };
};
/**
 * A button of device class `identify` presses by publishing `payload_press` (HA's default `PRESS`)
 * to its command topic; a button of any other class (restart, update…) stands for no capability.
 */
export const button = (c: Config): Implementation | string => {
  const deviceClass = str(c, 'device_class');
  if (deviceClass !== 'identify')
    return `no library capability for a Home Assistant button${deviceClass ? ` of class ${deviceClass}` : ''}`;
  const commandTopic = required(c, 'command_topic', 'button');
  if (c.command_template !== undefined)
    throw new Unsupported('its command_template renders the press payload, which is not read');
  return {
    capability: 'identify@1',
    actions: {
      identify: { invoke: publishTopic(commandTopic, pyText(c.payload_press ?? 'PRESS'), retainOf(c)) },
    },
  };
};
/** An event entity: the presses its event types name, from its state topic. */
export const event = (c: Config): { impl: Implementation; note?: string } => {
  const topic = required(c, 'state_topic', 'event');
  const types = Array.isArray(c.event_types) ? c.event_types.map(String) : [];
  const pairs = types.flatMap((t) => {
    const press = pressOf(t);
    return press ? [[t, press] as const] : [];
  });
  if (!pairs.length)
    throw new Unsupported(`has event types (${types.join(', ') || 'none'}) that are not presses`);
  let sub: MqttSubscription;
  let maps: Mapping[];
  if (c.value_template === undefined) {
    sub = observeTopic(topic, 'event_type');
    maps = [];
  } else {
    const checked = checkHaTemplate(String(c.value_template));
    if (!checked.ok) throw new Unsupported(`its value template ${checked.reason}`);
    // The template renders the JSON {"event_type": …}; the subset can only pass a payload through.
    throw new Unsupported(
      'its value template builds the event JSON, which the template subset does not read',
    );
  }
  const skipped = types.filter((t) => !pressOf(t));
  return {
    impl: {
      capability: 'button@1',
      events: { pressed: { subscribe: [sub], map: [...maps, enumMap(pairs, 'forward')] } },
    },
    ...(skipped.length
      ? { note: `event types ${skipped.join(', ')} are not presses and are not bound` }
      : {}),
  };
};
/** A device trigger (`device_automation`): one press from a fixed payload on its topic. */
export const deviceTrigger = (c: Config): Implementation => {
  const topic = required(c, 'topic', 'device_automation');
  const type = str(c, 'type') ?? '';
  const press = pressOf(type) ?? pressOf(str(c, 'subtype') ?? '');
  if (!press) throw new Unsupported(`is a "${type}" trigger, not a press`);
  const read = reader(topic, c.value_template, 'value template');
  const payload = c.payload;
  // Only the configured payload is this trigger; any other payload on the topic is another one.
  // Without a payload, every message on the topic is this press.
  const filter =
    payload === undefined
      ? templateMap(`{{ '${press}' }}`, 'forward')
      : enumMap(statePairs([[payload, press]]), 'forward');
  return {
    capability: 'button@1',
    events: { pressed: { subscribe: [read.sub], map: [...read.maps, filter] } },
  };
};
