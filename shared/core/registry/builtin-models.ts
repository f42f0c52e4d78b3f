import type { MatchableModel } from './types';

/**
 * Firmware-family models the registry matches against when the device-model library offers
 * no rules of its own. Confidence reflects how telling the evidence is: a Shelly announcing
 * its app name is certain, a bare `_http._tcp` service with a `shelly` name is a good guess.
 */
export const builtinModels: readonly MatchableModel[] = [
  {
    id: 'shelly-plus-1pm',
    name: 'Shelly Plus 1PM',
    rules: [
      { all: [{ fact: 'txt.app', equals: 'Plus1PM' }], confidence: 0.95 },
      { all: [{ fact: 'shelly.app', equals: 'Plus1PM' }], confidence: 0.95 },
      { all: [{ fact: 'shelly.model', prefix: 'SNSW-001P16' }], confidence: 0.95 },
      { all: [{ fact: 'mqtt.id', prefix: 'shellyplus1pm-' }], confidence: 0.7 },
      { all: [{ fact: 'mdns.instance', prefix: 'shellyplus1pm-' }], confidence: 0.7 },
    ],
  },
  {
    id: 'shelly-gen2',
    name: 'Shelly (Gen2, Gen3, Gen4)',
    rules: [
      // Its components were read over RPC: the entities say what it can do, this says what it is.
      { all: [{ fact: 'shelly.gen', pattern: '^[2-9]$' }], confidence: 0.9 },
      { all: [{ fact: 'mdns.type', equals: '_shelly._tcp' }], confidence: 0.8 },
      { all: [{ fact: 'mqtt.protocol', equals: 'shelly' }], confidence: 0.6 },
      // Gen2+ announce `gen` in TXT on `_http._tcp` too; Gen1 never does.
      {
        all: [
          { fact: 'mdns.instance', prefix: 'shelly' },
          { fact: 'txt.gen', pattern: '^[2-9]$' },
        ],
        confidence: 0.9,
      },
    ],
  },
  {
    id: 'shelly-gen1',
    name: 'Shelly Gen1',
    rules: [
      { all: [{ fact: 'shelly.gen', equals: '1' }], confidence: 0.9 },
      // Gen1 announces only `_http._tcp` as shelly<model>-<6 or 12 MAC digits>, without TXT;
      // the name is all there is, so a guess (GET /shelly would tell).
      {
        all: [
          { fact: 'mdns.type', equals: '_http._tcp' },
          { fact: 'mdns.instance', pattern: '^shelly[a-z0-9-]*-([0-9a-f]{6}|[0-9a-f]{12})$' },
        ],
        confidence: 0.6,
      },
    ],
  },
  {
    id: 'tasmota-device',
    name: 'Tasmota device',
    rules: [
      // Native discovery read: what it drives comes from its entities, not from this model.
      { all: [{ fact: 'tasmota.fulltopic', pattern: '.' }], confidence: 0.9 },
      { all: [{ fact: 'mqtt.protocol', equals: 'tasmota' }], confidence: 0.75 },
      // WEBSERVER_ADVERTISE: it is a Tasmota; what it drives is not in the announcement.
      { all: [{ fact: 'txt.devicetype', equals: 'tasmota' }], confidence: 0.75 },
    ],
  },
  {
    id: 'tasmota-relay',
    name: 'Tasmota relay',
    rules: [{ all: [{ fact: 'serial.console', equals: 'tasmota' }], confidence: 0.7 }],
  },
  {
    id: 'esphome-device',
    name: 'ESPHome device',
    rules: [
      { all: [{ fact: 'mdns.type', equals: '_esphomelib._tcp' }], confidence: 0.9 },
      { all: [{ fact: 'mqtt.protocol', equals: 'esphome' }], confidence: 0.95 },
      { all: [{ fact: 'ha.via', equals: 'esphome' }], confidence: 0.92 },
      { all: [{ fact: 'ha.origin', equals: 'ESPHome' }], confidence: 0.85 },
      { all: [{ fact: 'improv.firmware', equals: 'ESPHome' }], confidence: 0.85 },
    ],
  },
  {
    id: 'zigbee2mqtt-device',
    name: 'Zigbee device (zigbee2mqtt)',
    rules: [
      { all: [{ fact: 'mqtt.protocol', equals: 'zigbee2mqtt' }], confidence: 0.95 },
      { all: [{ fact: 'ha.via', equals: 'zigbee2mqtt' }], confidence: 0.92 },
    ],
  },
  {
    // Any device announcing its entities through Home Assistant discovery: what it can do comes
    // from its entities, so knowing the format is enough to be sure of it.
    id: 'homeassistant-device',
    name: 'Home Assistant MQTT device',
    rules: [{ all: [{ fact: 'mqtt.protocol', equals: 'homeassistant' }], confidence: 0.9 }],
  },
  {
    id: 'wled-light',
    name: 'WLED light',
    rules: [{ all: [{ fact: 'mdns.type', equals: '_wled._tcp' }], confidence: 0.9 }],
  },
  {
    id: 'homie-device',
    name: 'Homie device',
    rules: [{ all: [{ fact: 'mqtt.protocol', equals: 'homie' }], confidence: 0.8 }],
  },
  {
    id: 'fieldgraph-gateway',
    name: 'Fieldgraph gateway',
    rules: [
      { all: [{ fact: 'mqtt.protocol', equals: 'fieldgraph' }], confidence: 0.95 },
      { all: [{ fact: 'mdns.type', equals: '_fieldgraph._tcp' }], confidence: 0.95 },
    ],
  },
  {
    id: 'matter-commissionable',
    name: 'Matter device (commissioning mode)',
    // CM=1 or 2: open for commissioning; CM=0 is extended discovery, not commissionable now.
    rules: [
      {
        all: [
          { fact: 'mdns.type', equals: '_matterc._udp' },
          { fact: 'txt.cm', pattern: '^[12]$' },
        ],
        confidence: 0.6,
      },
    ],
  },
];
