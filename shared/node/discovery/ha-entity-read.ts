/**
 * The reading blocks every Home Assistant entity kind shares (ha-entities.ts): option access,
 * the spellings a state may arrive in, state readers and command templates in the common Jinja
 * subset, and the boolean and number property bindings built from them.
 */
import { checkHaTemplate, plainPathOf } from '../../core/model/ha-template';
import type { Mapping, MqttSubscription } from '../../core/model/schemas';
import {
  enumMap,
  observeTopic,
  parseAs,
  propertyBinding,
  publishTopic,
  templateMap,
} from '../../core/registry/entity-bindings';

/** One expanded discovery config, read-only. */
export type Config = Readonly<Record<string, unknown>>;
/** Thrown when a config uses something the template subset cannot read: the entity is listed as unsupported. */
export class Unsupported extends Error {}
/** Thrown when a config lacks what its component needs: the entity is listed as invalid. */
export class Invalid extends Error {}
/** A non-empty string option (a number is taken as its text), or undefined. */
export const str = (c: Config, key: string): string | undefined => {
  const v = c[key];
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
};
/** Home Assistant turns configured payloads into text (`true` → `True`). */
export const pyText = (v: unknown): string =>
  v === true ? 'True' : v === false ? 'False' : v === null ? 'None' : typeof v === 'string' ? v : String(v);
/** The spellings a configured state may arrive in, depending on whether it was read as JSON or text. */
export const variants = (v: unknown): unknown[] => {
  const text = pyText(v);
  const out: unknown[] = [text];
  if (typeof v === 'boolean') out.push(v, String(v));
  else if (/^(true|false)$/i.test(text)) out.push(/^true$/i.test(text));
  if (typeof v === 'number') out.push(v);
  else if (/^-?\d+(\.\d+)?$/.test(text)) out.push(Number(text));
  return [...new Set(out)];
};
/** Pairs for a forward enum: every spelling of each state → its value. */
export const statePairs = (pairs: readonly (readonly [unknown, unknown])[]): [unknown, unknown][] => {
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
export const reader = (
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
export const commandMaps = (template: unknown, what: string): Mapping[] => {
  if (typeof template !== 'string' || template.trim() === '') return [];
  const checked = checkHaTemplate(template);
  if (!checked.ok) throw new Unsupported(`its ${what} ${checked.reason}`);
  return [templateMap(template, 'reverse')];
};
/** Whether commands to this entity are published retained. */
export const retainOf = (c: Config) => c.retain === true;
/** A boolean property read from states and written with payloads (switch, siren, fan and light on/off). */
export const onOff = (
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
export const numberFrom = (topic: string, template: unknown, extra: Mapping[] = []) => {
  const read = reader(topic, template, 'value template');
  return propertyBinding([read.sub], [...read.maps, parseAs('number'), ...extra]);
};
/** A string option the component cannot do without, or Invalid naming it. */
export const required = (c: Config, key: string, component: string): string => {
  const v = str(c, key);
  if (!v) throw new Invalid(`has no ${key}, which a Home Assistant ${component} needs`);
  return v;
};
