/**
 * Runs the demo site with mDNS on the namespace's loopback and an embedded broker, and a
 * discovery session over mDNS and MQTT; prints the registry as one JSON line per batch.
 */
import { createDiscoverySession, loadMatchableModels } from '../../../shared/node/discovery/session';
import { createLogger } from '../../../shared/node/log';
import { startDemoSite } from '../../../shared/node/sim/site';

const [iface = '127.0.0.1'] = process.argv.slice(2);
const log = createLogger('site-runner', 'error');
const site = await startDemoSite({ embeddedBrokerPort: 0, host: iface, mdnsInterface: iface, log });
const session = createDiscoverySession({
  log,
  models: await loadMatchableModels(log),
  batchMs: 50,
  onChange: () => process.stdout.write(JSON.stringify({ devices: session.registry.list() }) + '\n'),
});
await session.start({ mdnsInterfaces: [iface], mqttUrls: [site.brokerUrl] });
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
process.on('SIGTERM', () => {
  void session
    .dispose()
    .then(() => site.stop())
    .then(() => process.exit(0));
});
