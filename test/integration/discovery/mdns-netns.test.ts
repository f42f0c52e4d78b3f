import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canCreateNetns, createNetns, type NetNs } from '../../helpers/netns';
import { bundleRunner, startBrowser, type RunningBrowser } from './mdns-harness';

const announcer = join(import.meta.dirname, 'zeroconf-announce.py');

/** Starts python-zeroconf inside the namespace and waits until it has registered. */
const announce = async (ns: NetNs, ttl: number, services: object[]): Promise<ChildProcess> => {
  const child = ns.spawn('/usr/bin/python3', [announcer, ns.address, String(ttl), JSON.stringify(services)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => line === 'registered' && resolve());
    child.once('exit', (code) => reject(new Error(`zeroconf announcer exited with ${code}`)));
  });
  return child;
};

/** Sends raw UDP datagrams to the mDNS group from inside the namespace (malformed and edge-case packets). */
const sendRaw = async (ns: NetNs, packets: Buffer[]): Promise<void> => {
  const script = `
    const s = require('node:dgram').createSocket({ type: 'udp4', reuseAddr: true });
    const packets = ${JSON.stringify(packets.map((p) => p.toString('base64')))};
    s.bind(0, () => { s.setMulticastInterface('127.0.0.1');
      let n = 0; for (const p of packets) s.send(Buffer.from(p, 'base64'), 5353, '224.0.0.251', () => { if (++n === packets.length) s.close(); }); });`;
  const child = ns.spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
  await new Promise((r) => child.once('exit', r));
};

describe.skipIf(!canCreateNetns())('mDNS discovery inside a network namespace', () => {
  let ns: NetNs;
  let runner: Awaited<ReturnType<typeof bundleRunner>>;
  let browser: RunningBrowser;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    ns = createNetns('fg-h5');
    runner = await bundleRunner();
    browser = await startBrowser(ns, runner.file, 4000);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await browser?.stop();
    await runner?.dispose();
    ns?.destroy();
  });

  it('finds services python-zeroconf announces, with TXT, host, port, dotted instance names', async () => {
    const zc = await announce(ns, 120, [
      {
        type: '_shelly._tcp',
        name: 'shellyplus1pm-a8032ab1c2d3',
        host: 'shellyplus1pm-a8032ab1c2d3',
        port: 80,
        txt: { gen: '2', app: 'Plus1PM', ver: '1.4.2' },
      },
      {
        type: '_esphomelib._tcp',
        name: 'Living.Room sensor',
        host: 'living-room',
        port: 6053,
        txt: { mac: 'b4e62d112233', friendly_name: '<b>Living</b>', version: '2025.6.2' },
      },
    ]);
    children.push(zc);
    const shelly = await browser.waitFor(
      (ds) => ds.find((d) => d.identity.mac === 'a8032ab1c2d3' && d.online),
      'the Shelly',
    );
    expect(shelly.model).toMatchObject({ id: 'shelly-plus-1pm', confidence: 0.95 });
    expect(shelly.addresses).toEqual(['127.0.0.1']);
    expect(shelly.sightings[0].raw).toMatchObject({
      type: '_shelly._tcp',
      port: 80,
      txt: { gen: '2', app: 'Plus1PM' },
    });
    expect(shelly.identity.topic).toBe('shellyplus1pm-a8032ab1c2d3');
    const esphome = await browser.waitFor(
      (ds) => ds.find((d) => d.identity.mac === 'b4e62d112233'),
      'the ESPHome node',
    );
    expect(esphome.name).toBe('<b>Living</b>');
    expect((esphome.sightings[0].raw as { instance: string }).instance).toBe('Living.Room sensor');
    expect(esphome.model?.id).toBe('esphome-device');

    zc.stdin!.write('unregister\n');
    await browser.waitFor(
      (ds) => (ds.find((d) => d.identity.mac === 'a8032ab1c2d3')?.online === false ? true : undefined),
      'the goodbye to mark it offline',
    );
  });

  it('marks a service offline when its records expire without a goodbye', async () => {
    const zc = await announce(ns, 3, [
      { type: '_wled._tcp', name: 'wled-strip', host: 'wled-strip', port: 80, txt: { mac: '0cb815aabbcc' } },
    ]);
    children.push(zc);
    await browser.waitFor(
      (ds) => ds.find((d) => d.identity.mac === '0cb815aabbcc' && d.online === true),
      'the WLED strip',
    );
    zc.kill('SIGKILL');
    const gone = await browser.waitFor(
      (ds) => ds.find((d) => d.identity.mac === '0cb815aabbcc' && d.online === false),
      'the expiry',
      15_000,
    );
    expect(gone.model?.id).toBe('wled-light');
  });

  it('survives malformed packets and odd TXT records, warning instead of crashing', async () => {
    const dnsPacket = (await import('dns-packet')).default;
    const instance = '<img src=x onerror=alert(1)>._http._tcp.local';
    const response = dnsPacket.encode({
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      answers: [
        { type: 'PTR', name: '_http._tcp.local', ttl: 120, data: instance },
        {
          type: 'SRV',
          name: instance,
          ttl: 120,
          data: { target: 'odd.local', port: 80, priority: 0, weight: 0 },
        },
        {
          type: 'TXT',
          name: instance,
          ttl: 120,
          data: [
            Buffer.concat([Buffer.from('long='), Buffer.alloc(250, 0x61)]),
            Buffer.from('nul=a\u0000b'),
            Buffer.concat([Buffer.from('bad='), Buffer.from([0xc3, 0x28])]),
            Buffer.from('Dup=first'),
            Buffer.from('dup=second'),
            Buffer.from('=novalue'),
            Buffer.from('flag'),
          ],
        },
      ],
    });
    await sendRaw(ns, [
      Buffer.from([1, 2, 3]),
      Buffer.alloc(40, 0xff),
      response.subarray(0, response.length - 7),
      response,
    ]);
    const odd = await browser.waitFor(
      (ds) => ds.find((d) => d.name === '<img src=x onerror=alert(1)>'),
      'the odd service',
    );
    const raw = odd.sightings[0].raw as { txt: Record<string, unknown>; txtStrings: string[] };
    expect(raw.txt.long).toBe('a'.repeat(250));
    expect(raw.txt.dup).toBe('first');
    expect(raw.txt.flag).toBe(true);
    expect(raw.txt.bad).toBe('\ufffd(');
    expect(odd.warnings).toEqual(
      expect.arrayContaining([
        'TXT value of "nul" contains NUL bytes',
        'TXT value of "bad" is not valid UTF-8',
        'TXT key "dup" appears twice; the first value is used',
        'TXT string with an empty key skipped',
      ]),
    );
    await browser.waitFor(
      (ds) => (browser.problems.length >= 2 ? ds : undefined),
      'malformed packets to be reported',
    );
    expect(browser.child.exitCode).toBeNull();
  });
});
