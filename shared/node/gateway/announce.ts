import type { ServiceConfig } from 'bonjour-service';
import type { Logger } from '../log';

/** What the gateway announces as `_fieldgraph._tcp`. */
export interface AnnounceOptions {
  /** IPv4 address of the one interface to announce on; multicast never goes anywhere else. */
  readonly interfaceAddress: string;
  readonly gatewayId: string;
  readonly version: string;
  readonly fingerprint: string;
  /** The port the SRV record names (the HTTP endpoint when there is one). */
  readonly port: number;
}

/** A running announcement; `stop()` sends goodbye packets and closes the socket. */
export interface Announcement {
  stop(): Promise<void>;
}

/** The mDNS service type, without the leading underscore and protocol. */
export const FIELDGRAPH_SERVICE_TYPE = 'fieldgraph';

/**
 * Announces `_fieldgraph._tcp` with TXT `id`, `version` and `fp` (key fingerprint) on exactly the
 * given interface (multicast-dns `interface` + `bind: '0.0.0.0'`), answering queries until stopped.
 */
export const announceGateway = async (options: AnnounceOptions, log: Logger): Promise<Announcement> => {
  // Loaded on demand: a gateway without --mdns-interface never pays for it.
  const { Bonjour } = await import('bonjour-service');
  const socketOptions = {
    interface: options.interfaceAddress,
    bind: '0.0.0.0',
  } as unknown as Partial<ServiceConfig>;
  const bonjour = new Bonjour(socketOptions, (error: unknown) =>
    log.warn('mDNS announcement failed', { interface: options.interfaceAddress, error: String(error) }),
  );
  const service = bonjour.publish({
    name: `fieldgraph-${options.gatewayId}`,
    type: FIELDGRAPH_SERVICE_TYPE,
    protocol: 'tcp',
    port: options.port,
    txt: { id: options.gatewayId, version: options.version, fp: options.fingerprint },
    disableIPv6: true,
  });
  service.on('error', (error: unknown) => log.warn('mDNS service error', { error: String(error) }));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        bonjour.unpublishAll(() => bonjour.destroy(() => resolve()));
      }),
  };
};
