import { networkInterfaces } from 'node:os';
import makeMdns from 'multicast-dns';
import type { DeviceRegistry } from '../../core/registry/registry';
import type { Logger } from '../log';
import { createMdnsCache, type MdnsRecord } from './mdns-cache';
import type { DiscoveryProblem } from './mqtt-context';
import type { RunningSource } from './mqtt-source';

/** Options of the mDNS discovery source. */
export interface MdnsSourceOptions {
  /** IPv4 addresses of the interfaces to browse on; default: every non-loopback IPv4 interface. */
  readonly interfaces?: readonly string[];
  readonly registry: Pick<DeviceRegistry, 'upsert' | 'setOnline'>;
  readonly log: Logger;
  readonly onProblem?: (problem: DiscoveryProblem) => void;
  /** Longest pause between re-query rounds (default 60 s); rounds start 1 s apart and double. */
  readonly maxRequeryMs?: number;
  /** UDP port (default 5353); tests may use another inside their namespace. */
  readonly port?: number;
}

/** Every non-loopback IPv4 address of this machine: the default interfaces to browse on. */
export const defaultMdnsInterfaces = (): string[] =>
  Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal)
    .map((i) => i.address);

/**
 * Browses mDNS on the chosen interfaces, one multicast-dns instance per interface, each bound
 * to 0.0.0.0 with an explicit multicast interface (so nothing leaves on an interface the user
 * did not pick). Queries the meta-query and the known IoT types at start, then re-queries in
 * rounds 1 s, 2 s, 4 s … apart up to `maxRequeryMs`; sweeps expired records every second.
 * Malformed packets are dropped with a logged warning.
 */
export const startMdnsSource = async (options: MdnsSourceOptions): Promise<RunningSource> => {
  const interfaces = [...(options.interfaces ?? defaultMdnsInterfaces())];
  const log = options.log;
  if (interfaces.length === 0) {
    log.warn('mDNS discovery has no IPv4 interface to browse on');
  }
  const sockets = interfaces.map((address) => ({
    address,
    mdns: makeMdns({
      interface: address,
      bind: '0.0.0.0',
      port: options.port ?? 5353,
      reuseAddr: true,
      loopback: true,
    }),
  }));
  const cache = createMdnsCache({
    sink: options.registry,
    now: () => Date.now(),
    query: (questions) => {
      for (const { mdns } of sockets)
        mdns.query({ questions: questions.map((q) => ({ name: q.name, type: q.type })) });
    },
  });
  let warnings = 0;
  for (const { address, mdns } of sockets) {
    mdns.on('response', (packet, rinfo) => {
      try {
        cache.handleResponse(
          [...(packet.answers ?? []), ...(packet.additionals ?? [])] as MdnsRecord[],
          rinfo.address,
          address,
        );
      } catch (error) {
        log.warn('mDNS response could not be read; skipped', { from: rinfo.address, error: String(error) });
      }
    });
    mdns.on('warning', (error: Error) => {
      // Malformed packets arrive here; log the first few, then only count them.
      warnings++;
      if (warnings <= 20) log.warn('mDNS packet skipped', { interface: address, reason: error.message });
      options.onProblem?.({
        source: 'mdns',
        where: address,
        reason: `malformed packet skipped: ${error.message}`,
        at: Date.now(),
      });
    });
    mdns.on('error', (error: Error) =>
      log.warn('mDNS socket problem', { interface: address, error: error.message }),
    );
  }
  await Promise.all(
    sockets.map(
      ({ mdns }) =>
        new Promise<void>((resolve) => {
          mdns.once('ready', () => resolve());
          mdns.once('error', () => resolve());
        }),
    ),
  );
  const maxRequery = options.maxRequeryMs ?? 60_000;
  let delay = 1000;
  let requeryTimer: NodeJS.Timeout;
  const round = () => {
    cache.requery();
    requeryTimer = setTimeout(round, delay);
    delay = Math.min(delay * 2, maxRequery);
  };
  round();
  const sweepTimer = setInterval(() => cache.sweep(), 1000);
  return {
    async stop() {
      clearTimeout(requeryTimer);
      clearInterval(sweepTimer);
      await Promise.all(
        sockets.map(({ mdns }) => new Promise<void>((resolve) => mdns.destroy(() => resolve()))),
      );
    },
  };
};
