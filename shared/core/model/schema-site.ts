/** Devices, roles, sites and projects: where a design meets real devices. */
import { Type, type Static } from '@sinclair/typebox';
import { Capability, CapabilityId } from './schema-capability';
import { MODEL_SCHEMA_VERSION, NAME_PATTERN, NameMap, Opt, Slug, Text } from './schema-common';
import { DeviceModel, Implementation } from './schema-device-model';

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

/**
 * How the gateway logs in to a device's HTTP API (Shelly Gen2+ digest auth: user `admin`).
 * The password is a secret reference; its value travels sealed to the gateway in the package.
 */
export const DeviceAuth = Type.Object(
  {
    /** Defaults to what the device expects (`admin` for Shelly Gen2+). */
    username: Opt(Text(200)),
    password: SecretRef,
  },
  { additionalProperties: false },
);
export type DeviceAuth = Static<typeof DeviceAuth>;

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
  /** Credentials for the device's HTTP API, when it asks for a login. */
  auth: Opt(DeviceAuth),
  /**
   * The entities discovery understood, each a capability binding at its own topics (concrete
   * topics, inline mappings), keyed by entity id. They decide what the device can do; the
   * model's implementations add only capabilities no entity provides (see modelForDevice).
   */
  entities: Opt(NameMap(Implementation)),
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

/**
 * How the workbench was last used for this site, restored on every visit: discovery sources,
 * deploy targets, the last commissioning profile's installer. Never a secret: broker URLs are
 * kept without credentials, passwords only as references (the site's wifi and broker).
 */
export const SiteWorkbench = Type.Object({
  discovery: Opt(
    Type.Object({
      mdns: Opt(Type.Boolean()),
      /** IPv4 addresses of the interfaces mDNS browses on. */
      interfaces: Opt(Type.Array(Text(64), { maxItems: 16 })),
      serial: Opt(Type.Boolean()),
      brokerUrl: Opt(Text(500)),
    }),
  ),
  deploy: Opt(
    Type.Object({
      brokerUrl: Opt(Text(500)),
      httpUrls: Opt(Type.Array(Text(500), { maxItems: 32 })),
      /** Gateway ids chosen as targets. */
      gateways: Opt(Type.Array(Text(200), { maxItems: 64 })),
      /** How each chosen gateway is reached. */
      routes: Opt(Type.Record(Type.String(), Type.Union([Type.Literal('mqtt'), Type.Literal('http')]))),
      usbDir: Opt(Text(4096)),
    }),
  ),
  commission: Opt(
    Type.Object({
      installer: Opt(Text(200)),
      useBroker: Opt(Type.Boolean()),
    }),
  ),
});
export type SiteWorkbench = Static<typeof SiteWorkbench>;

/** A place where a design is installed: network profile, naming scheme, rooms, devices, role bindings, gateways. */
export const Site = Type.Object({
  schemaVersion: Opt(Type.Literal(MODEL_SCHEMA_VERSION)),
  id: Slug,
  name: Text(200),
  wifi: Opt(WifiProfile),
  broker: Opt(BrokerProfile),
  /**
   * The bearer token flow HTTP endpoints ask for (those not set open), as a secret reference:
   * its value travels sealed to the gateway in the package.
   */
  http: Opt(Type.Object({ token: SecretRef }, { additionalProperties: false })),
  /** Template for device names and topics, e.g. `{room}-{capability}-{n}`. */
  naming: Opt(Type.Object({ scheme: Text(200) })),
  rooms: Type.Array(Room),
  devices: Type.Array(Device),
  bindings: Type.Array(RoleBinding),
  gateways: Type.Array(GatewayRef),
  /** The workbench choices kept with the site (optional: older files have none). */
  workbench: Opt(SiteWorkbench),
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
