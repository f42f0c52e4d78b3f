import { Type } from '@sinclair/typebox';
import { defineEvent, defineMethod } from '../contract';

const Topic = Type.String({ minLength: 1, maxLength: 1024 });
const BrokerUrl = Type.String({ pattern: '^(mqtts?|wss?)://', maxLength: 500 });

/** One topic as the topic tree shows it. */
export const InspectorTopic = Type.Object({
  topic: Type.String(),
  count: Type.Integer(),
  retained: Type.Boolean(),
  lastAt: Type.Number(),
  size: Type.Integer(),
  preview: Type.String(),
  seq: Type.Integer(),
});

/** One stored message of a topic. */
export const InspectorMessage = Type.Object({
  seq: Type.Integer(),
  at: Type.Number(),
  size: Type.Integer(),
  text: Type.String(),
  truncated: Type.Boolean(),
  retained: Type.Boolean(),
  qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
});

/** What the inspector is connected to and how much it holds. */
export const InspectorStatus = Type.Object({
  /** The broker, without credentials; null when the inspector is stopped. */
  brokerUrl: Type.Union([Type.String(), Type.Null()]),
  connected: Type.Boolean(),
  /** True when the broker speaks MQTT 5, so retained flags of live messages are exact. */
  exactRetain: Type.Boolean(),
  topics: Type.Integer(),
  messages: Type.Integer(),
  /** Messages a second over the last batch window. */
  rate: Type.Number(),
  /** Topics seen after the topic limit was reached (counted, not kept). */
  droppedTopics: Type.Integer(),
  error: Type.Optional(Type.String()),
});

/** The `inspector` area: the site broker's topics, their history, publishing and deleting retained messages. */
export const inspectorMethods = {
  start: defineMethod(
    Type.Object({
      /** The broker to inspect; without it, the broker discovery listens to (the demo site's, say). */
      brokerUrl: Type.Optional(BrokerUrl),
    }),
    InspectorStatus,
    'Subscribes to every topic (#) of the broker and starts sending batched updates as onInspectorBatch.',
  ),
  stop: defineMethod(Type.Object({}), InspectorStatus, 'Disconnects the inspector and forgets what it held.'),
  topics: defineMethod(
    Type.Object({}),
    Type.Object({ status: InspectorStatus, topics: Type.Array(InspectorTopic) }),
    'Every topic seen so far (the tree after a reload); changes follow as onInspectorBatch.',
  ),
  history: defineMethod(
    Type.Object({ topic: Topic, after: Type.Optional(Type.Integer({ minimum: 0 })) }),
    Type.Object({ topic: Type.String(), messages: Type.Array(InspectorMessage) }),
    "A topic's kept messages, oldest first (only those after `after`, a message seq).",
  ),
  publish: defineMethod(
    Type.Object({
      topic: Topic,
      payload: Type.String({ maxLength: 256 * 1024 }),
      qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
      retain: Type.Boolean(),
    }),
    Type.Object({ topic: Type.String() }),
    'Publishes one message on the inspected broker; resolves once the broker acknowledged it (QoS 1 and 2).',
  ),
  deleteRetained: defineMethod(
    Type.Object({ topic: Topic }),
    Type.Object({ topic: Type.String() }),
    "Deletes the broker's retained message of a topic (publishes an empty retained message).",
  ),
};

/** Events of the `inspector` area. */
export const inspectorEvents = {
  onInspectorBatch: defineEvent(
    Type.Object({ status: InspectorStatus, topics: Type.Array(InspectorTopic) }),
    'Topics changed since the last batch (at most four batches a second), with the status.',
  ),
};
