import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { createLogger } from '../../shared/node/log';
import { startDemoSite } from '../../shared/node/sim/site';
import { UsageError, type Command } from '../command';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** `fieldgraph sim --site demo`: the virtual demo site, for trying Fieldgraph without hardware. */
export const simCommand: Command = {
  name: 'sim',
  summary: 'Run a virtual site (Tasmota, Shelly, ESPHome, Homie devices and a gateway)',
  usage: `Usage: fieldgraph sim --site demo [--broker URL | --embedded-broker PORT] [--serial-dir DIR] [--mdns-interface IP]

Starts virtual devices that behave like real ones (sensors report, relays obey) and match
the sample project resources/samples/demo-site. Stop with Ctrl+C.

  --site demo             the site to run (only "demo" exists)
  --broker URL            use this MQTT broker
  --embedded-broker PORT  start an embedded broker on 127.0.0.1:PORT (default 1883)
  --serial-dir DIR        also create serial ports in DIR (needs socat): demo_relay, demo-sensor
  --mdns-interface IP     announce the Shelly and the gateway over mDNS on this interface only;
                          without it nothing is announced on your network`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        site: { type: 'string' },
        broker: { type: 'string' },
        'embedded-broker': { type: 'string' },
        'serial-dir': { type: 'string' },
        'mdns-interface': { type: 'string' },
      },
      strict: true,
    });
    if (values.site !== 'demo')
      throw new UsageError(
        `--site must be "demo"${values.site ? `, not ${JSON.stringify(values.site)}` : ''}.`,
      );
    if (values.broker && values['embedded-broker'])
      throw new UsageError('Give either --broker or --embedded-broker, not both.');
    if (values.broker && !/^(mqtts?|wss?):\/\//.test(values.broker)) {
      throw new UsageError(
        `--broker must be a URL like mqtt://host:1883, not ${JSON.stringify(values.broker)}.`,
      );
    }
    const port = Number(values['embedded-broker'] ?? 1883);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(
        `--embedded-broker must be a port from 0 to 65535, not ${JSON.stringify(values['embedded-broker'])}.`,
      );
    }
    const mdnsInterface = values['mdns-interface'];
    if (mdnsInterface !== undefined && !IPV4.test(mdnsInterface)) {
      throw new UsageError(`--mdns-interface must be an IPv4 address, not ${JSON.stringify(mdnsInterface)}.`);
    }
    const log = createLogger('sim');
    let site;
    try {
      site = await startDemoSite({
        ...(values.broker ? { brokerUrl: values.broker } : { embeddedBrokerPort: port }),
        ...(values['serial-dir'] ? { serialDir: resolve(values['serial-dir']) } : {}),
        ...(mdnsInterface ? { mdnsInterface, host: mdnsInterface } : {}),
        log,
      });
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      return 1;
    }
    console.log(`Demo site running on ${site.brokerUrl}:`);
    for (const line of site.devices) console.log(`  ${line}`);
    console.log('Stop with Ctrl+C.');
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
    await site.stop();
    return 0;
  },
};
