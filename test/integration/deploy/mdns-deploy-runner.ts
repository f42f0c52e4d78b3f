/**
 * Runs the app's services (the same composition as the desktop and web app) inside a network
 * namespace, bundled by esbuild: starts mDNS discovery on one interface, lists the Deploy view's
 * gateways through the API dispatcher, deploys over HTTP to the one mDNS found, and prints each
 * answer as one JSON line.
 *
 * Arguments: DATA_DIR MDNS_INTERFACE BROKER_URL PROJECT_DIR GATEWAY_ID GATEWAY_COUNT (how many
 * gateways to wait for, GATEWAY_ID with its HTTP endpoint among them); the secrets file in
 * DATA_DIR is unlocked with FIELDGRAPH_SECRETS_PASSPHRASE.
 */
import { createDispatcher } from '../../../shared/core/api/dispatch';
import { createEventHub } from '../../../shared/core/api/events';
import { silentLogger } from '../../../shared/node/log';
import { createServices } from '../../../shared/node/services';

const [dataDir = '', iface = '', brokerUrl = '', projectDir = '', gatewayId = '', count = '1'] =
  process.argv.slice(2);
const say = (message: object) => process.stdout.write(JSON.stringify(message) + '\n');
const hub = createEventHub();
const steps: string[] = [];
hub.subscribe((event, payload) => {
  if (event === 'onDeployProgress') steps.push((payload as { step: string }).step);
});
const dispatch = createDispatcher(createServices({ runtime: 'web', dataDir, hub, log: silentLogger }), {
  checkResults: true,
});
const call = async <T>(method: string, args: object): Promise<T> => {
  const result = await dispatch(method, args, { transport: 'direct' });
  if (!result.ok) throw new Error(`${method}: ${JSON.stringify(result.error)}`);
  return result.value as T;
};

interface Listed {
  id: string;
  foundBy: string[];
  httpUrl?: string;
  tokenRef: string;
  running: number | null;
}

const started = await call('discovery.start', { mdnsInterfaces: [iface] });
say({ started });
// Wait on the registry (announcements take about a second of probing), not on a fixed sleep.
const deadline = Date.now() + 20_000;
let found: Listed[] = [];
for (;;) {
  found = await call<Listed[]>('deploy.gateways', {});
  if (found.length >= Number(count) && found.some((g) => g.id === gatewayId && g.httpUrl)) break;
  if (Date.now() > deadline) break;
  await new Promise((r) => setTimeout(r, 250));
}
say({ mdns: found });
say({ merged: await call<Listed[]>('deploy.gateways', { brokerUrl }) });
const gateway = found.find((g) => g.id === gatewayId);
if (gateway?.httpUrl) {
  const record = await call('deploy.run', {
    projectDir,
    site: 'home',
    targets: [{ kind: 'http-gateway', url: gateway.httpUrl, gatewayId, tokenRef: gateway.tokenRef }],
  });
  say({ run: record, steps });
  say({ after: await call<Listed[]>('deploy.gateways', {}) });
}
await call('discovery.stop', {});
process.exit(0);
