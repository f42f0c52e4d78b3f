import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canCreateNetns, createNetns, type NetNs } from '../../helpers/netns';
import { bundleRunner, startBrowser, type RunningBrowser } from '../discovery/mdns-harness';

describe.skipIf(!canCreateNetns())('the demo site with mDNS inside a namespace', () => {
  let ns: NetNs;
  let runner: Awaited<ReturnType<typeof bundleRunner>>;
  let running: RunningBrowser;

  beforeAll(async () => {
    ns = createNetns('fg-h5-site');
    runner = await bundleRunner(join(import.meta.dirname, 'site-runner.ts'));
    running = await startBrowser(ns, runner.file);
  });
  afterAll(async () => {
    await running?.stop();
    await runner?.dispose();
    ns?.destroy();
  });

  it('finds the Shelly and the gateway over mDNS and merges them with what MQTT says', async () => {
    const shelly = await running.waitFor(
      (ds) => ds.find((d) => d.identity.topic === 'shellyplus1pm-demo01' && d.sources.length === 2),
      'the Shelly over mDNS and MQTT',
      15_000,
    );
    expect(shelly.sources.sort()).toEqual(['mdns', 'mqtt']);
    expect(shelly.model?.id).toBe('shelly-plus-1pm');
    expect(shelly.addresses).toContain('127.0.0.1');
    const gateway = await running.waitFor(
      (ds) => ds.find((d) => d.kind === 'gateway' && d.sources.length === 2),
      'the gateway over mDNS and MQTT',
      15_000,
    );
    expect(gateway.model?.id).toBe('fieldgraph-gateway');
  });
});
