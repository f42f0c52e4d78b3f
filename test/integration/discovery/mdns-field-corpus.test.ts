/**
 * The mDNS field corpus (test/fixtures/field/mdns/) announced by a third party — Debian's
 * python3-zeroconf, the stack Home Assistant uses — inside a network namespace this test creates,
 * and browsed there by Fieldgraph's mDNS discovery with the app's models (library and built-in
 * rules). Every announced device must be listed with the identity, name and raw records its
 * announcement carries, matched to the expected model within the expected confidence, or listed
 * raw without a model when its announcement does not say what it is.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../../shared/core/registry/types';
import { canCreateNetns, createNetns, type NetNs } from '../../helpers/netns';
import { bundleRunner, startBrowser, type RunningBrowser } from './mdns-harness';

interface Service {
  readonly type: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly txt?: Record<string, string | null>;
}

interface Fixture {
  readonly file: string;
  readonly title: string;
  readonly services: readonly Service[];
  readonly expect: {
    readonly match: { readonly mac?: string; readonly hostname?: string };
    /** The library model, or null: listed raw, with no model. */
    readonly model: string | null;
    readonly confidence?: { readonly min?: number; readonly max?: number };
    readonly identity: { readonly mac?: string; readonly hostname?: string };
    readonly name: string;
  };
}

const folder = join(import.meta.dirname, '..', '..', 'fixtures', 'field', 'mdns');
const fixtures: Fixture[] = readdirSync(folder)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(folder, f), 'utf8')) as Omit<Fixture, 'file'>) }));

const announcer = join(import.meta.dirname, 'zeroconf-corpus-announce.py');

const findDevice = (devices: readonly DiscoveredDevice[], fixture: Fixture) => {
  const { mac, hostname } = fixture.expect.match;
  return devices.find(
    (d) =>
      (mac === undefined || d.identity.mac === mac) &&
      (hostname === undefined || d.identity.hostname === hostname),
  );
};

const rawOf = (device: DiscoveredDevice) =>
  device.sightings.map(
    (s) => s.raw as { type: string; instance: string; port: number; txt: Record<string, unknown> },
  );

/** What differs between what the fixture expects and what discovery lists for it. */
const differences = (fixture: Fixture, device: DiscoveredDevice | undefined): string[] => {
  if (!device) return ['not listed'];
  const want = fixture.expect;
  const out: string[] = [];
  const model = device.model;
  if (want.model === null) {
    if (model) out.push(`listed as ${model.id} at ${model.confidence} (${model.reason}); expected no model`);
  } else if (model?.id !== want.model) {
    out.push(`model ${model ? `${model.id} at ${model.confidence}` : 'none'}; expected ${want.model}`);
  } else {
    if (want.confidence?.min !== undefined && model.confidence < want.confidence.min)
      out.push(`confidence ${model.confidence} below ${want.confidence.min}`);
    if (want.confidence?.max !== undefined && model.confidence > want.confidence.max)
      out.push(`confidence ${model.confidence} above ${want.confidence.max}`);
  }
  for (const key of ['mac', 'hostname'] as const) {
    if (device.identity[key] !== want.identity[key])
      out.push(
        `identity.${key} ${JSON.stringify(device.identity[key])}; expected ${JSON.stringify(want.identity[key])}`,
      );
  }
  if (device.name !== want.name)
    out.push(`name ${JSON.stringify(device.name)}; expected ${JSON.stringify(want.name)}`);
  if (device.online !== true) out.push(`online ${device.online}`);
  // Listed raw: every service as announced, its TXT keys lower-cased as RFC 6763 compares them.
  const raw = rawOf(device);
  for (const service of fixture.services) {
    const seen = raw.find((r) => r.type === service.type && r.instance === service.name);
    if (!seen) {
      out.push(`raw ${service.type} ${service.name} missing`);
      continue;
    }
    if (seen.port !== service.port)
      out.push(`raw ${service.type} port ${seen.port}; expected ${service.port}`);
    const txt = Object.fromEntries(
      Object.entries(service.txt ?? {}).map(([k, v]) => [k.toLowerCase(), v === null ? true : v]),
    );
    if (JSON.stringify(Object.entries(seen.txt).sort()) !== JSON.stringify(Object.entries(txt).sort()))
      out.push(`raw ${service.type} TXT ${JSON.stringify(seen.txt)}; expected ${JSON.stringify(txt)}`);
  }
  return out;
};

describe.skipIf(!canCreateNetns())('mDNS field corpus announced by python-zeroconf', () => {
  let ns: NetNs;
  let runner: Awaited<ReturnType<typeof bundleRunner>>;
  let browser: RunningBrowser;
  let zeroconf: ChildProcess | undefined;
  const work = mkdtempSync(join(tmpdir(), 'fg-mdns-corpus-'));

  beforeAll(async () => {
    ns = createNetns('fg-mc');
    runner = await bundleRunner();
    browser = await startBrowser(ns, runner.file, 4000);
    const services = join(work, 'services.json');
    writeFileSync(services, JSON.stringify(fixtures.flatMap((f) => f.services)));
    zeroconf = ns.spawn('/usr/bin/python3', [announcer, ns.address, services], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: zeroconf!.stdout! }).on('line', (line) => line === 'registered' && resolve());
      zeroconf!.once('exit', (code) => reject(new Error(`zeroconf announcer exited with ${code}`)));
    });
  }, 60_000);
  afterAll(async () => {
    if (zeroconf && zeroconf.exitCode === null) zeroconf.kill('SIGKILL');
    await browser?.stop();
    await runner?.dispose();
    ns?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it('lists every announced device as its announcement says: model and confidence, identity, name, raw records', async () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
    // Every announced service heard (a device's model may change as its second service arrives).
    const heard = (devices: readonly DiscoveredDevice[], s: Service) =>
      devices.some((d) => rawOf(d).some((r) => r.type === s.type && r.instance === s.name));
    await browser.waitFor(
      (devices) => (fixtures.every((f) => f.services.every((s) => heard(devices, s))) ? true : undefined),
      'every announced service',
      30_000,
    );
    // One more batch, so a match made from the last service is in the list.
    await new Promise((r) => setTimeout(r, 500));
    const results = fixtures.map((f) => ({
      file: f.file,
      problems: differences(f, findDevice(browser.devices, f)),
    }));
    const wrong = results.filter((r) => r.problems.length > 0);
    const confidentlyWrong = fixtures.filter((f) => {
      const model = findDevice(browser.devices, f)?.model;
      return model && model.id !== f.expect.model && model.confidence >= 0.8;
    });
    console.log(
      JSON.stringify({
        devices: fixtures.length,
        fullyRight: fixtures.length - wrong.length,
        wrongAtConfidence80: confidentlyWrong.map((f) => f.file),
      }),
    );
    expect(wrong.map((r) => `${r.file}: ${r.problems.join('; ')}`)).toEqual([]);
    expect(browser.child.exitCode).toBeNull();
  }, 60_000);
});
