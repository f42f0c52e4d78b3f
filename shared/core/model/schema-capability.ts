/** Capabilities: typed properties, actions and events, with WoT DataSchema value types. */
import { Type, type Static } from '@sinclair/typebox';
import { CAPABILITY_ID_PATTERN, MODEL_SCHEMA_VERSION, NameMap, Opt, Text } from './schema-common';

/** A capability id such as `switch@1`. */
export const CapabilityId = Type.String({ pattern: CAPABILITY_ID_PATTERN, maxLength: 128 });

/** JSON value types of WoT DataSchema. */
export const DataType = Type.Union([
  Type.Literal('boolean'),
  Type.Literal('integer'),
  Type.Literal('number'),
  Type.Literal('string'),
  Type.Literal('object'),
  Type.Literal('array'),
  Type.Literal('null'),
]);
export type DataType = Static<typeof DataType>;

/**
 * The type of a value, aligned with the W3C WoT DataSchema so capabilities export to Thing
 * Descriptions without translation. `unit` uses the short symbols shown in the UI (`°C`, `%`, `W`).
 */
export const DataSchema = Type.Recursive(
  (This) =>
    Type.Object(
      {
        type: Opt(DataType),
        title: Opt(Text(200)),
        description: Opt(Text()),
        unit: Opt(Text(32)),
        const: Opt(Type.Unknown()),
        default: Opt(Type.Unknown()),
        enum: Opt(Type.Array(Type.Unknown(), { minItems: 1 })),
        minimum: Opt(Type.Number()),
        maximum: Opt(Type.Number()),
        multipleOf: Opt(Type.Number({ exclusiveMinimum: 0 })),
        minLength: Opt(Type.Integer({ minimum: 0 })),
        maxLength: Opt(Type.Integer({ minimum: 0 })),
        pattern: Opt(Text(500)),
        format: Opt(Text(64)),
        items: Opt(This),
        properties: Opt(Type.Record(Type.String(), This)),
        required: Opt(Type.Array(Type.String())),
      },
      { additionalProperties: false },
    ),
  { $id: 'DataSchema' },
);
export type DataSchema = Static<typeof DataSchema>;

/** A typed property of a capability; `read`, `write`, `observe` say which operations it offers. */
export const PropertyAffordance = Type.Object(
  {
    title: Opt(Text(200)),
    description: Opt(Text()),
    data: DataSchema,
    read: Type.Boolean({ default: true }),
    write: Type.Boolean({ default: false }),
    observe: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
);
export type PropertyAffordance = Static<typeof PropertyAffordance>;

/** An action of a capability, with optional input and output types. */
export const ActionAffordance = Type.Object(
  { title: Opt(Text(200)), description: Opt(Text()), input: Opt(DataSchema), output: Opt(DataSchema) },
  { additionalProperties: false },
);
export type ActionAffordance = Static<typeof ActionAffordance>;

/** An event of a capability, with the type of its payload. */
export const EventAffordance = Type.Object(
  { title: Opt(Text(200)), description: Opt(Text()), data: Opt(DataSchema) },
  { additionalProperties: false },
);
export type EventAffordance = Static<typeof EventAffordance>;

/**
 * An abstract interface a device can offer (`switch@1`): typed properties, actions and events.
 * A capability may extend others; it then has their affordances as well as its own.
 */
export const Capability = Type.Object(
  {
    schemaVersion: Opt(Type.Literal(MODEL_SCHEMA_VERSION)),
    id: CapabilityId,
    title: Text(200),
    description: Opt(Text()),
    extends: Opt(Type.Array(CapabilityId)),
    tags: Opt(Type.Array(Text(64))),
    properties: Type.Optional(NameMap(PropertyAffordance)),
    actions: Type.Optional(NameMap(ActionAffordance)),
    events: Type.Optional(NameMap(EventAffordance)),
  },
  { additionalProperties: false },
);
export type Capability = Static<typeof Capability>;
