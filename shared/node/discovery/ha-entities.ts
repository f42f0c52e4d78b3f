/**
 * One Home Assistant discovery entity → one DiscoveredEntity (shared/core/registry/entities.ts):
 * every component HA discovery knows is read; the ones with a library capability are bound at
 * their own topics with their own payloads and templates (the common Jinja subset), the others
 * are listed as understood without a capability, and anything the subset does not read is
 * reported as unsupported with the reason, never guessed.
 */
import { checkHaTemplate, plainPathOf } from '../../core/model/ha-template';
import type { Implementation, Mapping, MqttPublish, MqttSubscription } from '../../core/model/schemas';
import {
  boundEntity,
  enumMap,
  observeTopic,
  parseAs,
  propertyBinding,
  publishTopic,
  templateMap,
  unboundEntity,
  type EntityBase,
} from '../../core/registry/entity-bindings';
import { entityId, type DiscoveredEntity } from '../../core/registry/entities';
import { haAvailability, type HaAvailability } from './ha-availability';

type Config = Readonly<Record<string, unknown>>;

class Unsupported extends Error {}
class Invalid extends Error {}

const str = (c: Config, key: string): string | undefined => {
  const v = c[key];
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
};

/** Home Assistant turns configured payloads into text (`true` → `True`). */
const pyText = (v: unknown): string =>
  v === true ? 'True' : v === false ? 'False' : v === null ? 'None' : typeof v === 'string' ? v : String(v);

/** The spellings a configured state may arrive in, depending on whether it was read as JSON or text. */
const variants = (v: unknown): unknown[] => {
  const text = pyText(v);
  const out: unknown[] = [text];
  if (typeof v === 'boolean') out.push(v, String(v));
  else if (/^(true|false)$/i.test(text)) out.push(/^true$/i.test(text));
  if (typeof v === 'number') out.push(v);
  else if (/^-?\d+(\.\d+)?$/.test(text)) out.push(Number(text));
  return [...new Set(out)];
};

/** Pairs for a forward enum: every spelling of each state → its value. */
const statePairs = (pairs: readonly (readonly [unknown, unknown])[]): [unknown, unknown][] => {
  const seen = new Set<string>();
  const out: [unknown, unknown][] = [];
  for (const [device, value] of pairs) {
    if (device === undefined || device === null) continue;
    for (const v of variants(device)) {
      const k = JSON.stringify(v);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push([v, value]);
    }
  }
  return out;
};

/** How to read a value from a state topic: the subscription and the mappings a value template needs. */
const reader = (
  topic: string,
  template: unknown,
  what: string,
): { sub: MqttSubscription; maps: Mapping[] } => {
  if (typeof template !== 'string' || template.trim() === '') return { sub: observeTopic(topic), maps: [] };
  const checked = checkHaTemplate(template);
  if (!checked.ok) throw new Unsupported(`its ${what} ${checked.reason}`);
  const path = plainPathOf(checked.template);
  if (path !== undefined) return { sub: observeTopic(topic, path || undefined), maps: [] };
  return { sub: observeTopic(topic), maps: [templateMap(template, 'forward')] };
};

/** A command template as a reverse mapping (run last on the way out), or nothing. */
const commandMaps = (template: unknown, what: string): Mapping[] => {
  if (typeof template !== 'string' || template.trim() === '') return [];
  const checked = checkHaTemplate(template);
  if (!checked.ok) throw new Unsupported(`its ${what} ${checked.reason}`);
  return [templateMap(template, 'reverse')];
};

const retainOf = (c: Config) => c.retain === true;

/** A boolean property read from states and written with payloads (switch, siren, fan and light on/off). */
const onOff = (
  c: Config,
  o: {
    stateTopic?: string;
    valueTemplate?: unknown;
    commandTopic?: string;
    commandTemplate?: unknown;
    payloadOn: unknown;
    payloadOff: unknown;
    stateOn: unknown;
    stateOff: unknown;
    commandPayload?: unknown;
  },
) => {
  const read = o.stateTopic ? reader(o.stateTopic, o.valueTemplate, 'value template') : undefined;
  const forward = enumMap(
    statePairs([
      [o.stateOn, true],
      [o.stateOff, false],
    ]),
    'forward',
  );
  const reverse = enumMap(
    [
      [pyText(o.payloadOn), true],
      [pyText(o.payloadOff), false],
    ],
    'reverse',
  );
  // Chains decode in order and encode backwards: the command template runs last on the way out.
  const maps: Mapping[] = [
    ...commandMaps(o.commandTemplate, 'command template'),
    ...(read?.maps ?? []),
    forward,
    reverse,
  ];
  const write = o.commandTopic
    ? publishTopic(o.commandTopic, o.commandPayload ?? '{{value}}', retainOf(c))
    : undefined;
  return propertyBinding(read ? [read.sub] : [], maps, write);
};

/** A number read from a topic (parsed, then converted with `extra`). */
const numberFrom = (topic: string, template: unknown, extra: Mapping[] = []) => {
  const read = reader(topic, template, 'value template');
  return propertyBinding([read.sub], [...read.maps, parseAs('number'), ...extra]);
};

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

/** Components HA discovery knows that no library capability stands for. */
const UNMAPPED = new Set([
  'alarm_control_panel',
  'camera',
  'date',
  'datetime',
  'device_tracker',
  'humidifier',
  'image',
  'lawn_mower',
  'notify',
  'number',
  'scene',
  'select',
  'tag',
  'text',
  'time',
  'update',
  'vacuum',
  'water_heater',
]);

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

const required = (c: Config, key: string, component: string): string => {
  const v = str(c, key);
  if (!v) throw new Invalid(`has no ${key}, which a Home Assistant ${component} needs`);
  return v;
};

const switchLike = (c: Config, capability: string, component: string): Implementation => {
  const payloadOn = c.payload_on ?? 'ON';
  const payloadOff = c.payload_off ?? 'OFF';
  return {
    capability,
    properties: {
      on: onOff(c, {
        stateTopic: str(c, 'state_topic'),
        valueTemplate: c.value_template,
        commandTopic: required(c, 'command_topic', component),
        commandTemplate: c.command_template,
        payloadOn,
        payloadOff,
        stateOn: c.state_on ?? payloadOn,
        stateOff: c.state_off ?? payloadOff,
      }),
    },
  };
};

const sensor = (c: Config): Implementation | string => {
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

const binarySensor = (c: Config): Implementation | string => {
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

const COLOR_KEYS = [
  'rgb_command_topic',
  'rgbw_command_topic',
  'rgbww_command_topic',
  'hs_command_topic',
  'xy_command_topic',
  'color_temp_command_topic',
];
const COLOR_MODES = new Set(['rgb', 'rgbw', 'rgbww', 'hs', 'xy', 'color_temp', 'white']);

/** A light in any of its three schemas; returns the binding and a note on what was left unbound. */
const light = (c: Config): { impl: Implementation; note?: string } => {
  const schema = str(c, 'schema') ?? 'default';
  const commandTopic = required(c, 'command_topic', 'light');
  const modes = Array.isArray(c.supported_color_modes) ? c.supported_color_modes.map(String) : [];
  if (schema === 'json') {
    const color =
      modes.some((m) => COLOR_MODES.has(m)) ||
      c.rgb === true ||
      c.xy === true ||
      c.hs === true ||
      c.color_temp === true;
    const dimmable = color || c.brightness === true || modes.includes('brightness');
    const stateTopic = str(c, 'state_topic');
    const scale = typeof c.brightness_scale === 'number' && c.brightness_scale > 0 ? c.brightness_scale : 255;
    const properties: NonNullable<Implementation['properties']> = {
      on: propertyBinding(
        stateTopic ? [observeTopic(stateTopic, 'state')] : [],
        [
          enumMap(
            statePairs([
              ['ON', true],
              ['OFF', false],
            ]),
            'forward',
          ),
          enumMap(
            [
              ['ON', true],
              ['OFF', false],
            ],
            'reverse',
          ),
        ],
        publishTopic(commandTopic, { state: '{{value}}' }, retainOf(c)),
      ),
    };
    if (dimmable) {
      properties.brightness = propertyBinding(
        stateTopic ? [observeTopic(stateTopic, 'brightness')] : [],
        [
          {
            kind: 'linear',
            device: [0, scale],
            value: [0, 100],
            decimals: 0,
            deviceDecimals: 0,
            clamp: true,
          },
        ],
        publishTopic(commandTopic, { state: 'ON', brightness: '{{value}}' }, retainOf(c)),
      );
    }
    return {
      impl: { capability: color ? 'color-light@1' : dimmable ? 'dimmer@1' : 'switch@1', properties },
      ...(color ? { note: 'colour and colour temperature are not bound' } : {}),
    };
  }
  if (schema === 'template') {
    const onTpl = checkHaTemplate(String(c.command_on_template ?? ''));
    const offTpl = checkHaTemplate(String(c.command_off_template ?? ''));
    if (!onTpl.ok) throw new Unsupported(`its command_on_template ${onTpl.reason}`);
    if (!offTpl.ok) throw new Unsupported(`its command_off_template ${offTpl.reason}`);
    if (onTpl.template.parts.some((p) => 'expr' in p) || offTpl.template.parts.some((p) => 'expr' in p))
      throw new Unsupported(
        'its command templates need the state to render, which the template subset does not give them',
      );
    const stateTopic = str(c, 'state_topic');
    const read = stateTopic ? reader(stateTopic, c.state_template, 'state template') : undefined;
    return {
      impl: {
        capability: 'switch@1',
        properties: {
          on: propertyBinding(
            read ? [read.sub] : [],
            [
              ...(read?.maps ?? []),
              enumMap(
                statePairs([
                  ['on', true],
                  ['off', false],
                ]),
                'forward',
              ),
              enumMap(
                [
                  [String(c.command_on_template), true],
                  [String(c.command_off_template), false],
                ],
                'reverse',
              ),
            ],
            publishTopic(commandTopic, '{{value}}', retainOf(c)),
          ),
        },
      },
      ...(c.brightness_template
        ? { note: 'brightness is not bound (the template schema renders it into the on command)' }
        : {}),
    };
  }
  if (schema !== 'default' && schema !== 'basic') throw new Unsupported(`uses the light schema "${schema}"`);
  const payloadOn = c.payload_on ?? 'ON';
  const payloadOff = c.payload_off ?? 'OFF';
  const color = COLOR_KEYS.some((k) => str(c, k)) || modes.some((m) => COLOR_MODES.has(m));
  const brightnessTopic = str(c, 'brightness_command_topic');
  const properties: NonNullable<Implementation['properties']> = {
    on: onOff(c, {
      stateTopic: str(c, 'state_topic'),
      valueTemplate: c.state_value_template,
      commandTopic,
      payloadOn,
      payloadOff,
      stateOn: payloadOn,
      stateOff: payloadOff,
    }),
  };
  if (brightnessTopic) {
    const scale = typeof c.brightness_scale === 'number' && c.brightness_scale > 0 ? c.brightness_scale : 255;
    const stateTopic = str(c, 'brightness_state_topic');
    const read = stateTopic
      ? reader(stateTopic, c.brightness_value_template, 'brightness value template')
      : undefined;
    properties.brightness = propertyBinding(
      read ? [read.sub] : [],
      [
        ...commandMaps(c.brightness_command_template, 'brightness command template'),
        ...(read?.maps ?? []),
        { kind: 'linear', device: [0, scale], value: [0, 100], decimals: 0, deviceDecimals: 0, clamp: true },
      ],
      publishTopic(brightnessTopic, '{{value}}', retainOf(c)),
    );
  }
  const capability = color ? 'color-light@1' : brightnessTopic ? 'dimmer@1' : 'switch@1';
  return {
    impl: { capability, properties },
    ...(color
      ? { note: `colour${brightnessTopic ? '' : ', brightness'} and colour temperature are not bound` }
      : {}),
  };
};

const cover = (c: Config): Implementation => {
  const properties: NonNullable<Implementation['properties']> = {};
  const stateTopic = str(c, 'state_topic');
  if (stateTopic) {
    const read = reader(stateTopic, c.value_template, 'value template');
    properties.state = propertyBinding(
      [read.sub],
      [
        ...read.maps,
        enumMap(
          statePairs([
            [c.state_open ?? 'open', 'open'],
            [c.state_opening ?? 'opening', 'opening'],
            [c.state_closed ?? 'closed', 'closed'],
            [c.state_closing ?? 'closing', 'closing'],
            [c.state_stopped ?? 'stopped', 'stopped'],
          ]),
          'forward',
        ),
      ],
    );
  }
  const positionTopic = str(c, 'position_topic');
  const setPosition = str(c, 'set_position_topic');
  const open = typeof c.position_open === 'number' ? c.position_open : 100;
  const closed = typeof c.position_closed === 'number' ? c.position_closed : 0;
  if (positionTopic || setPosition) {
    const read = positionTopic ? reader(positionTopic, c.position_template, 'position template') : undefined;
    properties.position = propertyBinding(
      read ? [read.sub] : [],
      [
        ...commandMaps(c.set_position_template, 'set position template'),
        ...(read?.maps ?? []),
        ...(read ? [parseAs('number')] : []),
        {
          kind: 'linear',
          device: [closed, open],
          value: [0, 100],
          decimals: 0,
          deviceDecimals: 0,
          clamp: true,
        },
      ],
      setPosition ? publishTopic(setPosition, '{{value}}', retainOf(c)) : undefined,
    );
  }
  const commandTopic = str(c, 'command_topic');
  const actions: NonNullable<Implementation['actions']> = {};
  if (commandTopic) {
    for (const [action, key, fallback] of [
      ['open', 'payload_open', 'OPEN'],
      ['close', 'payload_close', 'CLOSE'],
      ['stop', 'payload_stop', 'STOP'],
    ] as const) {
      const payload = Object.hasOwn(c, key) ? c[key] : fallback;
      if (payload === null || payload === undefined) continue;
      actions[action] = { invoke: publishTopic(commandTopic, pyText(payload), retainOf(c)) };
    }
  }
  if (!Object.keys(properties).length && !Object.keys(actions).length)
    throw new Invalid('has neither a state, a position nor a command topic');
  return {
    capability: 'cover@1',
    ...(Object.keys(properties).length ? { properties } : {}),
    ...(Object.keys(actions).length ? { actions } : {}),
  };
};

const lock = (c: Config): Implementation => {
  const commandTopic = required(c, 'command_topic', 'lock');
  const stateTopic = str(c, 'state_topic');
  const read = stateTopic ? reader(stateTopic, c.value_template, 'value template') : undefined;
  const actions: NonNullable<Implementation['actions']> = {
    lock: { invoke: publishTopic(commandTopic, pyText(c.payload_lock ?? 'LOCK'), retainOf(c)) },
    unlock: { invoke: publishTopic(commandTopic, pyText(c.payload_unlock ?? 'UNLOCK'), retainOf(c)) },
  };
  return {
    capability: 'lock@1',
    ...(read
      ? {
          properties: {
            locked: propertyBinding(
              [read.sub],
              [
                ...read.maps,
                enumMap(
                  statePairs([
                    [c.state_locked ?? 'LOCKED', true],
                    [c.state_unlocked ?? 'UNLOCKED', false],
                  ]),
                  'forward',
                ),
              ],
            ),
          },
        }
      : {}),
    actions,
  };
};

/**
 * A button of device class `identify` presses by publishing `payload_press` (HA's default `PRESS`)
 * to its command topic; a button of any other class (restart, update…) stands for no capability.
 */
const button = (c: Config): Implementation | string => {
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

const fan = (c: Config): Implementation => {
  const payloadOn = c.payload_on ?? 'ON';
  const payloadOff = c.payload_off ?? 'OFF';
  const properties: NonNullable<Implementation['properties']> = {
    on: onOff(c, {
      stateTopic: str(c, 'state_topic'),
      valueTemplate: c.state_value_template,
      commandTopic: required(c, 'command_topic', 'fan'),
      commandTemplate: c.command_template,
      payloadOn,
      payloadOff,
      stateOn: payloadOn,
      stateOff: payloadOff,
    }),
  };
  const pctCommand = str(c, 'percentage_command_topic');
  const pctState = str(c, 'percentage_state_topic');
  if (pctCommand || pctState) {
    const min = typeof c.speed_range_min === 'number' ? c.speed_range_min : 1;
    const max = typeof c.speed_range_max === 'number' ? c.speed_range_max : 100;
    const read = pctState
      ? reader(pctState, c.percentage_value_template, 'percentage value template')
      : undefined;
    properties.speed = propertyBinding(
      read ? [read.sub] : [],
      [
        ...commandMaps(c.percentage_command_template, 'percentage command template'),
        ...(read?.maps ?? []),
        ...(read ? [parseAs('number')] : []),
        {
          kind: 'linear',
          device: [min - 1, max],
          value: [0, 100],
          decimals: 0,
          deviceDecimals: 0,
          clamp: true,
        },
      ],
      pctCommand ? publishTopic(pctCommand, '{{value}}', retainOf(c)) : undefined,
    );
  }
  return { capability: 'fan@1', properties };
};

const valve = (c: Config): { impl: Implementation; note?: string } => {
  const commandTopic = str(c, 'command_topic');
  const stateTopic = str(c, 'state_topic');
  const positional = c.reports_position === true;
  if (!commandTopic && !stateTopic) throw new Invalid('has neither a state nor a command topic');
  const read = stateTopic && !positional ? reader(stateTopic, c.value_template, 'value template') : undefined;
  const payloadOpen = pyText(c.payload_open ?? 'OPEN');
  const payloadClose = pyText(c.payload_close ?? 'CLOSE');
  const impl: Implementation = {
    capability: 'valve@1',
    properties: {
      open: propertyBinding(
        read ? [read.sub] : [],
        [
          ...(read?.maps ?? []),
          enumMap(
            statePairs([
              [c.state_open ?? 'open', true],
              [c.state_closed ?? 'closed', false],
            ]),
            'forward',
          ),
          enumMap(
            [
              [payloadOpen, true],
              [payloadClose, false],
            ],
            'reverse',
          ),
        ],
        commandTopic ? publishTopic(commandTopic, '{{value}}', retainOf(c)) : undefined,
      ),
    },
    ...(commandTopic
      ? {
          actions: {
            open: { invoke: publishTopic(commandTopic, payloadOpen, retainOf(c)) },
            close: { invoke: publishTopic(commandTopic, payloadClose, retainOf(c)) },
          },
        }
      : {}),
  };
  return { impl, ...(positional ? { note: 'its state is a position, so open/closed is not read' } : {}) };
};

const MODES = ['off', 'heat', 'cool', 'auto'];

const climate = (c: Config): Implementation => {
  const properties: NonNullable<Implementation['properties']> = {};
  const current = str(c, 'current_temperature_topic');
  if (current) properties.currentTemperature = numberFrom(current, c.current_temperature_template);
  const tState = str(c, 'temperature_state_topic');
  const tCommand = str(c, 'temperature_command_topic');
  if (tState || tCommand) {
    const read = tState
      ? reader(tState, c.temperature_state_template, 'temperature state template')
      : undefined;
    properties.targetTemperature = propertyBinding(
      read ? [read.sub] : [],
      [
        ...commandMaps(c.temperature_command_template, 'temperature command template'),
        ...(read?.maps ?? []),
        parseAs('number'),
      ],
      tCommand ? publishTopic(tCommand, '{{value}}', retainOf(c)) : undefined,
    );
  }
  const mState = str(c, 'mode_state_topic');
  const mCommand = str(c, 'mode_command_topic');
  if (mState || mCommand) {
    const modes = (
      Array.isArray(c.modes) ? c.modes.map(String) : ['auto', 'off', 'cool', 'heat', 'dry', 'fan_only']
    ).filter((m) => MODES.includes(m));
    const read = mState ? reader(mState, c.mode_state_template, 'mode state template') : undefined;
    if (modes.length)
      properties.mode = propertyBinding(
        read ? [read.sub] : [],
        [
          ...commandMaps(c.mode_command_template, 'mode command template'),
          ...(read?.maps ?? []),
          enumMap(modes.map((m) => [m, m])),
        ],
        mCommand ? publishTopic(mCommand, '{{value}}', retainOf(c)) : undefined,
      );
  }
  const action = str(c, 'action_topic');
  if (action) {
    const read = reader(action, c.action_template, 'action template');
    properties.heating = propertyBinding(
      [read.sub],
      [
        ...read.maps,
        enumMap(
          ['off', 'heating', 'cooling', 'drying', 'idle', 'fan', 'preheating', 'defrosting'].map((a) => [
            a,
            a === 'heating',
          ]),
          'forward',
        ),
      ],
    );
  }
  if (!Object.keys(properties).length) throw new Invalid('has no temperature, mode or action topic');
  return { capability: 'thermostat@1', properties };
};

const event = (c: Config): { impl: Implementation; note?: string } => {
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

const deviceTrigger = (c: Config): Implementation => {
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

/** What reading one entity gave: the entity, and how it says it is online. */
export interface HaEntityResult {
  readonly entity: DiscoveredEntity;
  readonly availability: HaAvailability | null;
}

/**
 * Reads one expanded discovery config (abbreviations spelled out, `~` substituted) of `component`
 * announced on `configTopic` with object id `objectId`; `taken` keeps entity ids unique per device.
 */
export const haEntity = (
  configTopic: string,
  component: string,
  objectId: string,
  config: Config,
  taken: Set<string>,
): HaEntityResult => {
  const base: EntityBase = {
    id: entityId(`${component}_${objectId}`, taken),
    ecosystem: 'homeassistant',
    component,
    name: str(config, 'name') ?? objectId,
    channel: objectId,
    raw: { topic: configTopic, config },
    ...((str(config, 'state_topic') ?? str(config, 'topic'))
      ? { state_topic: str(config, 'state_topic') ?? str(config, 'topic') }
      : {}),
    ...(str(config, 'command_topic') ? { command_topic: str(config, 'command_topic') } : {}),
  };
  const availability = haAvailability(config);
  const done = (entity: DiscoveredEntity): HaEntityResult => ({ entity, availability });
  try {
    if (UNMAPPED.has(component))
      return done(unboundEntity(base, 'unmapped', `no library capability for a Home Assistant ${component}`));
    let result: Implementation | string | { impl: Implementation; note?: string };
    switch (component) {
      case 'switch':
        result = switchLike(config, 'switch@1', component);
        break;
      case 'siren':
        result = switchLike(config, 'siren@1', component);
        break;
      case 'light':
        result = light(config);
        break;
      case 'sensor':
        result = sensor(config);
        break;
      case 'binary_sensor':
        result = binarySensor(config);
        break;
      case 'cover':
        result = cover(config);
        break;
      case 'lock':
        result = lock(config);
        break;
      case 'button':
        result = button(config);
        break;
      case 'fan':
        result = fan(config);
        break;
      case 'valve':
        result = valve(config);
        break;
      case 'climate':
        result = climate(config);
        break;
      case 'event':
        result = event(config);
        break;
      case 'device_automation':
        result = deviceTrigger(config);
        break;
      default:
        return done(
          unboundEntity(base, 'unsupported', `is a "${component}", a component Fieldgraph does not know`),
        );
    }
    if (typeof result === 'string') return done(unboundEntity(base, 'unmapped', result));
    const { impl, note } = 'impl' in result ? result : { impl: result, note: undefined };
    return done(boundEntity(base, impl, note));
  } catch (error) {
    if (error instanceof Unsupported) return done(unboundEntity(base, 'unsupported', error.message));
    if (error instanceof Invalid) return done(unboundEntity(base, 'invalid', error.message));
    throw error;
  }
};

/** The command topic an implementation publishes to first, for lists. */
export const firstCommandTopic = (impl: Implementation): string | undefined => {
  const ops: MqttPublish[] = [
    ...Object.values(impl.properties ?? {}).flatMap((p) => (p.write?.kind === 'mqtt' ? [p.write] : [])),
    ...Object.values(impl.actions ?? {}).flatMap((a) => (a.invoke.kind === 'mqtt' ? [a.invoke] : [])),
  ];
  return ops[0]?.topic;
};
