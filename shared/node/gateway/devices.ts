import {
  BindingError,
  compileDevice,
  decodeMessage,
  invokeAction as bindInvoke,
  modelForDevice,
  topicFiltersFor,
  writeProperty as bindWrite,
  type BoundDevice,
  type DecodedValue,
  type DeviceModel,
  type Role,
  type Site,
  type WireAction,
} from '../../core/model';
import type { Logger } from '../log';
import { createDeviceHttp, watchDeviceHttp } from './device-http';
import type { FlowIo } from './runner';
import { noSecrets, type RunningSecrets } from './secrets';

/** A role resolved to the device and implementation that fill it on this gateway's site. */
interface RoleTarget {
  readonly role: string;
  readonly deviceId: string;
  readonly device: BoundDevice;
  readonly implementation: string;
  /** HTTP to this device, with its login when the site gives one. */
  readonly http: ReturnType<typeof createDeviceHttp>;
}

/** What the engine hears from devices, by role. */
export interface DeviceListener {
  propertyChanged(role: string, property: string, value: unknown): void;
  eventRaised(role: string, event: string, data: unknown): void;
}

/**
 * Role-addressed device I/O over the device-model bindings: writes and actions become the wire
 * operations the model prescribes (MQTT, HTTP, JSON-RPC), and incoming device messages are
 * decoded into property changes and events for the roles bound to that device.
 */
export interface DeviceHub {
  writeProperty(role: string, property: string, value: unknown): void | Promise<void>;
  invokeAction(role: string, action: string, input: unknown): unknown;
  /** Subscribes to every bound device's topics; returns the function that unsubscribes. */
  observe(listener: DeviceListener): () => void;
  /** How many bound devices their availability last said were online or offline, and how many said nothing yet. */
  availability(): { online: number; offline: number; unknown: number };
  /** The roles this gateway can reach, with their devices. */
  roles(): Array<{ role: string; device: string; implementation: string }>;
}

// Picks the site this gateway belongs to: the one that lists it, else the only one.
const siteFor = (sites: readonly Site[], gatewayId: string): Site | undefined =>
  sites.find((s) => s.gateways?.some((g) => g.id === gatewayId)) ??
  (sites.length === 1 ? sites[0] : undefined);

const RPC_TIMEOUT_MS = 10_000;

/** Builds the hub from a FlowSet's documents; roles that cannot be resolved are logged and left out. */
export const createDeviceHub = (
  documents: {
    roles?: readonly unknown[];
    models: readonly unknown[];
    sites: readonly unknown[];
    secrets?: RunningSecrets;
  },
  gatewayId: string,
  io: Pick<FlowIo, 'publish' | 'subscribe'>,
  log: Logger,
): DeviceHub => {
  const models = new Map((documents.models as DeviceModel[]).map((m) => [m.id, m]));
  const roleDocs = new Map(((documents.roles ?? []) as Role[]).map((r) => [r.id, r]));
  const site = siteFor(documents.sites as Site[], gatewayId);
  const rpcSource = `fieldgraph-${gatewayId}`;
  const targets = new Map<string, RoleTarget>();
  const devicesById = new Map<string, BoundDevice>();
  const secrets = documents.secrets ?? noSecrets(log);
  const httpById = new Map<string, ReturnType<typeof createDeviceHttp>>();
  // Shelly Gen2+ logs in as `admin`; the site may name another user.
  const httpFor = (deviceDoc: Site['devices'][number]) => {
    const auth = deviceDoc.auth;
    const secret = auth?.password?.secret;
    const http =
      httpById.get(deviceDoc.id) ??
      createDeviceHttp(
        deviceDoc.id,
        secret
          ? {
              username: auth?.username ?? 'admin',
              secret,
              password: () => secrets.resolve(secret, `device ${deviceDoc.id}`),
            }
          : undefined,
      );
    httpById.set(deviceDoc.id, http);
    return http;
  };
  for (const binding of site?.bindings ?? []) {
    const deviceDoc = site?.devices.find((d) => d.id === binding.device);
    const model = deviceDoc ? models.get(deviceDoc.model) : undefined;
    if (!deviceDoc || !model) {
      log.warn('a role binding names a device or model this gateway does not have', {
        role: binding.role,
        device: binding.device,
      });
      continue;
    }
    // The device's own entities (bound at their own topics) join the library model's implementations.
    const device: BoundDevice = {
      model: modelForDevice(model, deviceDoc),
      variables: deviceDoc.variables ?? {},
      rpcSource,
    };
    devicesById.set(deviceDoc.id, device);
    const capability = roleDocs.get(binding.role)?.capability;
    const implementation =
      binding.implementation ??
      Object.entries(device.model.implements).find(([, impl]) => impl.capability === capability)?.[0] ??
      Object.keys(device.model.implements)[0];
    targets.set(binding.role, {
      role: binding.role,
      deviceId: deviceDoc.id,
      device,
      implementation,
      http: httpFor(deviceDoc),
    });
  }

  const target = (role: string): RoleTarget => {
    const found = targets.get(role);
    if (!found) {
      throw new Error(
        `The role "${role}" is not bound to a device on this gateway's site; bind it in the site's role bindings.`,
      );
    }
    return found;
  };

  // What each device's availability (availability@1 `online`) last said, for the gateway status.
  const availability = new Map<string, boolean>();
  const pendingRpc = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const rpcSubscriptions = new Map<string, () => void>();
  const awaitRpc = (responseTopic: string, id: number): Promise<unknown> => {
    if (!rpcSubscriptions.has(responseTopic)) {
      rpcSubscriptions.set(
        responseTopic,
        io.subscribe(responseTopic, (_topic, payload) => {
          let frame: { id?: number; result?: unknown; error?: { message?: string } };
          try {
            frame = JSON.parse(payload.toString('utf8')) as typeof frame;
          } catch {
            return;
          }
          const waiter = typeof frame.id === 'number' ? pendingRpc.get(frame.id) : undefined;
          if (!waiter) return;
          pendingRpc.delete(frame.id as number);
          if (frame.error)
            waiter.reject(
              new Error(`the device answered with an error: ${frame.error.message ?? 'unknown'}`),
            );
          else waiter.resolve(frame.result);
        }),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pendingRpc.delete(id);
        reject(new Error(`the device did not answer RPC ${id} within ${RPC_TIMEOUT_MS / 1000} s`));
      }, RPC_TIMEOUT_MS);
      pendingRpc.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
    });
  };

  const perform = (action: WireAction, t: RoleTarget): unknown => {
    switch (action.kind) {
      case 'mqtt':
        io.publish(action.topic, action.payload, { qos: action.qos === 0 ? 0 : 1, retain: action.retain });
        return undefined;
      case 'http':
        return t
          .http({
            method: action.method,
            url: action.url,
            ...(action.body === undefined
              ? {}
              : { body: action.body, headers: { 'content-type': action.contentType ?? 'application/json' } }),
            timeoutMs: RPC_TIMEOUT_MS,
          })
          .then(async (response) => {
            if (!response.ok) throw new Error(`the device answered HTTP ${response.status}`);
            const text = await response.text();
            try {
              return JSON.parse(text) as unknown;
            } catch {
              return text;
            }
          });
      case 'rpc':
        if (action.via === 'mqtt' && action.topic && action.responseTopic) {
          const reply = awaitRpc(action.responseTopic, action.frame.id);
          io.publish(action.topic, JSON.stringify(action.frame), { qos: 0, retain: false });
          return reply;
        }
        return t
          .http({
            method: 'POST',
            url: action.url ?? '',
            body: JSON.stringify(action.frame),
            headers: { 'content-type': 'application/json' },
            timeoutMs: RPC_TIMEOUT_MS,
          })
          .then(async (response) => {
            if (!response.ok) throw new Error(`the device answered HTTP ${response.status}`);
            const frame = (await response.json()) as { result?: unknown; error?: { message?: string } };
            if (frame.error)
              throw new Error(`the device answered with an error: ${frame.error.message ?? 'unknown'}`);
            return frame.result;
          });
    }
  };

  const explain = (error: unknown): never => {
    if (error instanceof BindingError) throw new Error(`The device model cannot do this: ${error.message}`);
    throw error;
  };

  return {
    writeProperty(role, property, value) {
      const t = target(role);
      let action: WireAction;
      try {
        action = bindWrite(t.device, t.implementation, property, value);
      } catch (error) {
        return explain(error);
      }
      const done = perform(action, t);
      return done instanceof Promise ? done.then(() => undefined) : undefined;
    },
    invokeAction(role, action, input) {
      const t = target(role);
      let wire: WireAction;
      try {
        wire = bindInvoke(t.device, t.implementation, action, input);
      } catch (error) {
        return explain(error);
      }
      return perform(wire, t);
    },
    observe(listener) {
      const unsubscribes: Array<() => void> = [];
      for (const [deviceId, device] of devicesById) {
        const roles = [...targets.values()].filter((t) => t.deviceId === deviceId);
        let filters: string[];
        try {
          filters = topicFiltersFor(device);
        } catch (error) {
          log.warn('cannot observe a device', { device: deviceId, error: (error as Error).message });
          continue;
        }
        const dispatch = (values: readonly DecodedValue[]) => {
          for (const value of values) {
            if (
              value.capability === 'availability@1' &&
              value.name === 'online' &&
              typeof value.value === 'boolean'
            )
              availability.set(deviceId, value.value);
            for (const t of roles) {
              if (t.implementation !== value.implementation) continue;
              if (value.kind === 'property') listener.propertyChanged(t.role, value.name, value.value);
              else listener.eventRaised(t.role, value.name, value.value);
            }
          }
        };
        const notUnderstood = (problem: string) =>
          log.debug('device message not understood', { device: deviceId, problem });
        const handler = (topic: string, payload: Buffer) =>
          dispatch(decodeMessage(device, topic, payload.toString('utf8'), notUnderstood));
        for (const filter of filters) unsubscribes.push(io.subscribe(filter, handler));
        // Values the device tells over HTTP (long-poll, server-sent events), decoded the same way.
        const compiled = compileDevice(device);
        const http = httpById.get(deviceId);
        compiled.httpSubscriptions.forEach((sub, index) => {
          if (!http) return;
          const deliver = (text: string) => dispatch(compiled.decodeHttp(index, text, notUnderstood));
          unsubscribes.push(
            watchDeviceHttp(http, sub, deliver, (message) =>
              log.warn('cannot follow a device over HTTP', { device: deviceId, error: message }),
            ),
          );
        });
      }
      return () => {
        for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
        for (const unsubscribe of rpcSubscriptions.values()) unsubscribe();
        rpcSubscriptions.clear();
      };
    },
    availability: () => {
      const said = [...devicesById.keys()].map((id) => availability.get(id));
      return {
        online: said.filter((s) => s === true).length,
        offline: said.filter((s) => s === false).length,
        unknown: said.filter((s) => s === undefined).length,
      };
    },
    roles: () =>
      [...targets.values()].map((t) => ({
        role: t.role,
        device: t.deviceId,
        implementation: t.implementation,
      })),
  };
};
