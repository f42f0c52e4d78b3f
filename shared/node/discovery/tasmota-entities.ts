/**
 * Tasmota native discovery, entity by entity. `tasmota/discovery/<MAC>/config` lists what the
 * device drives (`rl`: 1 relay, 2 light, 3 shutter half; `lt_st` light subtype; `btn`, `swc`),
 * how its topics are built (`ft` FullTopic with `%prefix%`, `%topic%`, `%hostname%`, `%id%`, and
 * `tp` the three prefixes) and its state words; `…/sensors` is one SENSOR payload (`sn`) naming
 * every sensor and quantity. Each relay, light, shutter, button and sensor quantity becomes one
 * entity bound at the device's own topics, so a custom FullTopic is honoured everywhere.
 */
import type { DiscoveredEntity } from '../../core/registry/entities';
import { entityId } from '../../core/registry/entities';
import type { Implementation, Mapping } from '../../core/model/schemas';
import { deviceText } from '../../core/registry/text';
import { tasmotaSensorEntities } from './tasmota-sensors';

/** The fields of a Tasmota discovery config this module reads (others are ignored). */
export interface TasmotaConfig {
  readonly t: string;
  readonly ft: string;
  readonly tp: readonly [string, string, string];
  readonly hn: string;
  readonly mac: string;
  readonly rl: readonly number[];
  readonly fn: readonly (string | null)[];
  readonly state: readonly [string, string, string, string];
  readonly onln: string;
  readonly ofln: string;
  readonly lt_st: number;
  readonly lk: number;
  readonly ty: number;
  readonly if: number;
  readonly btn: readonly number[];
  readonly swc: readonly number[];
  readonly so: Readonly<Record<string, number>>;
}

const strings = (v: unknown, n: number): string[] | null =>
  Array.isArray(v) && v.length >= n && v.slice(0, n).every((x) => typeof x === 'string')
    ? (v.slice(0, n) as string[])
    : null;
const numbers = (v: unknown): number[] =>
  Array.isArray(v) ? v.slice(0, 64).map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : 0)) : [];
const text = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

/**
 * Reads a discovery config into the fields entities need, or says what makes it unusable
 * (no topic, no FullTopic, prefixes missing). Optional fields take Tasmota's defaults.
 */
export const readTasmotaConfig = (raw: Record<string, unknown>): TasmotaConfig | { error: string } => {
  const t = text(raw.t);
  if (!t || /[+#/]/.test(t)) return { error: 'it has no usable "t" (device topic)' };
  const ft = text(raw.ft, '%prefix%/%topic%/');
  if (/[+#]/.test(ft)) return { error: `its FullTopic "${ft}" holds an MQTT wildcard` };
  const tp = strings(raw.tp, 3) ?? ['cmnd', 'stat', 'tele'];
  const state = strings(raw.state, 4) ?? ['OFF', 'ON', 'TOGGLE', 'HOLD'];
  const so: Record<string, number> = {};
  if (raw.so && typeof raw.so === 'object' && !Array.isArray(raw.so)) {
    for (const [k, v] of Object.entries(raw.so)) if (typeof v === 'number') so[k] = v;
  }
  return {
    t,
    ft,
    tp: tp as [string, string, string],
    hn: text(raw.hn),
    mac: text(raw.mac),
    rl: numbers(raw.rl),
    fn: Array.isArray(raw.fn) ? raw.fn.slice(0, 64).map((x) => (typeof x === 'string' ? x : null)) : [],
    state: state as [string, string, string, string],
    onln: text(raw.onln, 'Online'),
    ofln: text(raw.ofln, 'Offline'),
    lt_st: typeof raw.lt_st === 'number' ? raw.lt_st : 0,
    lk: typeof raw.lk === 'number' ? raw.lk : 1,
    ty: typeof raw.ty === 'number' ? raw.ty : 0,
    if: typeof raw.if === 'number' ? raw.if : 0,
    btn: numbers(raw.btn),
    swc: Array.isArray(raw.swc) ? raw.swc.slice(0, 64).map((x) => (typeof x === 'number' ? x : -1)) : [],
    so,
  };
};

/** The topic a prefix (0 cmnd, 1 stat, 2 tele) and a command or report name give, as the firmware builds it. */
export const tasmotaTopic = (c: TasmotaConfig, prefix: 0 | 1 | 2, name: string): string => {
  let topic = c.ft
    .replaceAll('%hostname%', c.hn)
    .replaceAll('%id%', c.mac.slice(-6))
    .replaceAll('%prefix%', c.tp[prefix])
    .replaceAll('%topic%', c.t);
  if (!topic.endsWith('/')) topic += '/';
  return topic + name;
};

const LIGHT_SUBTYPES = ['none', 'dimmer', 'colour temperature', 'RGB', 'RGBW', 'RGBCW'];

/**
 * Every entity a Tasmota announces: one per relay (`POWER<n>`), light (on/off plus its Dimmer,
 * Channel or Tuya Dimmer3 brightness), shutter pair, detached button, switch input and sensor
 * quantity (from `sensors`, when given). Nothing here guesses: a relay kind or light subtype this
 * module does not read becomes an `unsupported` entity naming it.
 */
export const tasmotaEntities = (
  c: TasmotaConfig,
  sensors: Record<string, unknown> | null,
): DiscoveredEntity[] => {
  const out: DiscoveredEntity[] = [];
  const taken = new Set<string>();
  const cmnd = (name: string) => tasmotaTopic(c, 0, name);
  const stat = (name: string) => tasmotaTopic(c, 1, name);
  const tele = (name: string) => tasmotaTopic(c, 2, name);
  const [off, on, toggle] = c.state;
  const onOff: Mapping = {
    kind: 'enum',
    pairs: [
      { device: on, value: true },
      { device: off, value: false },
    ],
    ignoreCase: true,
  };
  if (!c.ft.includes('%prefix%')) {
    // Without %prefix% commands and reports share one topic: nothing can be bound safely.
    out.push({
      id: entityId('device', taken),
      ecosystem: 'tasmota',
      component: 'device',
      name: c.t,
      channel: 'FullTopic',
      capability: null,
      binding: null,
      status: 'invalid',
      reason: `its FullTopic "${c.ft}" has no %prefix%, so commands and reports would share a topic`,
      raw: { ft: c.ft },
    });
    return out;
  }
  // Power devices are numbered across relays, lights and shutters; a lone one reports plain POWER.
  const last = c.rl.reduce((n, kind, i) => (kind > 0 ? i + 1 : n), 0);
  const powerKey = (n: number) => (last === 1 ? 'POWER' : `POWER${n}`);
  const powerBinding = (n: number): Implementation['properties'] => ({
    on: {
      write: { kind: 'mqtt', topic: cmnd(`POWER${n}`), payload: '{{value}}' },
      observe: [
        { kind: 'mqtt', topic: stat('RESULT'), format: 'json', valuePath: powerKey(n) },
        { kind: 'mqtt', topic: stat(powerKey(n)), format: 'text' },
        { kind: 'mqtt', topic: tele('STATE'), format: 'json', valuePath: powerKey(n) },
      ],
      map: [onOff],
    },
  });
  const toggleAction = (n: number) => ({
    toggle: { invoke: { kind: 'mqtt' as const, topic: cmnd(`POWER${n}`), payload: toggle } },
  });
  const name = (i: number, fallback: string) => deviceText(c.fn[i] ?? fallback, 200);
  const firstLight = c.rl.indexOf(2);
  const multiPwm = c.so['68'] === 1;
  const forceLight = c.so['30'] === 1;
  let shutter = 0;
  for (let i = 0; i < c.rl.length; i++) {
    const kind = c.rl[i]!;
    const n = i + 1;
    if (kind === 0) continue;
    if (kind === 1 || (kind === 2 && c.if === 1 && i === 0)) {
      // A relay (also the iFan's light, which is a plain relay); SetOption30 only changes how HA shows it.
      const label = name(i, `Relay ${n}`);
      out.push({
        id: entityId(`relay${n}`, taken),
        ecosystem: 'tasmota',
        component: forceLight ? 'relay (shown as a light)' : 'relay',
        name: label,
        channel: `relay${n}`,
        capability: 'switch@1',
        binding: {
          capability: 'switch@1',
          title: label,
          properties: powerBinding(n),
          actions: toggleAction(n),
        },
        state_topic: stat('RESULT'),
        command_topic: cmnd(`POWER${n}`),
        status: 'bound',
        raw: { rl: kind, index: n },
      });
    } else if (kind === 2) {
      const label = name(i, `Light ${n}`);
      let dimmerCmd = 'Dimmer';
      let dimmerState = 'Dimmer';
      let note: string | undefined;
      if (multiPwm) {
        dimmerCmd = `Channel${n}`;
        dimmerState = `Channel${n}`;
      } else if (c.lk === 0 && c.lt_st >= 4 && firstLight >= 0 && i - firstLight <= 1) {
        // RGBW/RGBCW with colour and white unlinked: two lights, Dimmer1 (colour) and Dimmer2 (white).
        dimmerCmd = `Dimmer${i - firstLight + 1}`;
        dimmerState = dimmerCmd;
      } else if (c.ty === 1) dimmerCmd = 'Dimmer3';
      if (c.lt_st >= 2 && !multiPwm)
        note = `its ${LIGHT_SUBTYPES[c.lt_st] ?? 'colour'} control is not bound, only on/off and brightness`;
      if (c.lt_st === 0 && !multiPwm) {
        out.push({
          id: entityId(`light${n}`, taken),
          ecosystem: 'tasmota',
          component: 'light',
          name: label,
          channel: `light${n}`,
          capability: 'switch@1',
          binding: {
            capability: 'switch@1',
            title: label,
            properties: powerBinding(n),
            actions: toggleAction(n),
          },
          state_topic: stat('RESULT'),
          command_topic: cmnd(`POWER${n}`),
          status: 'bound',
          reason: 'a light without a light subtype (lt_st 0): bound as on/off only',
          raw: { rl: kind, index: n, lt_st: c.lt_st },
        });
        continue;
      }
      out.push({
        id: entityId(`light${n}`, taken),
        ecosystem: 'tasmota',
        component: 'light',
        name: label,
        channel: `light${n}`,
        capability: 'dimmer@1',
        binding: {
          capability: 'dimmer@1',
          title: label,
          properties: {
            ...powerBinding(n),
            brightness: {
              write: { kind: 'mqtt', topic: cmnd(dimmerCmd), payload: '{{value}}' },
              observe: [
                { kind: 'mqtt', topic: stat('RESULT'), format: 'json', valuePath: dimmerState },
                { kind: 'mqtt', topic: tele('STATE'), format: 'json', valuePath: dimmerState },
              ],
            },
          },
          actions: toggleAction(n),
        },
        state_topic: stat('RESULT'),
        command_topic: cmnd(`POWER${n}`),
        status: 'bound',
        ...(note ? { reason: note } : {}),
        raw: { rl: kind, index: n, lt_st: c.lt_st, lk: c.lk, dimmer: dimmerCmd },
      });
    } else if (kind === 3) {
      // Two consecutive relays drive one shutter.
      if (c.rl[i + 1] !== 3) continue;
      shutter++;
      const k = shutter;
      const label = name(i, `Shutter ${k}`);
      const direction: Mapping = {
        kind: 'enum',
        direction: 'forward',
        pairs: [
          { device: 1, value: 'opening' },
          { device: -1, value: 'closing' },
          { device: 0, value: 'stopped' },
        ],
      };
      out.push({
        id: entityId(`shutter${k}`, taken),
        ecosystem: 'tasmota',
        component: 'shutter',
        name: label,
        channel: `shutter${k}`,
        capability: 'cover@1',
        binding: {
          capability: 'cover@1',
          title: label,
          properties: {
            position: {
              write: { kind: 'mqtt', topic: cmnd(`ShutterPosition${k}`), payload: '{{value}}' },
              observe: [
                { kind: 'mqtt', topic: stat('RESULT'), format: 'json', valuePath: `Shutter${k}.Position` },
                { kind: 'mqtt', topic: tele('SENSOR'), format: 'json', valuePath: `Shutter${k}.Position` },
              ],
            },
            state: {
              observe: [
                { kind: 'mqtt', topic: stat('RESULT'), format: 'json', valuePath: `Shutter${k}.Direction` },
                { kind: 'mqtt', topic: tele('SENSOR'), format: 'json', valuePath: `Shutter${k}.Direction` },
              ],
              map: [direction],
            },
          },
          actions: {
            open: { invoke: { kind: 'mqtt', topic: cmnd(`ShutterOpen${k}`), payload: '' } },
            close: { invoke: { kind: 'mqtt', topic: cmnd(`ShutterClose${k}`), payload: '' } },
            stop: { invoke: { kind: 'mqtt', topic: cmnd(`ShutterStop${k}`), payload: '' } },
          },
        },
        state_topic: stat('RESULT'),
        command_topic: cmnd(`ShutterPosition${k}`),
        status: 'bound',
        raw: { rl: [3, 3], relays: [n, n + 1] },
      });
      i++;
    } else {
      out.push({
        id: entityId(`output${n}`, taken),
        ecosystem: 'tasmota',
        component: `rl ${kind}`,
        name: name(i, `Output ${n}`),
        channel: `output${n}`,
        capability: null,
        binding: null,
        status: 'unsupported',
        reason: `its relay kind ${kind} is not one Tasmota discovery defines (1 relay, 2 light, 3 shutter)`,
        raw: { rl: kind, index: n },
      });
    }
  }
  if (c.if === 1) {
    out.push({
      id: entityId('fan', taken),
      ecosystem: 'tasmota',
      component: 'fan',
      name: 'Fan',
      channel: 'fan',
      capability: null,
      binding: null,
      state_topic: stat('RESULT'),
      command_topic: cmnd('FanSpeed'),
      status: 'unmapped',
      reason: 'an iFan fan speed (FanSpeed 0–3); no library capability takes fan speeds yet',
      raw: { if: 1 },
    });
  }
  const press: Mapping = {
    kind: 'enum',
    direction: 'forward',
    pairs: [
      { device: 'SINGLE', value: 'single' },
      { device: 'DOUBLE', value: 'double' },
      { device: 'TRIPLE', value: 'triple' },
      { device: 'HOLD', value: 'long' },
    ],
    ignoreCase: true,
  };
  c.btn.forEach((flag, i) => {
    if (flag !== 1) return;
    const n = i + 1;
    out.push({
      id: entityId(`button${n}`, taken),
      ecosystem: 'tasmota',
      component: 'button',
      name: `Button ${n}`,
      channel: `button${n}`,
      capability: 'button@1',
      binding: {
        capability: 'button@1',
        title: `Button ${n}`,
        events: {
          pressed: {
            subscribe: [
              { kind: 'mqtt', topic: stat('RESULT'), format: 'json', valuePath: `Button${n}.Action` },
            ],
            map: [press],
          },
        },
      },
      state_topic: stat('RESULT'),
      status: 'bound',
      raw: { btn: flag, index: n },
    });
  });
  c.swc.forEach((mode, i) => {
    if (mode < 0) return;
    const n = i + 1;
    out.push({
      id: entityId(`switch${n}`, taken),
      ecosystem: 'tasmota',
      component: 'switch',
      name: `Switch ${n}`,
      channel: `switch${n}`,
      capability: null,
      binding: null,
      state_topic: stat(`SWITCH${n}`),
      status: 'unmapped',
      reason: `a switch input (SwitchMode ${mode}) reported on SWITCH${n}; what it is wired to is not announced`,
      raw: { swc: mode, index: n },
    });
  });
  if (sensors) out.push(...tasmotaSensorEntities(sensors, tele('SENSOR'), taken));
  return out;
};
