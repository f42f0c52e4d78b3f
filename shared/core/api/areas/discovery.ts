import { Type } from '@sinclair/typebox';
import { DiscoveredDevice, RegistryChange } from '../../registry/types';
import { defineEvent, defineMethod } from '../contract';

const Ipv4 = Type.String({ pattern: '^(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}$' });

/** A message or packet discovery skipped, and why. */
export const DiscoveryProblem = Type.Object({
  source: Type.Union([Type.Literal('mqtt'), Type.Literal('mdns'), Type.Literal('usb')]),
  where: Type.String(),
  reason: Type.String(),
  at: Type.Number(),
});

/** Which discovery sources run now. */
export const DiscoveryStatus = Type.Object({
  mdnsInterfaces: Type.Array(Type.String()),
  /** Broker URLs, without credentials. */
  mqtt: Type.Array(Type.String()),
  serial: Type.Boolean(),
  problems: Type.Array(DiscoveryProblem),
});

/** A network interface mDNS can browse on. */
export const NetworkInterface = Type.Object({ name: Type.String(), address: Type.String() });

/** What answered on a serial port when probed. */
export const SerialProbe = Type.Object(
  {
    kind: Type.Union([Type.Literal('improv'), Type.Literal('tasmota'), Type.Literal('unknown')]),
    path: Type.String(),
  },
  { additionalProperties: true },
);

/** The `discovery` area: finding devices on the network, the site broker and USB ports. */
export const discoveryMethods = {
  start: defineMethod(
    Type.Object({
      /** IPv4 addresses of the interfaces to browse mDNS on. */
      mdnsInterfaces: Type.Optional(Type.Array(Ipv4, { maxItems: 16 })),
      /** Browse mDNS on every non-loopback IPv4 interface. */
      mdnsAllInterfaces: Type.Optional(Type.Boolean()),
      mqttUrls: Type.Optional(
        Type.Array(Type.String({ pattern: '^(mqtts?|wss?)://', maxLength: 500 }), { maxItems: 8 }),
      ),
      serial: Type.Optional(Type.Boolean()),
      serialPaths: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 32 })),
    }),
    DiscoveryStatus,
    'Starts the chosen discovery sources (sources already running stay as they are).',
  ),
  stop: defineMethod(
    Type.Object({}),
    DiscoveryStatus,
    'Stops every discovery source and clears their devices.',
  ),
  list: defineMethod(
    Type.Object({}),
    Type.Object({ devices: Type.Array(DiscoveredDevice), status: DiscoveryStatus }),
    'Every device in the registry, and which sources run.',
  ),
  interfaces: defineMethod(
    Type.Object({}),
    Type.Array(NetworkInterface),
    'The non-loopback IPv4 interfaces mDNS can browse on.',
  ),
  probe: defineMethod(
    Type.Object({ path: Type.String({ minLength: 1, maxLength: 300 }) }),
    SerialProbe,
    'Probes a serial port without resetting the board: Improv, then the Tasmota console.',
  ),
};

/** The `demo` area: the virtual demo site inside the app. */
export const demoMethods = {
  start: defineMethod(
    Type.Object({}),
    Type.Object({ brokerUrl: Type.String(), devices: Type.Array(Type.String()) }),
    'Starts the virtual demo site on an embedded broker (MQTT only, nothing on the network) and discovers it.',
  ),
  stop: defineMethod(Type.Object({}), Type.Object({ stopped: Type.Boolean() }), 'Stops the demo site.'),
  status: defineMethod(
    Type.Object({}),
    Type.Object({
      running: Type.Boolean(),
      brokerUrl: Type.Optional(Type.String()),
      gatewayId: Type.Optional(Type.String()),
      /** The demo's Wi-Fi as its virtual devices accept it: a demo value, shown to the user, not a secret. */
      wifi: Type.Optional(Type.Object({ ssid: Type.String(), password: Type.String() })),
    }),
    'Whether the demo site runs, its broker and gateway (the Deploy view starts from them), and the Wi-Fi its virtual devices accept.',
  ),
};

/** Discovery events. */
export const discoveryEvents = {
  onDevice: defineEvent(
    RegistryChange,
    'Devices added, changed or removed, batched (at most a few batches a second).',
  ),
};
