/**
 * What a flow can see of its roles at design time: the capability members (properties,
 * actions, events) and the shape of their values. This is the small interface the validator
 * and the expression type-checker need; the device model's Capability maps onto it.
 */

/** A JSON-Schema-like description of a value (the subset capabilities use). */
export interface DataShape {
  readonly type?: 'boolean' | 'integer' | 'number' | 'string' | 'object' | 'array' | 'null';
  readonly properties?: Readonly<Record<string, DataShape>>;
  readonly items?: DataShape;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly unit?: string;
}

/** The members of one capability, by name. */
export interface CapabilityShape {
  readonly id: string;
  readonly properties: Readonly<Record<string, DataShape & { readonly writable?: boolean }>>;
  readonly actions: Readonly<Record<string, { readonly input?: DataShape; readonly output?: DataShape }>>;
  readonly events: Readonly<Record<string, { readonly data?: DataShape }>>;
}

/** One role the flow may use, typed by a capability ("hallway-light: Switch"). */
export interface RoleInScope {
  readonly name: string;
  /** What people call the role ("Hallway light"); messages use it instead of the id when given. */
  readonly title?: string;
  readonly capability: CapabilityShape;
}

/** Any value: the shape of a port or payload nothing is known about. */
export const anyShape: DataShape = {};

/** A readable name for a shape in messages ("number", "object", "anything"). */
export const shapeName = (shape: DataShape): string => shape.type ?? 'anything';

/**
 * True when a value of shape `from` may arrive where `to` is expected: unknown shapes match
 * everything, an integer is a number, objects and lists are compared by their top level only.
 */
export const shapeFits = (from: DataShape, to: DataShape): boolean => {
  if (!from.type || !to.type) return true;
  if (from.type === to.type) return true;
  return from.type === 'integer' && to.type === 'number';
};
