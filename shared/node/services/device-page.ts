import { randomBytes } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { FieldgraphServices } from '../../core/api';
import type {
  AvailabilityChange,
  DeviceFeature,
  DevicePageInfo,
  LiveValue,
  ValueShape,
} from '../../core/api/areas/device';
import { FieldgraphError } from '../../core/errors';
import {
  compileDevice,
  effectiveVariables,
  flattenCapability,
  implementationApplies,
  modelForDevice,
  unsetConditions,
  type Catalog,
  type DataSchema,
  type Device,
} from '../../core/model';
import { toSiteDevice } from '../../core/registry/to-site-device';
import type { DiscoveredDevice, RegistryChange } from '../../core/registry/types';
import { redactUrl } from '../redact';
import { createDeviceHub, type DeviceHub } from '../gateway/devices';
import { loadLibrary } from '../library/load';
import { connectMqtt, type MqttLink } from '../mqtt/link';
import type { WithDispose, ServiceContext } from './context';

type Info = Static<typeof DevicePageInfo>;
type Feature = Static<typeof DeviceFeature>;
type Live = Static<typeof LiveValue>;
type Change = Static<typeof AvailabilityChange>;

const BATCH_MS = 250;
const KEEP_CHANGES = 100;
const KEEP_VALUES = 200;

interface OpenPage {
  readonly deviceId: string;
  readonly hub: DeviceHub;
  readonly url: string | null;
  stop: () => void;
  /** Latest value per implementation and name, and what is new since the last batch. */
  readonly latest: Map<string, Live>;
  pending: Live[];
  pendingChanges: Change[];
}

const shapeOf = (data: DataSchema | undefined): Static<typeof ValueShape> => ({
  ...(data?.type ? { type: data.type } : {}),
  ...(data?.enum ? { enum: data.enum } : {}),
  ...(data?.minimum !== undefined ? { minimum: data.minimum } : {}),
  ...(data?.maximum !== undefined ? { maximum: data.maximum } : {}),
  ...(data?.unit ? { unit: data.unit } : {}),
});

const WEB_HOST = /^(\d{1,3}\.){3}\d{1,3}$|^[a-z0-9.-]+\.local$/i;

/**
 * The address of a device's own web page: its host setting or first IPv4 address (or .local
 * name), on the port it announced for `_http._tcp` over mDNS (a device's web server need not
 * listen on 80), else on 80; null when it was seen at no such address.
 */
export const webUiOf = (
  found: DiscoveredDevice,
  variables: Record<string, string | number>,
): string | null => {
  const host = [typeof variables.host === 'string' ? variables.host : undefined, ...found.addresses].find(
    (a) => a !== undefined && WEB_HOST.test(a),
  );
  if (!host) return null;
  const port = found.sightings
    .map((s) => (s.source === 'mdns' ? (s.raw as { type?: unknown; port?: unknown } | null) : null))
    .find((raw) => raw?.type === '_http._tcp' && typeof raw.port === 'number')?.port as number | undefined;
  return port !== undefined && port !== 80 && Number.isInteger(port) && port > 0 && port < 65536
    ? `http://${host}:${port}/`
    : `http://${host}/`;
};

/** The broker a device's MQTT sighting came from (its `site` fact names the broker's host), else the first. */
const brokerFor = (found: DiscoveredDevice, brokers: readonly string[]): string | null => {
  if (!found.sources.includes('mqtt')) return null;
  const site = found.sightings.find((s) => s.source === 'mqtt')?.facts.site ?? '';
  return (
    brokers.find((url) => {
      try {
        return site === `Broker ${new URL(url).host}`;
      } catch {
        return false;
      }
    }) ??
    brokers[0] ??
    null
  );
};

/**
 * The `device` area: a device's page reads and controls it through its model — exactly the
 * gateway's binding code (`createDeviceHub` over the site device `toSiteDevice` makes of it),
 * with one role per implementation — on the broker discovery found it on. Availability changes
 * are kept per device from the registry's batches, from the moment the app runs.
 */
export const createDevicePageService = (
  ctx: ServiceContext,
  deps: { readonly devices: () => DiscoveredDevice[]; readonly brokers: () => string[] },
): WithDispose<FieldgraphServices['device']> => {
  const log = ctx.log.child('device-page');
  let catalog: Promise<Catalog> | null = null;
  const library = (): Promise<Catalog> =>
    (catalog ??= loadLibrary().then(
      (l) => l.catalog,
      (error: unknown) => {
        catalog = null;
        throw error;
      },
    ));
  const pages = new Map<string, OpenPage>();
  const links = new Map<string, { link: MqttLink; users: number }>();
  const history = new Map<string, Change[]>();
  const clientName = `fieldgraph-app-${randomBytes(3).toString('hex')}`;

  // Online changes as the registry reports them, kept for every device (not only open ones).
  ctx.hub.subscribe((event, payload) => {
    if (event !== 'onDevice') return;
    const now = Date.now();
    for (const device of (payload as RegistryChange).upserted) {
      const changes = history.get(device.id) ?? [];
      if (changes.at(-1)?.online === device.online && changes.length > 0) continue;
      const change = { at: changes.length === 0 ? device.lastSeen || now : now, online: device.online };
      changes.push(change);
      if (changes.length > KEEP_CHANGES) changes.shift();
      history.set(device.id, changes);
      pages.get(device.id)?.pendingChanges.push(change);
    }
  });

  const batching = setInterval(() => {
    for (const page of pages.values()) {
      if (page.pending.length === 0 && page.pendingChanges.length === 0) continue;
      ctx.hub.emit('onDeviceLive', {
        deviceId: page.deviceId,
        values: page.pending.splice(0),
        availability: page.pendingChanges.splice(0),
      });
    }
  }, BATCH_MS).unref();

  const linkFor = (url: string): MqttLink => {
    const held = links.get(url);
    if (held) {
      held.users++;
      return held.link;
    }
    const link = connectMqtt({ url, clientId: `${clientName}-${links.size}`, protocolVersion: 4 });
    links.set(url, { link, users: 1 });
    return link;
  };
  const release = (url: string): void => {
    const held = links.get(url);
    if (!held || --held.users > 0) return;
    links.delete(url);
    void held.link.end(true);
  };

  const close = (deviceId: string): boolean => {
    const page = pages.get(deviceId);
    if (!page) return false;
    pages.delete(deviceId);
    page.stop();
    if (page.url) release(page.url);
    return true;
  };

  const need = (deviceId: string): OpenPage => {
    const page = pages.get(deviceId);
    if (!page)
      throw new FieldgraphError(
        'device.not_open',
        `The page of device ${deviceId} is not open; open it first.`,
      );
    return page;
  };

  const failed = (what: string, error: unknown): never => {
    throw new FieldgraphError(
      'device.control_failed',
      `${what}: ${error instanceof Error ? error.message : String(error)}`,
    );
  };

  return {
    async dispose() {
      clearInterval(batching);
      for (const id of [...pages.keys()]) close(id);
      const ending = [...links.values()].map((held) => held.link.end(true));
      links.clear();
      await Promise.all(ending);
    },
    async open({ deviceId }) {
      const found = deps.devices().find((d) => d.id === deviceId);
      if (!found)
        throw new FieldgraphError(
          'device.not_found',
          `No device ${deviceId} is in the discovery list; start discovery (or the demo site) and open it again.`,
        );
      close(deviceId);
      const lib = await library();
      const availability = [...(history.get(deviceId) ?? [])];
      const base: Info = {
        deviceId,
        model: found.model,
        modelFound: false,
        variables: {},
        features: [],
        problems: [],
        brokerUrl: null,
        webUi: webUiOf(found, {}),
        values: [],
        availability,
      };
      const built = toSiteDevice(found, lib);
      if (!built.ok) return { ...base, problems: [built.reason] };
      const siteDevice: Device = built.device;
      const libraryModel = lib.models.get(siteDevice.model)!;
      const model = modelForDevice(libraryModel, siteDevice);
      const variables = siteDevice.variables ?? {};
      const bound = { model, variables };
      const features: Feature[] = Object.entries(model.implements).map(([key, impl]) => {
        const flat = flattenCapability(impl.capability, lib);
        const vars = effectiveVariables(bound, key);
        const applies = implementationApplies(impl, vars);
        const unset = applies ? [] : (unsetConditions(impl, vars) ?? []);
        const cap = flat.ok ? flat.capability : null;
        return {
          key,
          capability: impl.capability,
          title: lib.capabilities.get(impl.capability)?.title ?? impl.capability,
          applies,
          ...(applies
            ? {}
            : {
                note: unset.length
                  ? `needs the setting${unset.length > 1 ? 's' : ''} ${unset.join(', ')}`
                  : "this device's settings rule it out",
              }),
          properties: Object.entries(cap?.properties ?? {})
            .filter(([name]) => impl.properties?.[name] !== undefined)
            .map(([name, p]) => ({
              name,
              title: p.title ?? name,
              shape: shapeOf(p.data),
              writable: p.write && impl.properties?.[name]?.write !== undefined,
              observable: impl.properties?.[name]?.observe !== undefined,
            })),
          actions: Object.entries(cap?.actions ?? {})
            .filter(([name]) => impl.actions?.[name] !== undefined)
            .map(([name, a]) => ({
              name,
              title: a.title ?? name,
              ...(a.input ? { input: shapeOf(a.input) } : {}),
            })),
          events: Object.entries(cap?.events ?? {})
            .filter(([name]) => impl.events?.[name] !== undefined)
            .map(([name, e]) => ({ name, title: e.title ?? name })),
        };
      });
      const problems = [
        ...compileDevice(bound).problems,
        ...built.conflicts.map((c) => `the discovery rules disagree on ${c}`),
      ];
      const url = brokerFor(found, deps.brokers());
      const applicable = features.filter((f) => f.applies);
      // One role per implementation, so the gateway's role-addressed hub reaches every one of them.
      const hub = createDeviceHub(
        {
          roles: applicable.map((f) => ({ id: f.key, capability: f.capability })),
          models: [libraryModel],
          sites: [
            {
              devices: [siteDevice],
              bindings: applicable.map((f) => ({
                role: f.key,
                device: siteDevice.id,
                implementation: f.key,
              })),
            },
          ],
        },
        clientName,
        url
          ? (() => {
              const link = linkFor(url);
              return {
                publish: (topic, payload, options) =>
                  void link
                    .publish(topic, payload, options)
                    .catch((error: unknown) =>
                      log.warn('publish to a device failed', { topic, error: String(error) }),
                    ),
                subscribe: (filter, handler) => link.subscribe(filter, handler),
              };
            })()
          : {
              publish: () => {
                throw new Error('the device is not on an MQTT broker the app listens to');
              },
              subscribe: () => () => {},
            },
        log,
      );
      const page: OpenPage = {
        deviceId,
        hub,
        url,
        latest: new Map(),
        pending: [],
        pendingChanges: [],
        stop: () => {},
      };
      const report = (implementation: string, kind: Live['kind'], name: string, value: unknown) => {
        const live: Live = { implementation, kind, name, value, at: Date.now() };
        page.latest.set(`${kind}:${implementation}:${name}`, live);
        page.pending.push(live);
        if (page.pending.length > KEEP_VALUES) page.pending.shift();
      };
      page.stop = url
        ? hub.observe({
            propertyChanged: (role, property, value) => report(role, 'property', property, value),
            eventRaised: (role, event, data) => report(role, 'event', event, data),
          })
        : () => {};
      pages.set(deviceId, page);
      return {
        ...base,
        modelFound: true,
        variables,
        features,
        problems,
        brokerUrl: url ? redactUrl(url) : null,
        webUi: webUiOf(found, variables),
      };
    },
    close: ({ deviceId }) => ({ closed: close(deviceId) }),
    async write({ deviceId, implementation, property, value }) {
      const page = need(deviceId);
      try {
        await page.hub.writeProperty(implementation, property, value);
      } catch (error) {
        failed(`Could not set ${property}`, error);
      }
      return { sent: true };
    },
    async invoke({ deviceId, implementation, action, input }) {
      const page = need(deviceId);
      try {
        const result: unknown = await page.hub.invokeAction(implementation, action, input ?? null);
        return { result: result ?? null };
      } catch (error) {
        return failed(`Could not ${action}`, error);
      }
    },
  };
};
