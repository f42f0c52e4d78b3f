/**
 * The measured work of the deploy benchmark, bundled by deploy.mjs: pack and verify a
 * 1,000-node project, and a fleet of gateway instances (installer + MQTT receivers each).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { unzipSync, zipSync } from 'fflate';
import { buildPackage, type PackageInput } from '../../shared/core/package/build';
import { utf8 } from '../../shared/core/package/bytes';
import { signingKeyFromSecret } from '../../shared/core/package/keys';
import { nobleCrypto, setPackageCrypto } from '../../shared/core/package/primitives';
import { verifyPackage } from '../../shared/core/package/verify';
import { mqttGroupTarget } from '../../shared/node/deploy/mqtt';
import { createInstaller } from '../../shared/node/gateway/install/installer';
import { listenForPackages, publishReport } from '../../shared/node/gateway/install/receivers';
import { useNodePackageCrypto } from '../../shared/node/keys/node-crypto';
import { createLogger } from '../../shared/node/log';
import { connectMqtt, type MqttLink } from '../../shared/node/mqtt/link';

export const key = signingKeyFromSecret(new Uint8Array(32).fill(7));
const log = createLogger('bench', 'error');

/** A project of `flows` flows with `nodesPerFlow` nodes each, as package payload. */
export const projectFiles = (flows: number, nodesPerFlow: number): Record<string, Uint8Array> => {
  const files: Record<string, Uint8Array> = {
    'fieldgraph.json': utf8(JSON.stringify({ schemaVersion: 1, id: 'bench', name: 'Bench' }, null, 2)),
    'sites/plant.json': utf8(
      JSON.stringify(
        { id: 'plant', devices: Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, model: 'relay' })) },
        null,
        2,
      ),
    ),
    'models/relay.json': utf8(JSON.stringify({ id: 'relay', capabilities: ['switch'] }, null, 2)),
  };
  for (let f = 0; f < flows; f++) {
    const nodes = Array.from({ length: nodesPerFlow }, (_, i) => ({
      id: `f${f}n${i}`,
      kind: i === 0 ? 'trigger.device' : i % 3 === 0 ? 'logic.condition' : 'action.device',
      config: { role: `role${i % 7}`, expression: `value > ${i}`, capability: 'switch' },
      position: { x: (i % 10) * 180, y: Math.floor(i / 10) * 90 },
    }));
    const edges = nodes.slice(1).map((n, i) => ({
      id: `f${f}e${i}`,
      from: { node: nodes[i]!.id, port: 'out' },
      to: { node: n.id, port: 'in' },
    }));
    files[`flows/flow-${f}.json`] = utf8(
      JSON.stringify({ id: `flow-${f}`, name: `Flow ${f}`, nodes, edges }, null, 2),
    );
  }
  return files;
};

export const input = (
  files: Record<string, Uint8Array>,
  version: number,
  target: PackageInput['target'],
): PackageInput => ({
  packageId: 'bench-plant',
  site: 'plant',
  version,
  created: new Date(Date.now() - 60_000).toISOString(),
  expires: new Date(Date.now() + 86_400_000).toISOString(),
  target,
  engine: '>=0.1.0 <1.0.0',
  files,
  signingKey: key,
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (runs: number, fn: () => void): number => {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
};

/**
 * Median pack and verify times of a 1,000-node project with node:crypto (CLI and gateway) and
 * with @noble (the platform-free path, as in the renderer), beside plain fflate zip/unzip.
 */
export const packAndVerify = (runs: number) => {
  const files = projectFiles(20, 50);
  const nodes = 20 * 50;
  const bytesIn = Object.values(files).reduce((n, f) => n + f.length, 0);
  const measure = () => {
    let pkg: Uint8Array = new Uint8Array();
    const packMs = time(runs, () => {
      pkg = buildPackage(input(files, 2, { kind: 'group', id: 'fleet' })).bytes;
    });
    const verifyMs = time(runs, () => {
      verifyPackage(pkg, {
        trusted: [key.publicKey],
        now: Date.now(),
        gateway: { id: 'gw', groups: ['fleet'] },
        engineVersion: '0.1.0',
        installedVersion: 1,
      });
    });
    return { packMs, verifyMs, bytes: pkg.length };
  };
  setPackageCrypto(nobleCrypto);
  const noble = measure();
  useNodePackageCrypto();
  const node = measure();
  let plain: Uint8Array = new Uint8Array();
  const zipMs = time(runs, () => {
    plain = zipSync(files, { level: 6 });
  });
  const unzipMs = time(runs, () => {
    unzipSync(plain);
  });
  return {
    nodes,
    bytesIn,
    packageBytes: node.bytes,
    packMs: node.packMs,
    verifyMs: node.verifyMs,
    noble,
    zipMs,
    unzipMs,
  };
};

/** Starts `count` gateway instances (numbered from `first`) (installer + receivers on their own MQTT connection) in group `fleet`. */
export const startFleet = async (
  url: string,
  first: number,
  count: number,
  root: string,
): Promise<{ stop(): Promise<void> }> => {
  const links: MqttLink[] = [];
  const stops: Array<() => void> = [];
  for (let i = first; i < first + count; i++) {
    const id = `gw-${String(i).padStart(3, '0')}`;
    const link = connectMqtt({ url, clientId: `bench-${id}-${process.pid}` });
    links.push(link);
    const dir = join(root, id);
    mkdirSync(dir, { recursive: true });
    const installer = createInstaller({
      root: dir,
      gatewayId: id,
      groups: ['fleet'],
      engineVersion: '0.1.0',
      trust: () => ({ trusted: [key.publicKey], revoked: [] }),
      report: (report) => {
        if (report.final) publishReport(link, report, log);
      },
    });
    stops.push(listenForPackages({ installer, gatewayId: id, link, groups: ['fleet'], log }));
  }
  await Promise.all(links.map((l) => l.ready(30_000)));
  // Let the SUBACKs land before anything is published.
  await new Promise((r) => setTimeout(r, 500));
  return {
    async stop() {
      for (const s of stops) s();
      await Promise.all(links.map((l) => l.end(true)));
    },
  };
};

/** Package bytes of the project for group `fleet`. */
export const buildPackageBytes = (files: Record<string, Uint8Array>, version: number): Uint8Array =>
  buildPackage(input(files, version, { kind: 'group', id: 'fleet' })).bytes;

/** Deploys `bytes` to group `fleet` and resolves when `count` gateways reported; returns ms and failures. */
export const deployFleet = async (url: string, count: number, bytes: Uint8Array) => {
  const t = performance.now();
  const outcome = await mqttGroupTarget({ url }, 'fleet', count).deliver(bytes, { timeoutMs: 60_000 });
  return {
    ms: performance.now() - t,
    ok: outcome.ok,
    gateways: outcome.gateways.length,
    failed: outcome.gateways.filter((g) => !g.ok).length,
  };
};
