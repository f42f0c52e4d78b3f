import { Type } from '@sinclair/typebox';
import { defineMethod } from '../contract';
import { CatalogEntry } from '../../flow/catalog';
import { FlowProblem } from '../../flow/problems';

/** A role the flow may use, with its capability's members and their value shapes (RoleInScope). */
export const RoleInScopeSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  capability: Type.Object({
    id: Type.String({ maxLength: 128 }),
    properties: Type.Record(Type.String(), Type.Unknown()),
    actions: Type.Record(Type.String(), Type.Unknown()),
    events: Type.Record(Type.String(), Type.Unknown()),
  }),
});

/** The `flow` area: design-time checks of flows. */
export const flowMethods = {
  validate: defineMethod(
    Type.Object({
      flow: Type.Unknown({
        description: 'A flow document; anything that is not a flow gives flow.invalid_document problems',
      }),
      roles: Type.Array(RoleInScopeSchema, { maxItems: 10_000 }),
      flowIds: Type.Optional(
        Type.Array(Type.String(), {
          maxItems: 10_000,
          description: 'Ids of the project’s flows, to check Run flow targets',
        }),
      ),
    }),
    Type.Array(FlowProblem),
    'Every problem of a flow against the node catalog and the roles in scope, each with code, node, port or config path, message and fix hint.',
  ),
};

/** The `catalog` area: the node kinds for the palette and the inspector. */
export const catalogMethods = {
  list: defineMethod(
    Type.Object({}),
    Type.Array(CatalogEntry),
    'Every node kind as data (ports, config schema with defaults, docs, icon, size and handles), in palette order.',
  ),
};
