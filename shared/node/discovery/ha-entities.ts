/**
 * One Home Assistant discovery entity → one DiscoveredEntity (shared/core/registry/entities.ts):
 * every component HA discovery knows is read; the ones with a library capability are bound at
 * their own topics with their own payloads and templates (the common Jinja subset), the others
 * are listed as understood without a capability, and anything the subset does not read is
 * reported as unsupported with the reason, never guessed.
 */
import type { Implementation, MqttPublish } from '../../core/model/schemas';
import { boundEntity, unboundEntity, type EntityBase } from '../../core/registry/entity-bindings';
import { entityId, type DiscoveredEntity } from '../../core/registry/entities';
import { haAvailability, type HaAvailability } from './ha-availability';
import { type Config, Unsupported, Invalid, str } from './ha-entity-read';
import { sensor, binarySensor, button, event, deviceTrigger } from './ha-entity-sensors';
import { light } from './ha-entity-light';
import { switchLike, cover, lock, fan, valve, climate } from './ha-entity-actuators';

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
