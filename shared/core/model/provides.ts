/**
 * What a bound device actually provides for a role: the affordances its implementation binds
 * on the wire (a property it observes or writes, an event it subscribes to, an action it can
 * invoke), as opposed to everything the role's capability declares. A motion sensor whose
 * binding observes only the `motion` property provides no `detected` event, so a flow waiting
 * for that event would pass every capability check and never run.
 */
import { modelForDevice } from './entities';
import type { Catalog } from './catalog';
import { canFillRole } from './resolver';
import type { Device, Role, RoleBinding } from './schemas';

/** The affordances one bound implementation provides. */
export interface Provided {
  readonly device: string;
  readonly deviceName: string;
  readonly implementation: string;
  /** Property name → whether the binding observes (or reads) and writes it. */
  readonly properties: Readonly<Record<string, { readonly observe: boolean; readonly write: boolean }>>;
  readonly events: readonly string[];
  readonly actions: readonly string[];
}

/** How a flow uses a role: which affordance, in which way, and where. */
export interface RoleUse {
  readonly role: string;
  readonly use: 'event' | 'observe' | 'write' | 'action';
  readonly name: string;
  readonly flow?: string;
  readonly node?: string;
}

/** What the device bound to `role` provides, or undefined when it is unbound or cannot fill it. */
export const providedFor = (
  role: Role,
  binding: RoleBinding | undefined,
  devices: readonly Device[],
  catalog: Catalog,
): Provided | undefined => {
  const device = binding && devices.find((d) => d.id === binding.device);
  const base = device && catalog.models.get(device.model);
  if (!binding || !device || !base) return undefined;
  const fit = canFillRole(device, role, catalog, binding.implementation);
  if (!fit.ok) return undefined;
  const key = fit.candidate.implementation;
  const impl = modelForDevice(base, device).implements[key];
  if (!impl) return undefined;
  return {
    device: device.id,
    deviceName: device.name,
    implementation: key,
    properties: Object.fromEntries(
      Object.entries(impl.properties ?? {}).map(([name, b]) => [
        name,
        { observe: !!b.observe?.length || !!b.read, write: !!b.write },
      ]),
    ),
    events: Object.keys(impl.events ?? {}),
    actions: Object.keys(impl.actions ?? {}),
  };
};

const words = { event: 'event', observe: 'property', write: 'property', action: 'action' } as const;

/**
 * Why a use is not provided, in words, or null when it is: "“Hallway” provides motion as a
 * property but not the event “detected”; wait for the property to change instead".
 */
export const useGap = (use: RoleUse, provided: Provided): string | null => {
  const who = `“${provided.deviceName}”`;
  if (use.use === 'event') {
    if (provided.events.includes(use.name)) return null;
    const instead = Object.entries(provided.properties).find(([, p]) => p.observe)?.[0];
    return `${who} does not send the event “${use.name}”${instead ? `; it reports the property “${instead}”: trigger on that property changing instead` : ''}`;
  }
  if (use.use === 'action') {
    if (provided.actions.includes(use.name)) return null;
    return `${who} cannot do the action “${use.name}”${provided.actions.length ? ` (it can: ${provided.actions.join(', ')})` : ''}`;
  }
  const p = provided.properties[use.name];
  if (use.use === 'observe' && p?.observe) return null;
  if (use.use === 'write' && p?.write) return null;
  return `${who} does not ${use.use === 'write' ? 'take writes to' : 'report'} the ${words[use.use]} “${use.name}”`;
};
