import { FieldgraphError } from '../../core/errors';
import { builtinModels } from '../../core/registry/builtin-models';
import { createDeviceRegistry, type DeviceRegistry } from '../../core/registry/registry';
import type { Identity, MatchableModel, RegistryChange } from '../../core/registry/types';
import { matchableFromLibrary, mergeMatchable } from '../../core/registry/library-rules';
import { loadLibrary } from '../library/load';
import type { Logger } from '../log';
import type { SerialProbeResult } from '../serial/probe';
import { defaultMdnsInterfaces, startMdnsSource } from './mdns-source';
import type { DiscoveryProblem } from './mqtt-context';
import { redactUrl } from '../redact';
import { startMqttSource, type RunningSource } from './mqtt-source';
import { startUsbSource, type RunningUsbSource } from './usb-source';

/** Which sources to run; anything left out keeps its current state. */
export interface DiscoveryPlan {
  /** IPv4 addresses to browse mDNS on; `'default'` = every non-loopback IPv4 interface. */
  readonly mdnsInterfaces?: readonly string[] | 'default';
  readonly mqttUrls?: readonly string[];
  readonly serial?: boolean;
  readonly serialPaths?: readonly string[];
  /** Home Assistant discovery prefixes for the brokers started by this plan (default `homeassistant`). */
  readonly haPrefixes?: readonly string[];
}

/** What runs now, as plain JSON. */
export interface DiscoveryStatus {
  readonly mdnsInterfaces: string[];
  /** Broker URLs without credentials. */
  readonly mqtt: string[];
  readonly serial: boolean;
  /** The latest skipped messages and packets, newest last (at most 50). */
  readonly problems: DiscoveryProblem[];
}

/**
 * The models discovery matches against: the built-in library's models with their discovery
 * rules, plus the built-in family rules. A library that fails to load leaves the family rules.
 */
export const loadMatchableModels = async (log: Logger): Promise<MatchableModel[]> => {
  try {
    const library = await loadLibrary();
    if (library.problems.length > 0)
      log.info('device-model library has problems', { count: library.problems.length });
    return mergeMatchable(matchableFromLibrary(library.models), builtinModels);
  } catch (error) {
    log.warn('device-model library could not be loaded; using built-in rules', { error: String(error) });
    return [...builtinModels];
  }
};

/** Options of a discovery session. */
export interface DiscoverySessionOptions {
  readonly log: Logger;
  readonly onChange?: (change: RegistryChange) => void;
  readonly models?: readonly MatchableModel[];
  readonly batchMs?: number;
}

/**
 * One registry with the sources feeding it. Starting a source that already runs is a no-op;
 * stopping removes that source's sightings so the list never shows stale devices as current.
 * Used by the app's services, `fieldgraph discover` and the benchmark alike.
 */
export const createDiscoverySession = (options: DiscoverySessionOptions) => {
  const log = options.log.child('discovery');
  const registry: DeviceRegistry = createDeviceRegistry({
    schedule: (task, ms) => {
      const timer = setTimeout(task, ms);
      return () => clearTimeout(timer);
    },
    models: options.models ?? builtinModels,
    ...(options.batchMs !== undefined ? { batchMs: options.batchMs } : {}),
    ...(options.onChange ? { onChange: options.onChange } : {}),
  });
  const problems: DiscoveryProblem[] = [];
  const onProblem = (p: DiscoveryProblem) => {
    problems.push(p);
    if (problems.length > 50) problems.shift();
  };
  let mdns: { interfaces: string[]; source: RunningSource } | null = null;
  const mqtt = new Map<string, RunningSource>();
  let usb: RunningUsbSource | null = null;

  const status = (): DiscoveryStatus => ({
    mdnsInterfaces: mdns?.interfaces ?? [],
    mqtt: [...mqtt.keys()].map(redactUrl),
    serial: usb !== null,
    problems: [...problems],
  });

  return {
    registry,
    status,
    /** Starts the sources in `plan`; a broker that cannot be reached fails with `discovery.broker_unreachable`. */
    async start(plan: DiscoveryPlan): Promise<DiscoveryStatus> {
      if (plan.mdnsInterfaces !== undefined) {
        const wanted = plan.mdnsInterfaces === 'default' ? defaultMdnsInterfaces() : [...plan.mdnsInterfaces];
        const same = mdns && mdns.interfaces.join(',') === wanted.join(',');
        if (!same) {
          await mdns?.source.stop();
          mdns = null;
          if (wanted.length > 0) {
            mdns = {
              interfaces: wanted,
              source: await startMdnsSource({ interfaces: wanted, registry, log, onProblem }),
            };
          }
        }
      }
      for (const url of plan.mqttUrls ?? []) {
        if (mqtt.has(url)) continue;
        try {
          mqtt.set(
            url,
            await startMqttSource({
              url,
              registry,
              log,
              onProblem,
              ...(plan.haPrefixes ? { haPrefixes: plan.haPrefixes } : {}),
            }),
          );
        } catch (error) {
          throw new FieldgraphError(
            'discovery.broker_unreachable',
            `Could not connect to the broker at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)} Check the address and that the broker runs.`,
            { url: redactUrl(url) },
          );
        }
      }
      if (plan.serial && !usb) {
        usb = await startUsbSource({ registry, log, userPaths: plan.serialPaths ?? [] });
      }
      return status();
    },
    /** Stops every source and forgets their devices. */
    async stop(): Promise<DiscoveryStatus> {
      await mdns?.source.stop();
      mdns = null;
      await Promise.all([...mqtt.values()].map((s) => s.stop()));
      mqtt.clear();
      await usb?.stop();
      usb = null;
      for (const source of ['mdns', 'mqtt', 'usb'] as const) registry.removeSource(source);
      return status();
    },
    /** Stops listening to one broker and forgets what it reported. */
    async stopMqtt(url: string): Promise<void> {
      await mqtt.get(url)?.stop();
      mqtt.delete(url);
      // Sightings do not say which broker they came from; with no broker left, none is current.
      if (mqtt.size === 0) registry.removeSource('mqtt');
    },
    /** The brokers MQTT discovery listens to, as given (with credentials: for this process only, never shown). */
    mqttUrls: (): string[] => [...mqtt.keys()],
    /** Probes a serial port (the serial source must run). */
    async probe(path: string): Promise<SerialProbeResult> {
      if (!usb)
        throw new FieldgraphError(
          'discovery.not_running',
          'Start USB serial discovery before probing a port.',
        );
      return usb.probe(path);
    },
    /** Adds what commissioning learned about the device on a serial port (see the USB source). */
    learned(path: string, identity: Identity, name?: string): void {
      usb?.learned(path, identity, name);
    },
    /** Stops everything and the batch timer. */
    async dispose(): Promise<void> {
      await this.stop();
      registry.dispose();
    },
  };
};

/** A running discovery session. */
export type DiscoverySession = ReturnType<typeof createDiscoverySession>;
