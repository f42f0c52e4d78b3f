/**
 * One side of `npm run bench:discovery`, bundled by esbuild and run as its own process (inside
 * a network namespace for mDNS) so its CPU time is its own. Modes:
 *   mqtt URL N           our discovery session until N devices are listed, then idle CPU
 *   mqtt-baseline URL N  a bare mqtt.js client until N discovery configs arrive
 *   mdns IFACE N         our discovery session (mDNS) until N services are listed, then idle CPU
 *   mdns-baseline IFACE N  bonjour-service's browser until N services are up
 *   mdns-responder IFACE N  answers queries for N `_http._tcp` services (no probing delay)
 * Prints one JSON line.
 */
import { Bonjour } from 'bonjour-service';
import makeMdns from 'multicast-dns';
import mqtt from 'mqtt';
import { createDiscoverySession } from '../../shared/node/discovery/session';
import { createLogger } from '../../shared/node/log';

const [mode = '', target = '', countArg = '0', idleArg = '5'] = process.argv.slice(2);
const count = Number(countArg);
const idleSeconds = Number(idleArg);
const out = (value: object) => process.stdout.write(JSON.stringify(value) + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const idleCpu = async (): Promise<number> => {
  const before = process.cpuUsage();
  const t0 = performance.now();
  await sleep(idleSeconds * 1000);
  const used = process.cpuUsage(before);
  return ((used.user + used.system) / 1000 / (performance.now() - t0)) * 100;
};

/** CPU time (user + system) this process used since `since`, in milliseconds. */
const cpuMsSince = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const ours = async (plan: 'mqtt' | 'mdns') => {
  const log = createLogger('bench', 'error');
  let done: (at: { ms: number; cpuMs: number }) => void = () => {};
  const listed = new Promise<{ ms: number; cpuMs: number }>((resolve) => (done = resolve));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let batches = 0;
  const session = createDiscoverySession({
    log,
    onChange: () => {
      batches++;
      if (session.registry.list().length >= count)
        done({ ms: performance.now() - t0, cpuMs: cpuMsSince(cpu0) });
    },
  });
  await session.start(plan === 'mqtt' ? { mqttUrls: [target] } : { mdnsInterfaces: [target] });
  const { ms, cpuMs } = await listed;
  const cpu = await idleCpu();
  const rss = process.memoryUsage().rss;
  const devices = session.registry.list().length;
  await session.dispose();
  out({
    listedMs: Math.round(ms),
    cpuMs: Math.round(cpuMs),
    devices,
    batches,
    idleCpuPercent: Math.round(cpu * 100) / 100,
    rssMb: Math.round(rss / 1e6),
  });
};

const mqttBaseline = async () => {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const client = await mqtt.connectAsync(target, { protocolVersion: 4 });
  const seen = new Set<string>();
  await new Promise<void>((resolve) => {
    client.on('message', (topic) => {
      seen.add(topic);
      if (seen.size >= count) resolve();
    });
    void client.subscribeAsync('homeassistant/#');
  });
  const ms = performance.now() - t0;
  const cpuMs = cpuMsSince(cpu0);
  await client.endAsync(true);
  out({ listedMs: Math.round(ms), cpuMs: Math.round(cpuMs), devices: seen.size });
};

const mdnsBaseline = async () => {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const bonjour = new Bonjour({ interface: target, bind: '0.0.0.0' } as never);
  const names = new Set<string>();
  await new Promise<void>((resolve) => {
    bonjour.find({ type: 'http' }, (service) => {
      names.add(service.name);
      if (names.size >= count) resolve();
    });
  });
  const ms = performance.now() - t0;
  const cpuMs = cpuMsSince(cpu0);
  bonjour.destroy();
  out({ listedMs: Math.round(ms), cpuMs: Math.round(cpuMs), devices: names.size });
};

const responder = async () => {
  const mdns = makeMdns({ interface: target, bind: '0.0.0.0', reuseAddr: true, loopback: true });
  const services = Array.from({ length: count }, (_, i) => `bench-device-${String(i).padStart(3, '0')}`);
  const records = (name: string) => [
    {
      type: 'SRV' as const,
      name: `${name}._http._tcp.local`,
      ttl: 120,
      data: { target: `${name}.local`, port: 80, priority: 0, weight: 0 },
    },
    {
      type: 'TXT' as const,
      name: `${name}._http._tcp.local`,
      ttl: 4500,
      data: [Buffer.from(`mac=02${String(services.indexOf(name)).padStart(10, '0')}`), Buffer.from('path=/')],
    },
    { type: 'A' as const, name: `${name}.local`, ttl: 120, data: target },
  ];
  mdns.on('query', (query) => {
    for (const q of query.questions) {
      if (q.type === 'PTR' && q.name === '_services._dns-sd._udp.local') {
        mdns.respond({ answers: [{ type: 'PTR', name: q.name, ttl: 4500, data: '_http._tcp.local' }] });
      } else if (q.type === 'PTR' && q.name === '_http._tcp.local') {
        // Several packets of 20 services each keep every packet well under 9000 bytes.
        for (let i = 0; i < services.length; i += 20) {
          const chunk = services.slice(i, i + 20);
          mdns.respond({
            answers: chunk.map((name) => ({
              type: 'PTR' as const,
              name: '_http._tcp.local',
              ttl: 4500,
              data: `${name}._http._tcp.local`,
            })),
            additionals: chunk.flatMap(records),
          });
        }
      }
    }
  });
  await new Promise((r) => mdns.once('ready', r));
  out({ ready: true });
  await new Promise((r) => process.once('SIGTERM', r));
  mdns.destroy();
};

const main = async () => {
  if (mode === 'mqtt') await ours('mqtt');
  else if (mode === 'mdns') await ours('mdns');
  else if (mode === 'mqtt-baseline') await mqttBaseline();
  else if (mode === 'mdns-baseline') await mdnsBaseline();
  else if (mode === 'mdns-responder') await responder();
  else throw new Error(`unknown mode ${mode}`);
};
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
