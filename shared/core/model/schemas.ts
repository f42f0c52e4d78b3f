/**
 * The device model's schemas: one TypeBox definition per format gives both the TypeScript
 * type and the JSON Schema published in resources/schemas. Vocabulary follows PRODUCT.md:
 * a Capability is what a device can do, a DeviceModel says how one kind of device does it on
 * the wire, a Site binds a design's Roles to real Devices.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Schema version of every file format defined here; project migrations step from it. */
export const MODEL_SCHEMA_VERSION = 1;

/** Pattern of a capability id: a lowercase name, `@`, and a major version (`switch@1`). */
export const CAPABILITY_ID_PATTERN = '^[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*@[1-9][0-9]*$';
/** Pattern of a device model, role, device, site or gateway id: lowercase slug. */
export const SLUG_PATTERN = '^[a-z0-9][a-z0-9_-]*$';
/** Pattern of an affordance or instance-variable name (camelCase or snake_case). */
export const NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

const Name = Type.String({ pattern: NAME_PATTERN, maxLength: 64 });
const Slug = Type.String({ pattern: SLUG_PATTERN, maxLength: 128 });
const Text = (maxLength = 2000) => Type.String({ maxLength });
const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
// Records keyed by names refuse other keys: without `additionalProperties: false` a pattern key
// only constrains matching keys, and `{"": null}` would pass.
const NameMap = <T extends TSchema>(schema: T) =>
  Type.Record(Type.String({ pattern: NAME_PATTERN }), schema, { additionalProperties: false });

/** A capability id such as `switch@1`. */
export const CapabilityId = Type.String({ pattern: CAPABILITY_ID_PATTERN, maxLength: 128 });

/** JSON value types of WoT DataSchema. */
export const DataType = Type.Union([
  Type.Literal('boolean'),
  Type.Literal('integer'),
  Type.Literal('number'),
  Type.Literal('string'),
  Type.Literal('object'),
  Type.Literal('array'),
  Type.Literal('null'),
]);
export type DataType = Static<typeof DataType>;

/**
 * The type of a value, aligned with the W3C WoT DataSchema so capabilities export to Thing
 * Descriptions without translation. `unit` uses the short symbols shown in the UI (`°C`, `%`, `W`).
 */
export const DataSchema = Type.Recursive(
  (This) =>
    Type.Object(
      {
        type: Opt(DataType),
        title: Opt(Text(200)),
        description: Opt(Text()),
        unit: Opt(Text(32)),
        const: Opt(Type.Unknown()),
        default: Opt(Type.Unknown()),
        enum: Opt(Type.Array(Type.Unknown(), { minItems: 1 })),
        minimum: Opt(Type.Number()),
        maximum: Opt(Type.Number()),
        multipleOf: Opt(Type.Number({ exclusiveMinimum: 0 })),
        minLength: Opt(Type.Integer({ minimum: 0 })),
        maxLength: Opt(Type.Integer({ minimum: 0 })),
        pattern: Opt(Text(500)),
        format: Opt(Text(64)),
        items: Opt(This),
        properties: Opt(Type.Record(Type.String(), This)),
        required: Opt(Type.Array(Type.String())),
      },
      { additionalProperties: false },
    ),
  { $id: 'DataSchema' },
);
export type DataSchema = Static<typeof DataSchema>;

/** A typed property of a capability; `read`, `write`, `observe` say which operations it offers. */
export const PropertyAffordance = Type.Object(
  {
    title: Opt(Text(200)),
    description: Opt(Text()),
    data: DataSchema,
    read: Type.Boolean({ default: true }),
    write: Type.Boolean({ default: false }),
    observe: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
);
export type PropertyAffordance = Static<typeof PropertyAffordance>;

/** An action of a capability, with optional input and output types. */
export const ActionAffordance = Type.Object(
  { title: Opt(Text(200)), description: Opt(Text()), input: Opt(DataSchema), output: Opt(DataSchema) },
  { additionalProperties: false },
);
export type ActionAffordance = Static<typeof ActionAffordance>;

/** An event of a capability, with the type of its payload. */
export const EventAffordance = Type.Object(
  { title: Opt(Text(200)), description: Opt(Text()), data: Opt(DataSchema) },
  { additionalProperties: false },
);
export type EventAffordance = Static<typeof EventAffordance>;

/**
 * An abstract interface a device can offer (`switch@1`): typed properties, actions and events.
 * A capability may extend others; it then has their affordances as well as its own.
 */
export const Capability = Type.Object(
  {
    schemaVersion: Opt(Type.Literal(MODEL_SCHEMA_VERSION)),
    id: CapabilityId,
    title: Text(200),
    description: Opt(Text()),
    extends: Opt(Type.Array(CapabilityId)),
    tags: Opt(Type.Array(Text(64))),
    properties: Type.Optional(NameMap(PropertyAffordance)),
    actions: Type.Optional(NameMap(ActionAffordance)),
    events: Type.Optional(NameMap(EventAffordance)),
  },
  { additionalProperties: false },
);
export type Capability = Static<typeof Capability>;

// ---------------------------------------------------------------------------------------------
// Mappings

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

/** A declared conversion between a device's representation of a value and the capability's. */
export const Mapping = Type.Union([EnumMapping, LinearMapping, RangeMapping, ParseMapping]);
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

/** The wire binding of one property. */
export const PropertyBinding = Type.Object(
  {
    read: Opt(WireOperation),
    write: Opt(WireOperation),
    observe: Opt(Type.Array(MqttSubscription, { minItems: 1 })),
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
  { subscribe: Type.Array(MqttSubscription, { minItems: 1 }), map: Opt(Type.Array(MappingRef)) },
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

// ---------------------------------------------------------------------------------------------
// Design and site

/** A reference to a secret in the secret store (OS keychain or encrypted file); never the value. */
export const SecretRef = Type.Object(
  { secret: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]*$', maxLength: 200 }) },
  { additionalProperties: false },
);
export type SecretRef = Static<typeof SecretRef>;

/** Identity facts of a physical device; any subset may be known. */
export const DeviceIdentity = Type.Object(
  {
    /** 12 lowercase hex digits without separators, as discovery reports it (`a4cf12b3c4d5`). */
    mac: Opt(Type.String({ pattern: '^[0-9a-f]{12}$' })),
    serial: Opt(Text(200)),
    hostname: Opt(Text(253)),
    topic: Opt(Text(300)),
  },
  { additionalProperties: false },
);
export type DeviceIdentity = Static<typeof DeviceIdentity>;

/** One physical device on a site. */
export const Device = Type.Object({
  id: Slug,
  name: Text(200),
  model: Slug,
  identity: DeviceIdentity,
  /** Values of the model's instance variables (topic, prefix, host…). */
  variables: Opt(NameMap(Type.Union([Type.String(), Type.Number()]))),
  room: Opt(Slug),
  site: Opt(Slug),
});
export type Device = Static<typeof Device>;

/** A slot in a design typed by a capability ("hallway-light: switch@1"); flows talk to roles. */
export const Role = Type.Object({
  id: Slug,
  title: Opt(Text(200)),
  description: Opt(Text()),
  capability: CapabilityId,
  /** Further capabilities the bound device must also implement. */
  alsoRequires: Opt(Type.Array(CapabilityId)),
});
export type Role = Static<typeof Role>;

/** Binds a role to one implementation of a device on a site. */
export const RoleBinding = Type.Object({
  role: Slug,
  device: Slug,
  /** Key in the model's `implements` when the device offers the capability more than once. */
  implementation: Opt(Type.String({ pattern: NAME_PATTERN })),
});
export type RoleBinding = Static<typeof RoleBinding>;

/** The site's Wi-Fi; the password is a secret reference. */
export const WifiProfile = Type.Object({
  ssid: Type.String({ minLength: 1, maxLength: 32 }),
  password: Opt(SecretRef),
});
export type WifiProfile = Static<typeof WifiProfile>;

/** The site's MQTT broker; credentials are secret references. */
export const BrokerProfile = Type.Object({
  host: Type.String({ minLength: 1, maxLength: 253 }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 1883 }),
  tls: Opt(Type.Boolean()),
  username: Opt(Text(200)),
  password: Opt(SecretRef),
});
export type BrokerProfile = Static<typeof BrokerProfile>;

/** A room of a site. */
export const Room = Type.Object({ id: Slug, name: Text(200) });
export type Room = Static<typeof Room>;

/** A gateway installed on a site. */
export const GatewayRef = Type.Object({
  id: Slug,
  name: Opt(Text(200)),
  host: Opt(Text(253)),
  /** Ed25519/X25519 public key fingerprint, to check the gateway that answers is the one meant. */
  fingerprint: Opt(Text(200)),
});
export type GatewayRef = Static<typeof GatewayRef>;

/** A place where a design is installed: network profile, naming scheme, rooms, devices, role bindings, gateways. */
export const Site = Type.Object({
  schemaVersion: Opt(Type.Literal(MODEL_SCHEMA_VERSION)),
  id: Slug,
  name: Text(200),
  wifi: Opt(WifiProfile),
  broker: Opt(BrokerProfile),
  /** Template for device names and topics, e.g. `{room}-{capability}-{n}`. */
  naming: Opt(Type.Object({ scheme: Text(200) })),
  rooms: Type.Array(Room),
  devices: Type.Array(Device),
  bindings: Type.Array(RoleBinding),
  gateways: Type.Array(GatewayRef),
});
export type Site = Static<typeof Site>;

/**
 * A flow as stored in `flows/<id>.json`. The flows area (shared/core/flow) defines its shape;
 * here it is an opaque record with an id so the project can hold and list flows.
 */
export const FlowRecord = Type.Object({ id: Slug }, { additionalProperties: true });
export type FlowRecord = Static<typeof FlowRecord>;

/** `fieldgraph.json`: project metadata and the design's roles. */
export const ProjectFile = Type.Object({
  schemaVersion: Type.Integer({ minimum: 1 }),
  id: Slug,
  name: Text(200),
  description: Opt(Text()),
  roles: Type.Array(Role),
});
export type ProjectFile = Static<typeof ProjectFile>;

/** A whole project in memory: its file plus the capabilities, models, flows and sites it holds. */
export const Project = Type.Object({
  project: ProjectFile,
  capabilities: Type.Array(Capability),
  models: Type.Array(DeviceModel),
  flows: Type.Array(FlowRecord),
  sites: Type.Array(Site),
});
export type Project = Static<typeof Project>;

/** The published file formats, by the name of their file in resources/schemas. */
export const publishedSchemas = {
  capability: Capability,
  'device-model': DeviceModel,
  mapping: Mapping,
  site: Site,
  'project-file': ProjectFile,
  role: Role,
  device: Device,
} as const;
