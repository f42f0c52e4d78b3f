/**
 * The Deploy view's gateway list: the union, by gateway id, of the gateways the app's discovery
 * saw announcing `_fieldgraph._tcp` over mDNS, those with a retained status on the site broker,
 * and HTTP addresses typed in. Pure functions; the deploy service does the asking.
 */
import type { DiscoveredDevice } from '../../core/registry/types';
import { httpHostFor, type GatewayStatus } from '../../core/gateway';

/** How a gateway was found (the API's `foundBy`). */
export type FoundBy = 'mdns' | 'mqtt' | 'http';

/** One gateway as its mDNS announcement describes it. */
export interface MdnsGateway {
  readonly id: string;
  readonly online: boolean | null;
  readonly addresses: readonly string[];
  /** The SRV port: the gateway's HTTP endpoint when it has one, else its embedded broker. */
  readonly port?: number;
  readonly version?: string;
  readonly fingerprint?: string;
}

/** A typed HTTP address and the status the gateway answered there. */
export interface HttpGateway {
  /** `http://host:port` */
  readonly url: string;
  readonly status: GatewayStatus;
}

/** One merged gateway, before anyone is asked what it has installed. */
export interface ListedGateway {
  readonly id: string;
  readonly state: string;
  readonly foundBy: FoundBy[];
  readonly version?: string;
  readonly fingerprint?: string;
  readonly addresses: string[];
  readonly httpUrl?: string;
  /**
   * False when the HTTP address is only a guess from the mDNS SRV port, which names the embedded
   * broker on a gateway without `--http`: ask `GET /v1/status` there before offering it.
   */
  readonly httpConfirmed: boolean;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The gateways among the discovery registry's devices, from their mDNS sightings only. */
export const mdnsGatewaysOf = (devices: readonly DiscoveredDevice[]): MdnsGateway[] => {
  const found = new Map<string, MdnsGateway>();
  for (const device of devices) {
    for (const sighting of device.sightings) {
      if (sighting.source !== 'mdns' || sighting.facts['mdns.type'] !== '_fieldgraph._tcp') continue;
      const id = text(sighting.facts['txt.id']);
      if (!id) continue;
      const raw = (sighting.raw ?? {}) as { port?: unknown };
      const version = text(sighting.facts['txt.version']);
      const fingerprint = text(sighting.facts['txt.fp']);
      const previous = found.get(id);
      // One gateway may be heard on two interfaces: keep every address, prefer the one online.
      if (previous && previous.online && !sighting.online) continue;
      found.set(id, {
        id,
        online: sighting.online,
        addresses: [...new Set([...(sighting.addresses ?? []), ...(previous?.addresses ?? [])])],
        ...(typeof raw.port === 'number' && raw.port > 0 ? { port: raw.port } : {}),
        ...(version ? { version } : {}),
        ...(fingerprint ? { fingerprint } : {}),
      });
    }
  }
  return [...found.values()];
};

const hostPort = (host: string, port: number): string =>
  `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '') || undefined;
  } catch {
    return undefined;
  }
};

const order: readonly FoundBy[] = ['mdns', 'mqtt', 'http'];

/**
 * Merges the three sightings by gateway id, sorted by id. What the gateway says itself wins
 * over what others say about it: a status answered over HTTP just now, then the retained MQTT
 * status, then the mDNS TXT record. The HTTP endpoint is the typed address, else the MQTT
 * status's `http` port on the gateway's mDNS address (or on the broker's host when the gateway
 * runs the broker itself, or on the address it says it listens on) unless it listens on loopback
 * where that address is not, else the mDNS SRV port as a guess to confirm.
 */
export const mergeGateways = (input: {
  readonly mdns?: readonly MdnsGateway[];
  readonly mqtt?: readonly GatewayStatus[];
  readonly http?: readonly HttpGateway[];
  readonly brokerUrl?: string;
}): ListedGateway[] => {
  const ids = new Set<string>([
    ...(input.mdns ?? []).map((g) => g.id),
    ...(input.mqtt ?? []).map((g) => g.id),
    ...(input.http ?? []).map((g) => g.status.id),
  ]);
  const brokerHost = input.brokerUrl ? hostOf(input.brokerUrl) : undefined;
  return [...ids].sort().map((id): ListedGateway => {
    const mdns = input.mdns?.find((g) => g.id === id);
    const mqtt = input.mqtt?.find((g) => g.id === id);
    const http = input.http?.find((g) => g.status.id === id);
    const foundBy = order.filter((source) => ({ mdns, mqtt, http })[source] !== undefined);
    const state = http
      ? 'online'
      : mqtt
        ? mqtt.state
        : mdns?.online === true
          ? 'online'
          : mdns?.online === false
            ? 'offline'
            : 'unknown';
    const version = http?.status.version ?? mqtt?.version ?? mdns?.version;
    const fingerprint = http?.status.fingerprint ?? mqtt?.fingerprint ?? mdns?.fingerprint;
    const httpHost = http ? hostOf(http.url) : undefined;
    const addresses = [...new Set([...(mdns?.addresses ?? []), ...(httpHost ? [httpHost] : [])])];
    let httpUrl: string | undefined;
    let httpConfirmed = false;
    if (http) {
      httpUrl = http.url;
      httpConfirmed = true;
    } else if (mqtt) {
      // The retained status names the HTTP port (or says by leaving it out that there is none) and
      // the address it listens on: one on loopback is no endpoint for another machine.
      const host = httpHostFor(
        mqtt.httpHost,
        mdns?.addresses[0] ?? (mqtt.broker === 'embedded' ? brokerHost : undefined),
      );
      if (mqtt.http && host) {
        httpUrl = hostPort(host, mqtt.http);
        httpConfirmed = true;
      }
    } else if (mdns?.port && mdns.addresses[0]) {
      httpUrl = hostPort(mdns.addresses[0], mdns.port);
    }
    return {
      id,
      state,
      foundBy,
      ...(version ? { version } : {}),
      ...(fingerprint ? { fingerprint } : {}),
      addresses,
      ...(httpUrl ? { httpUrl } : {}),
      httpConfirmed,
    };
  });
};
