/**
 * Runs the mDNS discovery source inside a network namespace (tests spawn it there, bundled by
 * esbuild) and prints the registry as one JSON line after every batch of changes.
 */
import { createDeviceRegistry } from '../../../shared/core/registry/registry';
import { startMdnsSource } from '../../../shared/node/discovery/mdns-source';
import { loadMatchableModels } from '../../../shared/node/discovery/session';
import { createLogger } from '../../../shared/node/log';

const [iface = '127.0.0.1', maxRequery = '60000'] = process.argv.slice(2);
const log = createLogger('mdns-runner', 'warn');
// The models the app matches with: the library's rules and the built-in family rules.
const models = await loadMatchableModels(log);
const registry = createDeviceRegistry({
  schedule: (task, ms) => {
    const t = setTimeout(task, ms);
    return () => clearTimeout(t);
  },
  models,
  batchMs: 50,
  onChange: () => process.stdout.write(JSON.stringify({ devices: registry.list() }) + '\n'),
});
const source = await startMdnsSource({
  interfaces: [iface],
  registry,
  log,
  maxRequeryMs: Number(maxRequery),
  onProblem: (p) => process.stdout.write(JSON.stringify({ problem: p }) + '\n'),
});
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
process.on('SIGTERM', () => {
  void source.stop().then(() => process.exit(0));
});
