import type { DeviceRegistry } from '../../core/registry/registry';
import { deviceText } from '../../core/registry/text';
import type { Sighting } from '../../core/registry/types';
import { macFromService, parseTxt, serviceName, type ParsedTxt } from './mdns-txt';

/** The meta-query name that enumerates every service type on the link (RFC 6763 §9). */
export const META_QUERY = '_services._dns-sd._udp.local';

/** The IoT service types browsed explicitly, because some responders answer the meta-query poorly. */
export const KNOWN_SERVICE_TYPES = [
  '_fieldgraph._tcp',
  '_shelly._tcp',
  '_esphomelib._tcp',
  '_wled._tcp',
  '_http._tcp',
  '_mqtt._tcp',
  '_hap._tcp',
  '_matterc._udp',
  '_matter._tcp',
  '_googlecast._tcp',
  '_arduino._tcp',
  '_home-assistant._tcp',
  '_ewelink._tcp',
  '_hue._tcp',
];

/** A DNS resource record as dns-packet decodes it (only the fields read here). */
export interface MdnsRecord {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly data?: unknown;
}

/** A question to multicast. */
export interface MdnsQuestion {
  readonly name: string;
  readonly type: 'PTR' | 'SRV' | 'TXT' | 'A' | 'AAAA';
}

interface Instance {
  readonly fullName: string;
  readonly type: string;
  readonly label: string;
  ptrExpires: number;
  srv?: { target: string; port: number; expires: number };
  txt?: ParsedTxt;
  referer?: string;
  interfaces: Set<string>;
  lastHeard: number;
  missed: number;
  online: boolean;
  reported: boolean;
  /** What was last reported (without the time), and when: unchanged answers are not re-reported. */
  signature: string;
  reportedAt: number;
}

const kindOfType = (type: string): string => {
  if (type === '_fieldgraph._tcp') return 'gateway';
  if (type === '_mqtt._tcp' || type === '_secure-mqtt._tcp') return 'broker';
  if (/^_(shelly|esphomelib|wled|hap|matterc|matter|ewelink|arduino|hue)\./.test(type)) return 'device';
  return 'service';
};

const isServiceType = (name: string): boolean => /^_[^.]+\._(tcp|udp)\.local$/i.test(name);

/** What the cache reports to and asks through. */
export interface MdnsCacheOptions {
  readonly sink: Pick<DeviceRegistry, 'upsert' | 'setOnline'>;
  readonly query: (questions: MdnsQuestion[]) => void;
  readonly now: () => number;
}

/**
 * The mDNS browser's state without sockets: it reads response packets, keeps PTR/SRV/TXT/A
 * records with their TTLs, resolves what is missing by asking, and reports each service
 * instance as a sighting. Instance names are taken whole from the PTR data (dots inside an
 * instance label survive); a goodbye (TTL 0) takes effect after one second (RFC 6762 §10.1);
 * an expired PTR, or two re-queries in a row without an answer, mark the instance offline.
 */
export const createMdnsCache = (options: MdnsCacheOptions) => {
  const { now, sink } = options;
  const types = new Set<string>(KNOWN_SERVICE_TYPES.map((t) => `${t}.local`));
  const instances = new Map<string, Instance>();
  const hosts = new Map<string, Map<string, number>>();
  const lastQueried = new Map<string, number>();

  const instanceFor = (fullName: string, type: string): Instance => {
    const key = fullName.toLowerCase();
    let instance = instances.get(key);
    if (!instance) {
      const suffix = `.${type}`;
      const label = fullName.toLowerCase().endsWith(suffix.toLowerCase())
        ? fullName.slice(0, -suffix.length)
        : fullName;
      instance = {
        fullName,
        type,
        label,
        ptrExpires: 0,
        interfaces: new Set(),
        lastHeard: 0,
        missed: 0,
        online: false,
        reported: false,
        signature: '',
        reportedAt: 0,
      };
      instances.set(key, instance);
    }
    return instance;
  };

  const addressesOf = (instance: Instance): string[] => {
    const t = now();
    const known = instance.srv ? hosts.get(instance.srv.target.toLowerCase()) : undefined;
    const live = known ? [...known].filter(([, expires]) => expires > t).map(([ip]) => ip) : [];
    if (live.length > 0) return live;
    return instance.referer ? [instance.referer] : [];
  };

  const sightingOf = (instance: Instance): Sighting => {
    const entries = instance.txt?.entries ?? {};
    const type = instance.type.replace(/\.local$/i, '');
    const facts: Record<string, string> = {
      'mdns.type': type,
      'mdns.instance': instance.label,
      site: `Network via ${[...instance.interfaces].join(', ')}`,
    };
    for (const [key, value] of Object.entries(entries)) facts[`txt.${key}`] = value === true ? 'true' : value;
    const hostname = instance.srv?.target.replace(/\.local\.?$/i, '').toLowerCase();
    const mac = macFromService(entries, instance.label);
    const gatewayId = type === '_fieldgraph._tcp' && typeof entries.id === 'string' ? entries.id : undefined;
    const shellyPrefix = type === '_shelly._tcp' ? instance.label : undefined;
    const topic = gatewayId ? `gw:${gatewayId}` : shellyPrefix;
    const warnings = [...(instance.txt?.warnings ?? [])];
    if (deviceText(instance.label, 1000) !== instance.label)
      warnings.push('the instance name contains control characters');
    return {
      source: 'mdns',
      key: instance.fullName.toLowerCase(),
      identity: { ...(mac ? { mac } : {}), ...(hostname ? { hostname } : {}), ...(topic ? { topic } : {}) },
      name: serviceName(entries, instance.label),
      kind: kindOfType(type),
      facts,
      addresses: addressesOf(instance),
      online: instance.online,
      raw: {
        type,
        instance: deviceText(instance.label, 300),
        host: instance.srv?.target ?? null,
        port: instance.srv?.port ?? null,
        txt: instance.txt?.entries ?? {},
        txtStrings: instance.txt?.strings ?? [],
        interfaces: [...instance.interfaces],
      },
      warnings,
      seenAt: instance.lastHeard,
    };
  };

  const report = (instance: Instance): void => {
    if (instance.ptrExpires === 0) return;
    const sighting = sightingOf(instance);
    const signature = JSON.stringify({ ...sighting, seenAt: 0 });
    // Every re-query round brings the same answers again; only a change, or a minute passing
    // (to keep "last seen" honest), is worth a registry update and a UI batch.
    if (instance.reported && signature === instance.signature && now() - instance.reportedAt < 60_000) return;
    instance.reported = true;
    instance.signature = signature;
    instance.reportedAt = now();
    sink.upsert(sighting);
  };

  return {
    /** Service types known so far (browsed on every re-query round). */
    types: () => [...types],
    /** Reads one response packet received on `iface` from `from`. */
    handleResponse(records: readonly MdnsRecord[], from: string, iface: string): void {
      const t = now();
      const touched = new Set<Instance>();
      const newTypes: string[] = [];
      const hostsTouched = new Set<string>();
      for (const record of records) {
        if (!record || typeof record.name !== 'string') continue;
        const ttl = typeof record.ttl === 'number' ? record.ttl : 0;
        // A goodbye is honoured one second later, so a quick re-announcement wins (RFC 6762 §10.1).
        const expires = ttl === 0 ? t + 1000 : t + ttl * 1000;
        switch (record.type) {
          case 'PTR': {
            if (typeof record.data !== 'string') break;
            if (record.name.toLowerCase() === META_QUERY) {
              if (isServiceType(record.data) && !types.has(record.data)) {
                types.add(record.data);
                newTypes.push(record.data);
              }
              break;
            }
            if (!isServiceType(record.name)) break;
            if (!types.has(record.name)) {
              types.add(record.name);
            }
            const instance = instanceFor(record.data, record.name);
            instance.ptrExpires = expires;
            instance.lastHeard = t;
            instance.missed = 0;
            instance.referer = from;
            instance.interfaces.add(iface);
            if (ttl > 0) instance.online = true;
            touched.add(instance);
            break;
          }
          case 'SRV': {
            const data = record.data as { target?: unknown; port?: unknown } | undefined;
            const instance = instances.get(record.name.toLowerCase());
            if (!instance || typeof data?.target !== 'string' || typeof data.port !== 'number') break;
            instance.srv = { target: data.target, port: data.port, expires };
            instance.lastHeard = t;
            touched.add(instance);
            break;
          }
          case 'TXT': {
            const instance = instances.get(record.name.toLowerCase());
            if (!instance) break;
            instance.txt = parseTxt(record.data);
            instance.lastHeard = t;
            touched.add(instance);
            break;
          }
          case 'A':
          case 'AAAA': {
            if (typeof record.data !== 'string') break;
            const host = record.name.toLowerCase();
            const known = hosts.get(host) ?? new Map<string, number>();
            known.set(record.data, expires);
            hosts.set(host, known);
            hostsTouched.add(host);
            break;
          }
          default:
            break;
        }
      }
      // SRV/TXT/A can arrive before the PTR in one packet: read them again now that all instances exist.
      for (const record of records) {
        if (record?.type !== 'SRV' && record?.type !== 'TXT') continue;
        const instance = instances.get(String(record.name).toLowerCase());
        if (!instance || touched.has(instance)) continue;
        if (record.type === 'TXT') instance.txt = parseTxt(record.data);
        touched.add(instance);
      }
      for (const instance of instances.values()) {
        if (instance.srv && hostsTouched.has(instance.srv.target.toLowerCase())) touched.add(instance);
      }
      const questions: MdnsQuestion[] = newTypes.map((name) => ({ name, type: 'PTR' }));
      for (const instance of touched) {
        if (instance.ptrExpires === 0) continue;
        if (!instance.srv)
          questions.push({ name: instance.fullName, type: 'SRV' }, { name: instance.fullName, type: 'TXT' });
        else if (!hosts.has(instance.srv.target.toLowerCase()))
          questions.push({ name: instance.srv.target, type: 'A' });
        report(instance);
      }
      if (questions.length > 0) options.query(questions);
    },
    /** Asks for every known type (and the meta-query); counts who did not answer the previous round. */
    requery(): void {
      const t = now();
      for (const instance of instances.values()) {
        if (!instance.online) continue;
        const asked = lastQueried.get(instance.type.toLowerCase());
        // Responders may hold back a record multicast in the last second, so only rounds at
        // least five seconds apart count as unanswered.
        if (asked !== undefined && t - asked >= 5000 && instance.lastHeard < asked) instance.missed++;
      }
      for (const type of types) lastQueried.set(type.toLowerCase(), t);
      options.query([
        { name: META_QUERY, type: 'PTR' },
        ...[...types].map((name) => ({ name, type: 'PTR' as const })),
      ]);
    },
    /** Applies goodbyes, TTL expiry and missed re-queries. */
    sweep(): void {
      const t = now();
      for (const instance of instances.values()) {
        if (!instance.online || !instance.reported) continue;
        if (instance.ptrExpires <= t || instance.missed >= 2) {
          instance.online = false;
          instance.signature = '';
          sink.setOnline('mdns', instance.fullName.toLowerCase(), false, t);
        }
      }
      for (const [host, known] of hosts) {
        for (const [ip, expires] of known) if (expires <= t) known.delete(ip);
        if (known.size === 0) hosts.delete(host);
      }
    },
  };
};
