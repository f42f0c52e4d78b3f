import { parseArgs } from 'node:util';
import { FieldgraphError } from '../../shared/core/errors';
import type { DiscoveredDevice } from '../../shared/core/registry/types';
import { createDiscoverySession, loadMatchableModels } from '../../shared/node/discovery/session';
import { createLogger } from '../../shared/node/log';
import { UsageError, type Command } from '../command';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** One channel a device offers, as `fieldgraph discover --json` lists it. */
export interface CapabilityJson {
  readonly capability: string;
  readonly channel: string;
  readonly state_topic?: string;
  readonly command_topic?: string;
}

/** The bound entities of a device, one entry per channel, in announcement order. */
export const capabilitiesJson = (d: DiscoveredDevice): CapabilityJson[] =>
  (d.entities ?? []).flatMap((e) =>
    e.status === 'bound' && e.capability
      ? [
          {
            capability: e.capability,
            channel: e.channel,
            ...(e.state_topic ? { state_topic: e.state_topic } : {}),
            ...(e.command_topic ? { command_topic: e.command_topic } : {}),
          },
        ]
      : [],
  );

/** The JSON shape `fieldgraph discover --json` prints for one device. */
export const deviceJson = (d: DiscoveredDevice) => ({
  id: d.id,
  name: d.name,
  sources: d.sources,
  model: d.model ? { id: d.model.id, confidence: d.model.confidence } : null,
  capabilities: capabilitiesJson(d),
  understanding: d.understanding?.summary ?? null,
  not_understood: (d.entities ?? [])
    .filter((e) => e.status === 'unsupported' || e.status === 'invalid')
    .map((e) => ({ channel: e.channel, component: e.component, reason: e.reason ?? '' })),
  addresses: d.addresses,
  online: d.online,
  raw: Object.fromEntries(d.sightings.map((s) => [`${s.source}:${s.key}`, s.raw])),
});

const row = (d: DiscoveredDevice): string => {
  const dot = d.online === true ? '●' : d.online === false ? '○' : '·';
  const model = d.model ? `${d.model.name} (${Math.round(d.model.confidence * 100)}%)` : 'unknown model';
  return `${dot} ${d.name.padEnd(28)} ${model.padEnd(34)} ${d.sources.join('+').padEnd(14)} ${d.addresses.join(', ')}`;
};

/** `fieldgraph discover`: one discovery pass over mDNS, USB serial and MQTT, printed as a list or JSON. */
export const discoverCommand: Command = {
  name: 'discover',
  summary: 'Find devices on the network, USB ports and an MQTT broker',
  usage: `Usage: fieldgraph discover [--mdns-interface IP …] [--serial] [--mqtt URL …] [--timeout SECONDS] [--json]

Listens for the given time and prints every device found, merged across sources and matched
to the device-model library. With no source option: mDNS on every non-loopback IPv4
interface and the USB serial ports.

  --mdns-interface IP   browse mDNS on the interface with this IPv4 address (repeatable)
  --serial              list USB serial ports (/dev/ttyUSB*, /dev/ttyACM*, the OS list)
  --serial-path PATH    also list this port (a pty, an odd driver); implies --serial
  --mqtt URL            listen on this broker for discovery traffic (repeatable)
  --ha-prefix PREFIX    Home Assistant discovery prefix to read (repeatable; default homeassistant)
  --timeout SECONDS     how long to listen (default 5)
  --json                print {"devices":[…]} instead of a table`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        'mdns-interface': { type: 'string', multiple: true },
        serial: { type: 'boolean', default: false },
        'serial-path': { type: 'string', multiple: true },
        mqtt: { type: 'string', multiple: true },
        'ha-prefix': { type: 'string', multiple: true },
        timeout: { type: 'string', default: '5' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const timeout = Number(values.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 3600) {
      throw new UsageError(
        `--timeout must be a number of seconds from 0 to 3600, not ${JSON.stringify(values.timeout)}.`,
      );
    }
    const interfaces = values['mdns-interface'] ?? [];
    for (const ip of interfaces) {
      if (!IPV4.test(ip))
        throw new UsageError(`--mdns-interface must be an IPv4 address, not ${JSON.stringify(ip)}.`);
    }
    for (const url of values.mqtt ?? []) {
      if (!/^(mqtts?|wss?):\/\//.test(url))
        throw new UsageError(`--mqtt must be a URL like mqtt://host:1883, not ${JSON.stringify(url)}.`);
    }
    const haPrefixes = values['ha-prefix'] ?? [];
    for (const prefix of haPrefixes) {
      if (!/^[^#+\s]+$/.test(prefix) || prefix.startsWith('/') || prefix.endsWith('/'))
        throw new UsageError(
          `--ha-prefix must be a topic without wildcards or a leading or trailing slash, like homeassistant, not ${JSON.stringify(prefix)}.`,
        );
    }
    const serialPaths = values['serial-path'] ?? [];
    const anySource =
      interfaces.length > 0 || values.serial || serialPaths.length > 0 || (values.mqtt ?? []).length > 0;
    const log = createLogger('discover', values.json ? 'error' : 'warn');
    const session = createDiscoverySession({ log, models: await loadMatchableModels(log) });
    try {
      await session.start({
        ...(interfaces.length > 0
          ? { mdnsInterfaces: interfaces }
          : anySource
            ? {}
            : { mdnsInterfaces: 'default' as const }),
        ...(values.mqtt ? { mqttUrls: values.mqtt } : {}),
        serial: values.serial || serialPaths.length > 0 || !anySource,
        serialPaths,
        ...(haPrefixes.length ? { haPrefixes } : {}),
      });
    } catch (error) {
      await session.dispose();
      if (error instanceof FieldgraphError) {
        console.error(error.message);
        return 1;
      }
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, timeout * 1000));
    session.registry.flush();
    const devices = session.registry.list();
    const status = session.status();
    await session.dispose();
    if (values.json) {
      console.log(JSON.stringify({ devices: devices.map(deviceJson) }, null, 2));
      return 0;
    }
    if (devices.length === 0) console.log('No devices found.');
    for (const d of devices) console.log(row(d));
    if (status.problems.length > 0)
      console.log(
        `\n${status.problems.length} discovery messages were skipped (run with FIELDGRAPH_LOG=warn to see why).`,
      );
    return 0;
  },
};
