/**
 * Home Assistant services on one entity as writes to its role: each service of a domain a
 * capability describes, with the service data keys it takes mapped to that capability's members
 * (a light's brightness and colour, a cover's position, a fan's percentage, a thermostat's target
 * temperature and mode). A key with no member, or a value outside the member's range, is a reason
 * naming the key; a key whose only effect is how the change looks (a light's transition) is left
 * out with a note.
 */

/** One write to a role: a property set to a CEL value, or an action. */
export type Write = { readonly property: string; readonly value: string } | { readonly action: string };

/** What one service on one entity becomes: the role's capability, the writes in order, notes. */
export interface ServicePlan {
  readonly capability: string;
  readonly writes: readonly Write[];
  readonly notes: readonly string[];
}

/** The service data, literal values only, by key. */
export type ServiceData = Readonly<Record<string, unknown>>;

type Plan = ServicePlan | { readonly reason: string };
type Service = (data: ServiceData, role: string) => Plan;

/** A number from a literal (Home Assistant coerces numeric text), within a range, or why not. */
const numberIn = (
  data: ServiceData,
  key: string,
  min: number,
  max: number,
  unit: string,
): { n: number } | { reason: string } => {
  const raw = data[key];
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n))
    return { reason: `Its service data “${key}” (${JSON.stringify(raw)}) is not a number.` };
  if (n < min || n > max)
    return { reason: `Its service data “${key}” is ${n}, outside ${min}–${max}${unit} that the role takes.` };
  return { n };
};

/** Keys no entry took: the reason naming them, or nothing. */
const leftOver = (
  data: ServiceData,
  taken: readonly string[],
  what: string,
): { reason: string } | undefined => {
  const rest = Object.keys(data).filter((k) => !taken.includes(k));
  return rest.length
    ? {
        reason: `It sends service data ${rest.map((k) => `“${k}”`).join(', ')} that ${what} has no member for.`,
      }
    : undefined;
};

/** A transition only changes how a light fades; left out, it is noted. */
const transitionNote = (data: ServiceData): string[] =>
  'transition' in data
    ? [`Its transition (${JSON.stringify(data.transition)} s) is left out: the light changes at once.`]
    : [];

const on = (value: boolean): Write => ({ property: 'on', value: String(value) });

const plain =
  (capability: string, writes: readonly Write[], what: string): Service =>
  (data) =>
    leftOver(data, [], what) ?? { capability, writes, notes: [] };

const toggle =
  (what: string, keep: readonly string[] = [], capability = 'switch@1'): Service =>
  (data, role) =>
    leftOver(data, keep, what) ?? {
      capability,
      writes: [{ property: 'on', value: `!roles.${role}.on` }],
      notes: ['Toggle sets the opposite of the last state the gateway saw.', ...transitionNote(data)],
    };

/** light.turn_on: brightness (0–255 or %), colour (RGB) and colour temperature (K or mireds), then on. */
const lightOn: Service = (data) => {
  const known = [
    'transition',
    'brightness',
    'brightness_pct',
    'rgb_color',
    'color_temp_kelvin',
    'kelvin',
    'color_temp',
  ];
  const rest = leftOver(
    data,
    known,
    'a light role (on, brightness in %, RGB colour, colour temperature in K)',
  );
  if (rest) return rest;
  const writes: Write[] = [];
  const notes = transitionNote(data);
  let capability = 'switch@1';
  const colour = data.rgb_color;
  if (colour !== undefined) {
    if (
      !Array.isArray(colour) ||
      colour.length !== 3 ||
      !colour.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 255)
    )
      return {
        reason: `Its service data “rgb_color” (${JSON.stringify(colour)}) is not three whole numbers 0–255.`,
      };
    const [r, g, b] = colour as number[];
    writes.push({ property: 'color', value: `{"r": ${r}, "g": ${g}, "b": ${b}}` });
    capability = 'color-light@1';
  }
  const kelvinKey = ['color_temp_kelvin', 'kelvin'].find((k) => k in data);
  if (kelvinKey && 'color_temp' in data)
    return { reason: 'It sends two colour temperatures (kelvin and mireds); Home Assistant refuses that.' };
  if (kelvinKey) {
    const k = numberIn(data, kelvinKey, 1000, 10000, ' K');
    if ('reason' in k) return k;
    writes.push({ property: 'colorTemperature', value: String(Math.round(k.n)) });
    capability = 'color-light@1';
  } else if ('color_temp' in data) {
    const m = numberIn(data, 'color_temp', 100, 1000, ' mireds');
    if ('reason' in m) return m;
    const kelvin = Math.round(1_000_000 / m.n);
    writes.push({ property: 'colorTemperature', value: String(kelvin) });
    notes.push(`Its colour temperature of ${m.n} mireds is written as ${kelvin} K.`);
    capability = 'color-light@1';
  }
  if ('brightness' in data && 'brightness_pct' in data)
    return { reason: 'It sends both “brightness” and “brightness_pct”; Home Assistant refuses that.' };
  let percent: number | undefined;
  if ('brightness_pct' in data) {
    const p = numberIn(data, 'brightness_pct', 0, 100, ' %');
    if ('reason' in p) return p;
    percent = Math.round(p.n);
    if (percent !== p.n) notes.push(`Its brightness of ${p.n} % is written as ${percent} %, a whole number.`);
  } else if ('brightness' in data) {
    const b = numberIn(data, 'brightness', 0, 255, '');
    if ('reason' in b) return b;
    percent = Math.round((b.n * 100) / 255);
    notes.push(`Its brightness of ${b.n} (of 255) is written as ${percent} %, the dimmer’s scale.`);
  }
  if (percent === 0) {
    // Home Assistant turns a light off when asked for brightness 0.
    if (writes.length) return { reason: 'It sets a colour with brightness 0, which turns the light off.' };
    return {
      capability: 'switch@1',
      writes: [on(false)],
      notes: [...notes, 'Brightness 0 turns the light off.'],
    };
  }
  if (percent !== undefined) {
    writes.push({ property: 'brightness', value: String(percent) });
    if (capability === 'switch@1') capability = 'dimmer@1';
  }
  if (writes.length) notes.push('It sets the light’s colour and brightness first, then turns it on.');
  return { capability, writes: [...writes, on(true)], notes };
};

/** fan.turn_on / fan.set_percentage: the speed, then on; 0 % turns the fan off. */
const fanSpeed =
  (required: boolean): Service =>
  (data) => {
    const rest = leftOver(data, ['percentage'], 'a fan role (on, speed in %)');
    if (rest) return rest;
    if (!('percentage' in data))
      return required
        ? { reason: 'It sets a fan’s percentage without one.' }
        : { capability: 'switch@1', writes: [on(true)], notes: [] };
    const p = numberIn(data, 'percentage', 0, 100, ' %');
    if ('reason' in p) return p;
    if (!Number.isInteger(p.n)) return { reason: `Its fan percentage ${p.n} is not a whole number.` };
    if (p.n === 0)
      return { capability: 'switch@1', writes: [on(false)], notes: ['A percentage of 0 turns the fan off.'] };
    return { capability: 'fan@1', writes: [{ property: 'speed', value: String(p.n) }, on(true)], notes: [] };
  };

const MODES = new Set(['off', 'heat', 'cool', 'auto']);

/** An HVAC mode the thermostat's mode names, or why not. */
const modeOf = (data: ServiceData): { mode: string } | { reason: string } => {
  const mode = data.hvac_mode;
  return typeof mode === 'string' && MODES.has(mode)
    ? { mode }
    : {
        reason: `Its HVAC mode ${JSON.stringify(mode)} is not one a thermostat role has (off, heat, cool, auto).`,
      };
};

/** climate.set_temperature: the target temperature in °C, and the mode when it names one. */
const setTemperature: Service = (data) => {
  const rest = leftOver(data, ['temperature', 'hvac_mode'], 'a thermostat role (target temperature, mode)');
  if (rest) return rest;
  if (!('temperature' in data)) return { reason: 'It sets a temperature without “temperature”.' };
  const t = numberIn(data, 'temperature', 5, 35, ' °C');
  if ('reason' in t)
    return {
      reason: `${t.reason.slice(0, -1)}; a Home Assistant in °F or a target out of range cannot be told apart.`,
    };
  const writes: Write[] = [];
  if ('hvac_mode' in data) {
    const m = modeOf(data);
    if ('reason' in m) return m;
    writes.push({ property: 'mode', value: JSON.stringify(m.mode) });
  }
  writes.push({ property: 'targetTemperature', value: String(t.n) });
  return {
    capability: 'thermostat@1',
    writes,
    notes: [
      `Its temperature ${t.n} is taken as °C, the thermostat role’s unit (the flow does not say which unit Home Assistant used).`,
    ],
  };
};

const setMode: Service = (data) => {
  const rest = leftOver(data, ['hvac_mode'], 'a thermostat role (target temperature, mode)');
  if (rest) return rest;
  const m = modeOf(data);
  if ('reason' in m) return m;
  return {
    capability: 'thermostat@1',
    writes: [{ property: 'mode', value: JSON.stringify(m.mode) }],
    notes: [],
  };
};

const setPosition: Service = (data) => {
  const rest = leftOver(data, ['position'], 'a cover role (position, open, close, stop)');
  if (rest) return rest;
  const p = numberIn(data, 'position', 0, 100, ' %');
  if ('reason' in p) return p;
  if (!Number.isInteger(p.n)) return { reason: `Its cover position ${p.n} is not a whole number.` };
  return { capability: 'cover@1', writes: [{ property: 'position', value: String(p.n) }], notes: [] };
};

/** turn_on, turn_off and toggle without data, on a role of `capability` with an `on` property. */
const onOffServices = (capability: string, what: string): Readonly<Record<string, Service>> => ({
  turn_on: plain(capability, [on(true)], what),
  turn_off: plain(capability, [on(false)], what),
  toggle: toggle(what, [], capability),
});
const SWITCH = 'a switch role (on only)';

const MEDIA = 'a media player role (on, volume, mute, source, play, pause, stop, next, previous)';

/** media_player.volume_set: Home Assistant's 0–1 level as the role's whole percent. */
const setVolume: Service = (data) => {
  const rest = leftOver(data, ['volume_level'], MEDIA);
  if (rest) return rest;
  const v = numberIn(data, 'volume_level', 0, 1, '');
  if ('reason' in v) return v;
  const percent = Math.round(v.n * 100);
  return {
    capability: 'media-player@1',
    writes: [{ property: 'volume', value: String(percent) }],
    notes: Math.abs(percent - v.n * 100) > 1e-9 ? [`Its volume ${v.n} is written as ${percent} %.`] : [],
  };
};

const mediaAction = (action: string): Service => plain('media-player@1', [{ action }], MEDIA);

const media: Readonly<Record<string, Service>> = {
  turn_on: plain('media-player@1', [on(true)], MEDIA),
  turn_off: plain('media-player@1', [on(false)], MEDIA),
  toggle: toggle(MEDIA, [], 'media-player@1'),
  volume_set: setVolume,
  volume_mute: (data) => {
    const rest = leftOver(data, ['is_volume_muted'], MEDIA);
    if (rest) return rest;
    const muted = data.is_volume_muted;
    if (typeof muted !== 'boolean')
      return { reason: `Its “is_volume_muted” (${JSON.stringify(muted)}) is not true or false.` };
    return { capability: 'media-player@1', writes: [{ property: 'muted', value: String(muted) }], notes: [] };
  },
  select_source: (data) => {
    const rest = leftOver(data, ['source'], MEDIA);
    if (rest) return rest;
    const source = data.source;
    if (typeof source !== 'string' || source === '' || source.length > 200)
      return { reason: `Its source ${JSON.stringify(source)} is not a name of an input.` };
    return {
      capability: 'media-player@1',
      writes: [{ property: 'source', value: JSON.stringify(source) }],
      notes: [],
    };
  },
  media_play: mediaAction('play'),
  media_pause: mediaAction('pause'),
  media_stop: mediaAction('stop'),
  media_next_track: mediaAction('next'),
  media_previous_track: mediaAction('previous'),
};

/** Services per entity domain. */
export const SERVICES: Readonly<Record<string, Readonly<Record<string, Service>>>> = {
  switch: onOffServices('switch@1', SWITCH),
  input_boolean: onOffServices('switch@1', SWITCH),
  // A siren's tone, volume and duration are Home Assistant service data no siren role takes.
  siren: onOffServices('siren@1', 'a siren role (on only)'),
  light: {
    turn_on: lightOn,
    turn_off: (data) =>
      leftOver(data, ['transition'], 'a light turning off') ?? {
        capability: 'switch@1',
        writes: [on(false)],
        notes: transitionNote(data),
      },
    toggle: toggle('a light toggling (only its transition)', ['transition']),
  },
  fan: {
    turn_on: fanSpeed(false),
    set_percentage: fanSpeed(true),
    turn_off: plain('switch@1', [on(false)], 'a fan turning off'),
    toggle: toggle('a fan toggling'),
  },
  cover: {
    open_cover: plain('cover@1', [{ action: 'open' }], 'a cover opening'),
    close_cover: plain('cover@1', [{ action: 'close' }], 'a cover closing'),
    stop_cover: plain('cover@1', [{ action: 'stop' }], 'a cover stopping'),
    set_cover_position: setPosition,
  },
  lock: {
    lock: plain('lock@1', [{ action: 'lock' }], 'a lock role'),
    unlock: plain('lock@1', [{ action: 'unlock' }], 'a lock role'),
  },
  valve: {
    open_valve: plain('valve@1', [{ action: 'open' }], 'a valve role'),
    close_valve: plain('valve@1', [{ action: 'close' }], 'a valve role'),
  },
  climate: {
    set_temperature: setTemperature,
    set_hvac_mode: setMode,
    turn_off: plain('thermostat@1', [{ property: 'mode', value: '"off"' }], 'a thermostat turning off'),
  },
  media_player: media,
};

/**
 * The plan for `domain.service` on an entity of `entityDomain` (the `homeassistant` domain's
 * turn_on, turn_off and toggle call the entity's own), or why there is none.
 */
export const servicePlan = (
  domain: string,
  service: string,
  entityDomain: string,
  data: ServiceData,
  role: string,
): Plan => {
  const own =
    domain === 'homeassistant' && ['turn_on', 'turn_off', 'toggle'].includes(service) ? entityDomain : domain;
  const fn = own === entityDomain ? SERVICES[own]?.[service] : undefined;
  if (!fn)
    return {
      reason: `Its service ${domain}.${service} has no property or action of a ${entityDomain} role here.`,
    };
  return fn(data, role);
};
