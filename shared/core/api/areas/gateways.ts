import { Type } from '@sinclair/typebox';
import { GatewayStatus } from '../../gateway/schemas';
import { defineEvent, defineMethod } from '../contract';

const Url = Type.String({ minLength: 1, maxLength: 2048 });

/** One gateway on the Gateways view: how it was found, whether it is online, and its health. */
export const GatewayRow = Type.Object({
  id: Type.String(),
  foundBy: Type.Array(Type.Union([Type.Literal('mdns'), Type.Literal('mqtt'), Type.Literal('http')])),
  /** null when only an mDNS announcement that says nothing about it was heard. */
  online: Type.Union([Type.Boolean(), Type.Null()]),
  /** Why it is offline (`connection lost`: its Last Will; `shutdown`: a clean stop). */
  reason: Type.Optional(Type.String()),
  engine: Type.Union([Type.String(), Type.Null()]),
  package: Type.Union([Type.Object({ id: Type.String(), version: Type.Integer() }), Type.Null()]),
  flows: Type.Array(Type.Object({ id: Type.String(), name: Type.Optional(Type.String()) })),
  flowsFailed: Type.Array(Type.Object({ id: Type.String(), reason: Type.String() })),
  devices: Type.Object({ online: Type.Integer(), offline: Type.Integer(), unknown: Type.Integer() }),
  lastDeploy: GatewayStatus.properties.lastDeploy,
  startedAt: Type.Optional(Type.String()),
  addresses: Type.Array(Type.String()),
  httpUrl: Type.Optional(Type.String()),
  /** The broker its status came from, without credentials (where its traces, live stream and rollback go). */
  brokerUrl: Type.Union([Type.String(), Type.Null()]),
  /** True when its status is signed by the identity it names (false: unsigned or altered). */
  signed: Type.Boolean(),
  /** When its status last changed here (ms). */
  updatedAt: Type.Number(),
});

/** What the Gateways view watches. */
export const GatewaysState = Type.Object({
  brokerUrl: Type.Union([Type.String(), Type.Null()]),
  gateways: Type.Array(GatewayRow),
  /** HTTP addresses that did not answer, with why. */
  problems: Type.Array(Type.String()),
});

/** The `gateways` area: every gateway found, live, with its health. */
export const gatewaysMethods = {
  watch: defineMethod(
    Type.Object({
      /** The site broker; without it, the broker discovery listens to (if any). */
      brokerUrl: Type.Optional(Type.String({ pattern: '^(mqtts?|wss?)://', maxLength: 500 })),
      /** Gateway HTTP endpoints typed in (`http://host:port`). */
      httpUrls: Type.Optional(Type.Array(Url, { maxItems: 50 })),
    }),
    GatewaysState,
    'Lists every gateway (mDNS, retained MQTT status, HTTP) and follows their retained statuses; changes arrive as onGateways.',
  ),
  unwatch: defineMethod(
    Type.Object({}),
    Type.Object({ stopped: Type.Boolean() }),
    'Stops following the gateways.',
  ),
};

/** Events of the `gateways` area. */
export const gatewaysEvents = {
  onGateways: defineEvent(
    GatewaysState,
    'The gateways again, after a status changed (at most a few times a second).',
  ),
};
