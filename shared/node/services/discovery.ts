import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { FieldgraphServices } from '../../core/api';
import { FieldgraphError } from '../../core/errors';
import { placementsFromSite, type Placement } from '../../core/registry/placement';
import { identityKeys } from '../../core/registry/registry';
import type { DiscoveredDevice } from '../../core/registry/types';
import { normaliseMac } from '../../core/registry/text';
import { resourcesDir } from '../paths';
import { createDiscoverySession, loadMatchableModels, type DiscoverySession } from '../discovery/session';
import { probeView } from '../commission/probe-view';
import { DEMO_WIFI, startDemoSite, type DemoSite } from '../sim/site';
import type { ServiceContext, WithDispose } from './context';

/** The non-loopback IPv4 interfaces of this machine. */
const ipv4Interfaces = () =>
  Object.entries(networkInterfaces()).flatMap(([name, list]) =>
    (list ?? []).filter((i) => i.family === 'IPv4' && !i.internal).map((i) => ({ name, address: i.address })),
  );

/** Where the sample demo project puts the demo devices (site and rooms); empty when unreadable. */
const demoPlacements = async (log: ServiceContext['log']): Promise<Placement[]> => {
  try {
    const file = join(resourcesDir, 'samples', 'demo-site', 'sites', 'demo.json');
    return placementsFromSite(JSON.parse(await readFile(file, 'utf8')) as object);
  } catch (error) {
    log.warn('demo site file unreadable; devices are shown without rooms', { error: String(error) });
    return [];
  }
};

/** What a commissioning progress event says about a device that is now on the site. */
interface CommissionedEvent {
  readonly siteName?: string;
  readonly job?: {
    readonly status?: string;
    readonly room?: string;
    readonly topic?: string;
    readonly name?: string;
    readonly target?: { readonly kind?: string; readonly port?: string };
    readonly device?: { readonly mac?: string; readonly topic?: string; readonly name?: string };
  };
}

/**
 * Where a device just commissioned belongs: the run's site and the room it was given, keyed by
 * the identities it will show on the network (MAC, MQTT topic). Null for anything else.
 */
export const placementOfCommissioned = (event: CommissionedEvent): Placement | null => {
  const job = event.job;
  if (job?.status !== 'provisioned') return null;
  const mac = normaliseMac(job.device?.mac);
  const topic = job.device?.topic ?? job.topic;
  const keys = identityKeys({ ...(mac ? { mac } : {}), ...(topic ? { topic } : {}) });
  if (keys.length === 0) return null;
  return { keys, site: event.siteName ?? 'Site', room: job.room ?? null };
};

/**
 * The `discovery` and `demo` areas. One discovery session per app run, created on first use;
 * its batched registry changes go out as `onDevice` events. The demo site runs on an embedded
 * broker on 127.0.0.1 and is discovered over MQTT (and its serial ports when socat exists);
 * it never announces mDNS. `devices` lets other areas read the same registry (the Deploy view's
 * gateways) without starting a discovery of their own; `brokers` names the brokers it listens to.
 */
export const createDiscoveryServices = (
  ctx: ServiceContext,
): {
  discovery: WithDispose<FieldgraphServices['discovery']>;
  demo: FieldgraphServices['demo'];
  devices: () => DiscoveredDevice[];
  brokers: () => string[];
} => {
  const log = ctx.log.child('discovery');
  let session: DiscoverySession | null = null;
  let demo: { site: DemoSite; serialDir: string | null } | null = null;
  // Placements from the demo's site file, plus every device commissioned in this app run: when
  // a commissioned device shows up on the broker or over mDNS it is listed in its site and room.
  let sitePlacements: Placement[] = [];
  const commissioned: Placement[] = [];
  const applyPlacements = () => session?.registry.setPlacements([...sitePlacements, ...commissioned]);
  ctx.hub.subscribe((event, payload) => {
    if (event !== 'onCommissionProgress') return;
    const progress = payload as CommissionedEvent;
    const placement = placementOfCommissioned(progress);
    if (!placement) return;
    commissioned.push(placement);
    applyPlacements();
    // The port the device was commissioned on now knows its MAC and new topic: that joins the
    // port, the device seen before and the one now on the broker into one row.
    const job = progress.job;
    if (job?.target?.kind === 'serial' && job.target.port) {
      const mac = normaliseMac(job.device?.mac);
      const topic = job.device?.topic ?? job.topic;
      session?.learned(
        job.target.port,
        { ...(mac ? { mac } : {}), ...(topic ? { topic } : {}) },
        job.name ?? job.device?.name,
      );
    }
  });
  let demoStarting = false;
  // Stops what discovery started (sockets, the demo's brokers and virtual devices, timers).
  const dispose = async (): Promise<void> => {
    const running = demo;
    demo = null;
    await running?.site.stop().catch(() => {});
    if (running?.serialDir) await rm(running.serialDir, { recursive: true, force: true }).catch(() => {});
    const stopping = session;
    session = null;
    await stopping?.dispose().catch(() => {});
  };
  const ensure = async (): Promise<DiscoverySession> => {
    if (!session) {
      session = createDiscoverySession({
        log,
        models: await loadMatchableModels(log),
        onChange: (change) => ctx.hub.emit('onDevice', change),
      });
      applyPlacements();
    }
    return session;
  };

  return {
    devices: () => session?.registry.list() ?? [],
    brokers: () => session?.mqttUrls() ?? [],
    discovery: {
      dispose,
      async start(args) {
        const s = await ensure();
        const own = new Set(ipv4Interfaces().map((i) => i.address));
        for (const address of args.mdnsInterfaces ?? []) {
          if (!own.has(address)) {
            throw new FieldgraphError(
              'discovery.bad_interface',
              `${address} is not an IPv4 address of this computer; pick one of ${[...own].join(', ') || '(none)'}.`,
            );
          }
        }
        return s.start({
          ...(args.mdnsAllInterfaces
            ? { mdnsInterfaces: 'default' as const }
            : args.mdnsInterfaces
              ? { mdnsInterfaces: args.mdnsInterfaces }
              : {}),
          ...(args.mqttUrls ? { mqttUrls: args.mqttUrls } : {}),
          ...(args.serial !== undefined ? { serial: args.serial } : {}),
          ...(args.serialPaths ? { serialPaths: args.serialPaths } : {}),
        });
      },
      async stop() {
        const s = await ensure();
        return s.stop();
      },
      async list() {
        const s = await ensure();
        return { devices: s.registry.list(), status: s.status() };
      },
      interfaces: () => ipv4Interfaces(),
      async probe({ path }) {
        const s = await ensure();
        return probeView(await s.probe(path));
      },
    },
    demo: {
      async start() {
        if (demo || demoStarting)
          throw new FieldgraphError('demo.already_running', 'The demo site is already running.');
        demoStarting = true;
        try {
          const s = await ensure();
          let serialDir: string | null = await mkdir(ctx.dataDir, { recursive: true })
            .then(() => mkdtemp(join(ctx.dataDir, 'demo-serial-')))
            .catch(() => null);
          let site: DemoSite;
          try {
            site = await startDemoSite({
              embeddedBrokerPort: 0,
              host: '127.0.0.1',
              log,
              ...(serialDir ? { serialDir } : {}),
            });
          } catch (error) {
            // Without socat the demo still runs, on MQTT only.
            log.warn('demo serial ports unavailable; starting MQTT only', { error: String(error) });
            if (serialDir) await rm(serialDir, { recursive: true, force: true });
            serialDir = null;
            site = await startDemoSite({ embeddedBrokerPort: 0, host: '127.0.0.1', log });
          }
          demo = { site, serialDir };
          sitePlacements = await demoPlacements(log);
          applyPlacements();
          await s.start({
            mqttUrls: [site.brokerUrl],
            ...(site.serialPorts.length ? { serial: true, serialPaths: site.serialPorts } : {}),
          });
          return { brokerUrl: site.brokerUrl, devices: site.devices };
        } catch (error) {
          if (error instanceof FieldgraphError) throw error;
          throw new FieldgraphError(
            'demo.failed',
            `The demo site could not start: ${error instanceof Error ? error.message : String(error)}`,
          );
        } finally {
          demoStarting = false;
        }
      },
      async status() {
        return demo
          ? {
              running: true,
              brokerUrl: demo.site.brokerUrl,
              gatewayId: demo.site.gatewayId,
              wifi: { ...DEMO_WIFI },
            }
          : { running: false };
      },
      async stop() {
        if (!demo) return { stopped: false };
        const { site, serialDir } = demo;
        demo = null;
        await session?.stopMqtt(site.brokerUrl);
        sitePlacements = [];
        applyPlacements();
        await site.stop();
        if (serialDir) await rm(serialDir, { recursive: true, force: true });
        return { stopped: true };
      },
    },
  };
};
