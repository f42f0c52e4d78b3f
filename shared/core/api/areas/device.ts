import { Type } from '@sinclair/typebox';
import { ModelMatch } from '../../registry/types';
import { defineEvent, defineMethod } from '../contract';

const DeviceId = Type.String({ minLength: 1, maxLength: 300 });
const Key = Type.String({ minLength: 1, maxLength: 200 });

/** A value's type as the capability declares it, for choosing a control. */
export const ValueShape = Type.Object({
  type: Type.Optional(Type.String()),
  enum: Type.Optional(Type.Array(Type.Unknown())),
  minimum: Type.Optional(Type.Number()),
  maximum: Type.Optional(Type.Number()),
  unit: Type.Optional(Type.String()),
});

/** One implementation of the device's model: a capability with its properties, actions and events. */
export const DeviceFeature = Type.Object({
  /** The implementation key in the model (`switch`, `availability`, an entity id). */
  key: Type.String(),
  capability: Type.String(),
  title: Type.String(),
  /** False when the device's settings rule this implementation out (its `when`), or a setting it needs is missing. */
  applies: Type.Boolean(),
  /** Why it does not apply, in words. */
  note: Type.Optional(Type.String()),
  properties: Type.Array(
    Type.Object({
      name: Type.String(),
      title: Type.String(),
      shape: ValueShape,
      writable: Type.Boolean(),
      observable: Type.Boolean(),
    }),
  ),
  actions: Type.Array(
    Type.Object({ name: Type.String(), title: Type.String(), input: Type.Optional(ValueShape) }),
  ),
  events: Type.Array(Type.Object({ name: Type.String(), title: Type.String() })),
});

/** A value a device reported, decoded through its model. */
export const LiveValue = Type.Object({
  implementation: Type.String(),
  kind: Type.Union([Type.Literal('property'), Type.Literal('event')]),
  name: Type.String(),
  value: Type.Unknown(),
  at: Type.Number(),
});

/** One change of a device's online state as discovery saw it. */
export const AvailabilityChange = Type.Object({
  at: Type.Number(),
  online: Type.Union([Type.Boolean(), Type.Null()]),
});

/** What the device page shows besides the registry entry the UI already has. */
export const DevicePageInfo = Type.Object({
  deviceId: Type.String(),
  model: Type.Union([ModelMatch, Type.Null()]),
  /** False when the match names a model the library does not have (no bindings to read or control it). */
  modelFound: Type.Boolean(),
  /** The instance variables the model's discovery rules captured from what the device sent. */
  variables: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
  features: Type.Array(DeviceFeature),
  /** Bindings left out (a variable missing), each as a sentence. */
  problems: Type.Array(Type.String()),
  /** The broker the page listens to, without credentials; null when the device is not on MQTT. */
  brokerUrl: Type.Union([Type.String(), Type.Null()]),
  /** `http://address/` when the device has an address to open its own web page at. */
  webUi: Type.Union([Type.String(), Type.Null()]),
  values: Type.Array(LiveValue),
  availability: Type.Array(AvailabilityChange),
});

/** The `device` area: one device's page, read and controlled through its model's bindings. */
export const deviceMethods = {
  open: defineMethod(
    Type.Object({ deviceId: DeviceId }),
    DevicePageInfo,
    "Starts listening to the device's topics through its model (the gateway's bindings); values follow as onDeviceLive.",
  ),
  close: defineMethod(
    Type.Object({ deviceId: DeviceId }),
    Type.Object({ closed: Type.Boolean() }),
    'Stops listening to the device.',
  ),
  write: defineMethod(
    Type.Object({ deviceId: DeviceId, implementation: Key, property: Key, value: Type.Unknown() }),
    Type.Object({ sent: Type.Boolean() }),
    'Writes a property (switch on, set a level) the way the model prescribes; the new state comes back as onDeviceLive.',
  ),
  invoke: defineMethod(
    Type.Object({
      deviceId: DeviceId,
      implementation: Key,
      action: Key,
      input: Type.Optional(Type.Unknown()),
    }),
    Type.Object({ result: Type.Unknown() }),
    'Invokes an action (toggle, identify) the way the model prescribes.',
  ),
};

/** Events of the `device` area. */
export const deviceEvents = {
  onDeviceLive: defineEvent(
    Type.Object({
      deviceId: Type.String(),
      values: Type.Array(LiveValue),
      availability: Type.Array(AvailabilityChange),
    }),
    'Values an open device reported, and changes of its online state, batched (at most four a second).',
  ),
};
