import { Type, type Static } from '@sinclair/typebox';
import { DiscoveredEntity, Understanding } from './entities';

/** The discovery sources a device can be seen through. */
export const DiscoverySource = Type.Union([Type.Literal('mdns'), Type.Literal('mqtt'), Type.Literal('usb')]);
export type DiscoverySource = Static<typeof DiscoverySource>;

/** Identity hints a source found; any shared value merges two sightings into one device. */
export const Identity = Type.Object({
  mac: Type.Optional(Type.String({ description: '12 lowercase hex digits, no separators' })),
  serial: Type.Optional(Type.String()),
  hostname: Type.Optional(Type.String({ description: 'lower case, without .local' })),
  topic: Type.Optional(Type.String({ description: 'the device topic or MQTT id, e.g. demo_relay' })),
});
export type Identity = Static<typeof Identity>;

/**
 * One observation of a device by one source. Sources report sightings; the registry merges
 * them into devices. `facts` is the flat string map model match rules test (e.g.
 * `mdns.type` = `_shelly._tcp`, `txt.app` = `Plus1PM`, `mqtt.protocol` = `tasmota`, `usb.vid` = `10c4`).
 */
export const Sighting = Type.Object({
  source: DiscoverySource,
  /** Unique within the source, stable across re-announcements. */
  key: Type.String(),
  identity: Identity,
  name: Type.Optional(Type.String()),
  /** What the device is, as far as the source can tell: relay, sensor, gateway, serial-port, service… */
  kind: Type.Optional(Type.String()),
  facts: Type.Record(Type.String(), Type.String()),
  addresses: Type.Array(Type.String()),
  /** null when the source cannot tell. */
  online: Type.Union([Type.Boolean(), Type.Null()]),
  /** The source's raw data, as plain JSON, for the details drawer. */
  raw: Type.Unknown(),
  warnings: Type.Array(Type.String()),
  /** Milliseconds since the epoch. */
  seenAt: Type.Number(),
  /**
   * Every entity the device announced through this source, understood or not (see entities.ts).
   * A sighting from Home Assistant discovery whose fact `ha.via` names the ecosystem that
   * announced it (`zigbee2mqtt`) gives way to that ecosystem's native sighting of the same device.
   */
  entities: Type.Optional(Type.Array(DiscoveredEntity)),
});
export type Sighting = Static<typeof Sighting>;

/**
 * Which library model a device was matched to, how sure, and why. The confidence is the
 * matched rule's, capped when some announced entity was not understood (deviceConfidence).
 */
export const ModelMatch = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** 0..1 */
  confidence: Type.Number(),
  reason: Type.String(),
});
export type ModelMatch = Static<typeof ModelMatch>;

/** One merged device in the registry, as it crosses the API. */
export const DiscoveredDevice = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  sources: Type.Array(DiscoverySource),
  identity: Identity,
  model: Type.Union([ModelMatch, Type.Null()]),
  addresses: Type.Array(Type.String()),
  online: Type.Union([Type.Boolean(), Type.Null()]),
  lastSeen: Type.Number(),
  /** Where it was found (the site broker, a network, USB on this computer): the `site` fact. */
  site: Type.String(),
  /** The room or area a source named (Home Assistant's suggested area): the `room` fact. */
  room: Type.Union([Type.String(), Type.Null()]),
  warnings: Type.Array(Type.String()),
  /** Every sighting that makes up this device, keyed `<source>:<key>`. */
  sightings: Type.Array(Sighting),
  /** The entities of all sightings, each told once (see entities.ts); the registry always fills it. */
  entities: Type.Optional(Type.Array(DiscoveredEntity)),
  /** How much of what the device announced was understood; the registry always fills it. */
  understanding: Type.Optional(Understanding),
});
export type DiscoveredDevice = Static<typeof DiscoveredDevice>;

/** One batch of registry changes: devices added or changed, and ids of devices gone. */
export const RegistryChange = Type.Object({
  upserted: Type.Array(DiscoveredDevice),
  removed: Type.Array(Type.String()),
});
export type RegistryChange = Static<typeof RegistryChange>;

/**
 * One condition of a match rule: the fact named `fact` must equal `equals`, start with `prefix`
 * or match the regular expression `pattern` (case-insensitive). With `topicFilter`, the
 * condition holds when some MQTT message the device sent (facts `topic:<topic>`) has a topic
 * matching the filter, a payload matching `pattern`, and JSON fields meeting `where`.
 */
export interface MatchCondition {
  readonly fact: string;
  readonly equals?: string;
  readonly prefix?: string;
  readonly pattern?: string;
  readonly topicFilter?: string;
  readonly where?: readonly { readonly path: string; readonly equals?: unknown; readonly exists?: boolean }[];
  /** Messages beside the matched one the device must also have sent: last topic level → pattern. */
  readonly siblings?: Readonly<Record<string, string>>;
}

/** A rule is a set of conditions that must all hold; its confidence says how telling it is. */
export interface MatchRule {
  readonly all: readonly MatchCondition[];
  readonly confidence: number;
}

/** A library model as the registry sees it: an id, a name and its discovery match rules. */
export interface MatchableModel {
  readonly id: string;
  readonly name: string;
  readonly rules: readonly MatchRule[];
}
