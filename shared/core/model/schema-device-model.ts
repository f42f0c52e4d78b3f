/**
 * Device models: value mappings, wire bindings per affordance (MQTT, HTTP, JSON-RPC), discovery
 * match rules and commissioning methods.
 */
import { Type, type Static } from '@sinclair/typebox';
import { CapabilityId } from './schema-capability';
import { MODEL_SCHEMA_VERSION, Name, NameMap, Opt, Slug, Text } from './schema-common';

/** Which way a mapping applies: `forward` device→capability, `reverse` capability→device, or both. */
export const MappingDirection = Type.Union([
  Type.Literal('forward'),
  Type.Literal('reverse'),
  Type.Literal('symmetric'),
]);
export type MappingDirection = Static<typeof MappingDirection>;

/** A table of exact pairs, e.g. `"ON"` ↔ `true`; the first matching pair wins. */
export const EnumMapping = Type.Object(
  {
    kind: Type.Literal('enum'),
    direction: Opt(MappingDirection),
    pairs: Type.Array(
      Type.Object({ device: Type.Unknown(), value: Type.Unknown() }, { additionalProperties: false }),
      {
        minItems: 1,
      },
    ),
    /** Case-insensitive match of string device values (Tasmota answers `on`, `On` and `ON`). */
    ignoreCase: Opt(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type EnumMapping = Static<typeof EnumMapping>;

/** A straight line through two points, e.g. 0–255 ↔ 0–100 % or °F ↔ °C (32→0, 212→100). */
export const LinearMapping = Type.Object(
  {
    kind: Type.Literal('linear'),
    direction: Opt(MappingDirection),
    device: Type.Tuple([Type.Number(), Type.Number()]),
    value: Type.Tuple([Type.Number(), Type.Number()]),
    /** Clamp results to the given ranges (brightness) rather than extrapolate (temperature). */
    clamp: Opt(Type.Boolean()),
    /** Round capability values to this many decimals; 0 gives integers. */
    decimals: Opt(Type.Integer({ minimum: 0, maximum: 10 })),
    /** Round device values to this many decimals (0 for 0–255 brightness). */
    deviceDecimals: Opt(Type.Integer({ minimum: 0, maximum: 10 })),
  },
  { additionalProperties: false },
);
export type LinearMapping = Static<typeof LinearMapping>;

/**
 * Numeric bands to values (battery voltage → low/ok). Forward only unless each band names a
 * `representative` device value for the reverse direction.
 */
export const RangeMapping = Type.Object(
  {
    kind: Type.Literal('ranges'),
    direction: Opt(MappingDirection),
    bands: Type.Array(
      Type.Object(
        {
          /** Inclusive lower bound. */
          min: Type.Number(),
          /** Exclusive upper bound. */
          max: Type.Number(),
          value: Type.Unknown(),
          representative: Opt(Type.Number()),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);
export type RangeMapping = Static<typeof RangeMapping>;

/** Text payload ↔ typed value (`"21.5"` ↔ 21.5, `"true"` ↔ true, JSON text ↔ object). */
export const ParseMapping = Type.Object(
  {
    kind: Type.Literal('parse'),
    direction: Opt(MappingDirection),
    as: Type.Union([
      Type.Literal('number'),
      Type.Literal('integer'),
      Type.Literal('boolean'),
      Type.Literal('json'),
    ]),
  },
  { additionalProperties: false },
);
export type ParseMapping = Static<typeof ParseMapping>;

/**
 * A Home Assistant Jinja template in the common subset (shared/core/model/ha-template.ts):
 * forward it is a `value_template` rendered over the payload text (`value`, `value_json`),
 * reverse a `command_template` rendered over the value to send. The result is text, as in Home
 * Assistant; chain an enum or a parse mapping after it. A template outside the subset is refused
 * when the model or site is checked, never guessed.
 */
export const TemplateMapping = Type.Object(
  {
    kind: Type.Literal('template'),
    direction: Type.Union([Type.Literal('forward'), Type.Literal('reverse')]),
    template: Text(2000),
  },
  { additionalProperties: false },
);
export type TemplateMapping = Static<typeof TemplateMapping>;

/** A declared conversion between a device's representation of a value and the capability's. */
export const Mapping = Type.Union([EnumMapping, LinearMapping, RangeMapping, ParseMapping, TemplateMapping]);
export type Mapping = Static<typeof Mapping>;

/** A mapping inline, or the name of one in the device model's `mappings`. */
export const MappingRef = Type.Union([Name, Mapping]);
export type MappingRef = Static<typeof MappingRef>;

// ---------------------------------------------------------------------------------------------
// Wire bindings. Strings may hold `{variable}` placeholders (instance variables of the device:
// topic, prefix, host, id, channel…); payload templates hold `{{value}}` for the mapped value.

/** A JSON template: strings may contain `{var}` and `{{value}}`; a string that is only a placeholder becomes the typed value. */
export const PayloadTemplate = Type.Unknown();

/** Publish one MQTT message (write a property, invoke an action). */
export const MqttPublish = Type.Object(
  {
    kind: Type.Literal('mqtt'),
    topic: Text(500),
    /** A string is sent as text after substitution; anything else is sent as JSON. Default `{{value}}`. */
    payload: Opt(PayloadTemplate),
    qos: Opt(Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)])),
    retain: Opt(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type MqttPublish = Static<typeof MqttPublish>;

/** One HTTP request (Tasmota `/cm?cmnd=…`, REST devices). */
export const HttpRequest = Type.Object(
  {
    kind: Type.Literal('http'),
    method: Type.Union([Type.Literal('GET'), Type.Literal('POST'), Type.Literal('PUT')]),
    url: Text(1000),
    body: Opt(PayloadTemplate),
    /** Where the value sits in the JSON response, for reads (`POWER`). */
    valuePath: Opt(Text(300)),
  },
  { additionalProperties: false },
);
export type HttpRequest = Static<typeof HttpRequest>;

/** A JSON-RPC call as Shelly Gen2+ speaks it: over HTTP `POST /rpc` or MQTT `<prefix>/rpc`. */
export const RpcCall = Type.Object(
  {
    kind: Type.Literal('rpc'),
    /** Channel to use; absent means either, and the binding runtime picks MQTT when the device has a `prefix`. */
    via: Opt(Type.Union([Type.Literal('http'), Type.Literal('mqtt')])),
    method: Text(200),
    params: Opt(PayloadTemplate),
    /** Where the value sits in the `result`, for reads. */
    resultPath: Opt(Text(300)),
  },
  { additionalProperties: false },
);
export type RpcCall = Static<typeof RpcCall>;

/** How to perform a write, read or invoke on the wire. */
export const WireOperation = Type.Union([MqttPublish, HttpRequest, RpcCall]);
export type WireOperation = Static<typeof WireOperation>;

/** A condition on an incoming JSON message, e.g. `method` equals `NotifyStatus`. */
export const MessageCondition = Type.Object(
  { path: Text(300), equals: Opt(Type.Unknown()), exists: Opt(Type.Boolean()) },
  { additionalProperties: false },
);
export type MessageCondition = Static<typeof MessageCondition>;

/**
 * An MQTT subscription that carries a property's value or an event: the topic filter, the
 * conditions a message must meet, and where the value sits (dotted path; empty = whole payload).
 */
export const MqttSubscription = Type.Object(
  {
    kind: Type.Literal('mqtt'),
    topic: Text(500),
    format: Opt(Type.Union([Type.Literal('text'), Type.Literal('json')])),
    where: Opt(Type.Array(MessageCondition)),
    valuePath: Opt(Text(300)),
  },
  { additionalProperties: false },
);
export type MqttSubscription = Static<typeof MqttSubscription>;

/**
 * An HTTP resource that carries a property's value or an event, as the W3C WoT HTTP binding
 * offers them: `longpoll` (each GET answers with the next value) or `sse` (a text/event-stream;
 * `event` keeps only messages of that SSE event type). Values are read as MQTT messages are.
 */
export const HttpSubscription = Type.Object(
  {
    kind: Type.Literal('http'),
    url: Text(1000),
    mode: Type.Union([Type.Literal('longpoll'), Type.Literal('sse')]),
    event: Opt(Text(200)),
    format: Opt(Type.Union([Type.Literal('text'), Type.Literal('json')])),
    where: Opt(Type.Array(MessageCondition)),
    valuePath: Opt(Text(300)),
  },
  { additionalProperties: false },
);
export type HttpSubscription = Static<typeof HttpSubscription>;

/** Where a device tells a property's new value or an event: an MQTT topic or an HTTP resource. */
export const Subscription = Type.Union([MqttSubscription, HttpSubscription]);
export type Subscription = Static<typeof Subscription>;

/** The wire binding of one property. */
export const PropertyBinding = Type.Object(
  {
    read: Opt(WireOperation),
    write: Opt(WireOperation),
    observe: Opt(Type.Array(Subscription, { minItems: 1 })),
    map: Opt(Type.Array(MappingRef)),
  },
  { additionalProperties: false },
);
export type PropertyBinding = Static<typeof PropertyBinding>;

/** The wire binding of one action. */
export const ActionBinding = Type.Object(
  { invoke: WireOperation, map: Opt(Type.Array(MappingRef)) },
  { additionalProperties: false },
);
export type ActionBinding = Static<typeof ActionBinding>;

/** The wire binding of one event. */
export const EventBinding = Type.Object(
  { subscribe: Type.Array(Subscription, { minItems: 1 }), map: Opt(Type.Array(MappingRef)) },
  { additionalProperties: false },
);
export type EventBinding = Static<typeof EventBinding>;

/** How a device model implements one capability: a binding for each affordance it supports. */
export const Implementation = Type.Object(
  {
    capability: CapabilityId,
    title: Opt(Text(200)),
    /** Fixed variables for this implementation (e.g. `channel: 1` for the first relay). */
    variables: Opt(NameMap(Type.Union([Type.String(), Type.Number()]))),
    /**
     * Applies only to devices whose variables match: each listed variable's value (a comma-separated
     * list) must contain one of the given values; `*` means any value, as long as it is set.
     * Generic models use it (a Home Assistant sensor is a temperature sensor when `device_class` is `temperature`).
     */
    when: Opt(NameMap(Type.Array(Type.String(), { minItems: 1 }))),
    properties: Opt(NameMap(PropertyBinding)),
    actions: Opt(NameMap(ActionBinding)),
    events: Opt(NameMap(EventBinding)),
  },
  { additionalProperties: false },
);
export type Implementation = Static<typeof Implementation>;

/** An instance variable a device of this model has (its topic, prefix, host…). */
export const VariableSpec = Type.Object(
  {
    title: Opt(Text(200)),
    description: Opt(Text()),
    type: Opt(Type.Union([Type.Literal('string'), Type.Literal('integer')])),
    default: Opt(Type.Union([Type.String(), Type.Number()])),
    pattern: Opt(Text(300)),
  },
  { additionalProperties: false },
);
export type VariableSpec = Static<typeof VariableSpec>;

/**
 * Where a discovery rule takes an instance variable from: `instance` (mDNS instance name),
 * `host`, `txt.<key>`, `topic.<n>` (MQTT topic segment n, from 0), `topic.<i>..<j>` (segments
 * i to j joined by `/`), `payload.<path>` (dotted path into a JSON payload), or `ha.<key>` (a
 * key of a Home Assistant discovery config after expanding abbreviations and `~`).
 */
export const CaptureMap = NameMap(Text(300));

/** Recognises the model from an mDNS service: type plus TXT and instance-name patterns (regex). */
export const MdnsMatch = Type.Object(
  {
    kind: Type.Literal('mdns'),
    service: Type.String({ pattern: '^_[A-Za-z0-9-]{1,15}\\._(tcp|udp)$' }),
    /** TXT key → regular expression its value must match (case-insensitive). */
    txt: Opt(Type.Record(Type.String(), Text(300))),
    /** Regular expression the instance name must match (case-insensitive). */
    instance: Opt(Text(300)),
    capture: Opt(CaptureMap),
  },
  { additionalProperties: false },
);
export type MdnsMatch = Static<typeof MdnsMatch>;

/** Recognises a USB serial adapter or board by VID:PID (4 hex digits each; no PID = any). */
export const UsbMatch = Type.Object(
  {
    kind: Type.Literal('usb'),
    vid: Type.String({ pattern: '^[0-9a-fA-F]{4}$' }),
    pid: Opt(Type.String({ pattern: '^[0-9a-fA-F]{4}$' })),
  },
  { additionalProperties: false },
);
export type UsbMatch = Static<typeof UsbMatch>;

/** Recognises the model from an MQTT message: topic filter plus payload conditions. */
export const MqttMatch = Type.Object(
  {
    kind: Type.Literal('mqtt'),
    topic: Text(500),
    /** Regular expression the payload text must match (case-insensitive). */
    payload: Opt(Text(300)),
    where: Opt(Type.Array(MessageCondition)),
    /**
     * Messages beside the matched one that the device must also have sent: the last topic level
     * (`$settable`) → regular expression its payload must match (case-insensitive). Homie spreads
     * one property over several topics (`…/power/$datatype`, `…/power/$settable`).
     */
    siblings: Opt(Type.Record(Type.String({ pattern: '^[^/#+]+$' }), Text(300))),
    capture: Opt(CaptureMap),
  },
  { additionalProperties: false },
);
export type MqttMatch = Static<typeof MqttMatch>;

/** One rule that recognises a device of this model during discovery. */
export const DiscoveryRule = Type.Union([MdnsMatch, UsbMatch, MqttMatch]);
export type DiscoveryRule = Static<typeof DiscoveryRule>;

/** How a device of this model is commissioned (given Wi-Fi, broker, name). */
export const CommissioningMethod = Type.Union([
  Type.Literal('improv-serial'),
  Type.Literal('tasmota-serial'),
  Type.Literal('tasmota-http'),
  Type.Literal('shelly-rpc'),
  Type.Literal('esphome-config'),
  Type.Literal('homie-config'),
  Type.Literal('fieldgraph-gateway'),
  Type.Literal('manual'),
]);
export type CommissioningMethod = Static<typeof CommissioningMethod>;

/** How the device reports online/offline, normalised to one enum. */
export const Availability = Type.Object(
  { topic: Text(500), online: Type.String(), offline: Type.String(), valuePath: Opt(Text(300)) },
  { additionalProperties: false },
);
export type Availability = Static<typeof Availability>;

/** A concrete kind of device: the capabilities it implements, how each maps to the wire, how to find and commission it. */
export const DeviceModel = Type.Object(
  {
    schemaVersion: Opt(Type.Literal(MODEL_SCHEMA_VERSION)),
    id: Slug,
    title: Text(200),
    description: Opt(Text()),
    manufacturer: Opt(Text(200)),
    firmware: Opt(Text(200)),
    protocols: Type.Array(
      Type.Union([
        Type.Literal('mqtt'),
        Type.Literal('http'),
        Type.Literal('rpc-http'),
        Type.Literal('rpc-mqtt'),
      ]),
    ),
    variables: Opt(NameMap(VariableSpec)),
    implements: NameMap(Implementation),
    mappings: Opt(NameMap(Mapping)),
    availability: Opt(Availability),
    discovery: Opt(Type.Array(DiscoveryRule)),
    commissioning: Opt(Type.Array(CommissioningMethod)),
  },
  { additionalProperties: false },
);
export type DeviceModel = Static<typeof DeviceModel>;
