/**
 * The device model's capabilities and roles as the validator and the expression checker see
 * them (RoleInScope): affordance data schemas become shapes, `extends` is followed.
 */
import { flattenCapability, type Catalog, type FlatCapability } from '../model/catalog';
import type { Role } from '../model/schemas';
import type { CapabilityShape, DataShape, RoleInScope } from './scope';

/** A flattened capability as a CapabilityShape. */
export const capabilityShapeOf = (capability: FlatCapability): CapabilityShape => ({
  id: capability.id,
  properties: Object.fromEntries(
    Object.entries(capability.properties).map(([name, p]) => [
      name,
      { ...(p.data as DataShape), writable: p.write === true },
    ]),
  ),
  actions: Object.fromEntries(
    Object.entries(capability.actions).map(([name, a]) => [
      name,
      {
        ...(a.input ? { input: a.input as DataShape } : {}),
        ...(a.output ? { output: a.output as DataShape } : {}),
      },
    ]),
  ),
  events: Object.fromEntries(
    Object.entries(capability.events).map(([name, e]) => [name, e.data ? { data: e.data as DataShape } : {}]),
  ),
});

/**
 * The design's roles with their capabilities (and titles, which messages use instead of ids),
 * for the app and the CLI alike. A role whose capability is not in the catalog is left out, so
 * the validator reports nodes using it as `flow.unknown_role`.
 */
export const rolesInScope = (
  roles: readonly Pick<Role, 'id' | 'title' | 'capability'>[],
  catalog: Pick<Catalog, 'capabilities'>,
): RoleInScope[] =>
  roles.flatMap((role) => {
    const flat = flattenCapability(role.capability, catalog);
    return flat.ok
      ? [
          {
            name: role.id,
            ...(role.title ? { title: role.title } : {}),
            capability: capabilityShapeOf(flat.capability),
          },
        ]
      : [];
  });
