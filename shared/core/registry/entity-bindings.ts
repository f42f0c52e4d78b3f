/**
 * Small builders for the entities discovery interpreters report (see entities.ts): each makes
 * the plain-JSON binding pieces a model implementation is made of, with concrete topics and
 * inline mappings, so every ecosystem writes its bindings the same way.
 */
import type {
  EnumMapping,
  Implementation,
  Mapping,
  MqttPublish,
  MqttSubscription,
  ParseMapping,
  TemplateMapping,
} from '../model/schemas';
import { deviceText } from './text';
import type { DiscoveredEntity, Ecosystem, EntityStatus } from './entities';

/** A subscription to a concrete topic; a `valuePath` reads a field of a JSON payload. */
export const observeTopic = (topic: string, valuePath?: string): MqttSubscription => ({
  kind: 'mqtt',
  topic,
  ...(valuePath ? { valuePath, format: 'json' as const } : { format: 'text' as const }),
});

/** A publish to a concrete topic; `payload` is a JSON template (`{{value}}` is the mapped value). */
export const publishTopic = (topic: string, payload: unknown = '{{value}}', retain = false): MqttPublish => ({
  kind: 'mqtt',
  topic,
  payload,
  ...(retain ? { retain } : {}),
});

/** Device value ↔ capability value pairs (first match wins), in one or both directions. */
export const enumMap = (
  pairs: readonly (readonly [unknown, unknown])[],
  direction?: 'forward' | 'reverse',
  ignoreCase = false,
): EnumMapping => ({
  kind: 'enum',
  ...(direction ? { direction } : {}),
  pairs: pairs.map(([device, value]) => ({ device, value })),
  ...(ignoreCase ? { ignoreCase } : {}),
});

/** A value or command template in the common Jinja subset. */
export const templateMap = (template: string, direction: 'forward' | 'reverse'): TemplateMapping => ({
  kind: 'template',
  direction,
  template,
});

/** Text → number (or integer, boolean) on the way in, back to text on the way out. */
export const parseAs = (as: ParseMapping['as']): ParseMapping => ({ kind: 'parse', as });

/** What every entity says about itself, before it is bound or not. */
export interface EntityBase {
  readonly id: string;
  readonly ecosystem: Ecosystem;
  readonly component: string;
  readonly name: string;
  readonly channel: string;
  readonly raw: unknown;
  readonly state_topic?: string;
  readonly command_topic?: string;
}

const base = (b: EntityBase) => ({
  id: b.id,
  ecosystem: b.ecosystem,
  component: deviceText(b.component, 100),
  name: deviceText(b.name, 200),
  channel: deviceText(b.channel, 200),
  ...(b.state_topic ? { state_topic: b.state_topic.slice(0, 500) } : {}),
  ...(b.command_topic ? { command_topic: b.command_topic.slice(0, 500) } : {}),
  raw: b.raw,
});

/** An entity bound to a capability through `binding`; `note` tells what of it was left out, if anything. */
export const boundEntity = (b: EntityBase, binding: Implementation, note?: string): DiscoveredEntity => ({
  ...base(b),
  capability: binding.capability,
  binding: { ...binding, title: binding.title ?? deviceText(b.name, 200) },
  status: 'bound',
  ...(note ? { reason: deviceText(note, 500) } : {}),
});

/** An entity that is not bound, with the reason in words ("uses the filter \"timestamp_custom\"…"). */
export const unboundEntity = (
  b: EntityBase,
  status: Exclude<EntityStatus, 'bound'>,
  reason: string,
): DiscoveredEntity => ({
  ...base(b),
  capability: null,
  binding: null,
  status,
  reason: deviceText(reason, 500),
});

/** One property binding: observe (and optionally write) with a mapping chain. */
export const propertyBinding = (
  observe: readonly MqttSubscription[],
  map: readonly Mapping[],
  write?: MqttPublish,
): NonNullable<Implementation['properties']>[string] => ({
  ...(observe.length ? { observe: [...observe] } : {}),
  ...(write ? { write } : {}),
  ...(map.length ? { map: [...map] } : {}),
});
