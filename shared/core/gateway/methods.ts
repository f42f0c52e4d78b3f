/**
 * The gateway's RPC methods as data: for each, its argument and answer schemas, whether it only
 * reads (`readOnly`) and whether the request must carry an Ed25519 signature by an installer
 * key the gateway trusts (`signed`). The gateway's RPC server refuses a call the contract does
 * not name, arguments that break the schema, and an unsigned, stale, replayed or untrusted
 * request to a signed method, each with its own code — before the handler runs.
 *
 * Which methods are signed: every method that changes the gateway (run, rollback, rotateKey,
 * unpair, pair) and every read-only method whose answer carries site data — `traces`, `trace`
 * and `live` hold the payloads that passed through the flows (sensor values, device states),
 * `flow` the installed design — so they are signed too. `status`, `installed` and `trustedKeys` answer with what the gateway
 * announces anyway (versions, public keys) and need no signature.
 *
 * Adding a method is one entry in `gatewayMethods` below (the key is the method name, the topic
 * is `…/rpc/<name>`), plus its handler: `gateway.rpc.register('<name>', handler)` — the handler's
 * argument and answer types come from this entry, and the server checks both against it.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { FlowVersion, StoredRun, TraceQuery, TraceQueryResult } from '../engine/trace-query';
import { LiveBatch } from '../engine/live';
import { Ed25519Key, GatewayId, InstallResult, PackageVersion, StatusReport } from './schemas';

/** One RPC method described as data. */
export interface GatewayMethodSpec<A extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly args: A;
  readonly result: R;
  readonly doc: string;
  /** True when the method changes nothing on the gateway. */
  readonly readOnly: boolean;
  /** True when the request must be signed by a trusted installer key (fresh nonce and time). */
  readonly signed: boolean;
  /**
   * Pairing only: while the gateway's pairing window is open, the signer may be the key the
   * request enrols (it proves it holds the key); outside it, a key the gateway already trusts.
   */
  readonly enrols?: boolean;
}

/** Declares a gateway RPC method; arguments are always an object so they can grow. */
export const defineGatewayMethod = <A extends TSchema, R extends TSchema>(
  spec: GatewayMethodSpec<A, R>,
): GatewayMethodSpec<A, R> => spec;

const Text = (maxLength: number) => Type.String({ maxLength });

/** A gateway's trust list: installer keys it accepts and those it revoked. */
export const TrustList = Type.Object({
  schemaVersion: Type.Literal(1),
  trusted: Type.Array(
    Type.Object({ publicKey: Ed25519Key, fingerprint: Text(64), label: Text(100), addedAt: Text(64) }),
  ),
  revoked: Type.Array(Type.Object({ fingerprint: Text(64), at: Text(64), reason: Text(500) })),
});

/** A key rotation statement (shared/core/package/rotation). */
export const KeyRotationSchema = Type.Object({
  kind: Type.Literal('fieldgraph-key-rotation/1'),
  from: Ed25519Key,
  to: Ed25519Key,
  at: Text(64),
  signature: Type.String({ pattern: '^[0-9a-f]{128}$' }),
});

const FlowId = Type.String({ minLength: 1, maxLength: 200 });

/** Every RPC method of the gateway protocol, by name. */
export const gatewayMethods = {
  status: defineGatewayMethod({
    args: Type.Object({}),
    result: StatusReport,
    doc: 'The status document plus uptime, memory, outbox, run counts and inbound queue.',
    readOnly: true,
    signed: false,
  }),
  installed: defineGatewayMethod({
    args: Type.Object({}),
    result: Type.Object({
      schemaVersion: Type.Literal(1),
      committed: Type.Union([PackageVersion, Type.Null()]),
      committedSha256: Type.Union([Type.String(), Type.Null()]),
      previous: Type.Array(PackageVersion),
      highest: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
      history: Type.Array(Type.Record(Type.String(), Type.Unknown())),
      files: Type.Array(Type.Object({ path: Text(512), sha256: Text(64), length: Type.Integer() })),
      packageId: Type.Union([Text(128), Type.Null()]),
    }),
    doc: 'The committed version, the kept previous versions, the install history and the committed file list.',
    readOnly: true,
    signed: false,
  }),
  traces: defineGatewayMethod({
    args: TraceQuery,
    result: TraceQueryResult,
    doc: 'Kept runs, newest first, filtered by flow, outcomes, time and run id, each with the flow version it ran on. Signed: traces carry site data.',
    readOnly: true,
    signed: true,
  }),
  trace: defineGatewayMethod({
    args: Type.Object({ runId: Type.String({ minLength: 1, maxLength: 200 }) }),
    result: StoredRun,
    doc: 'One kept run by id. Signed: traces carry site data.',
    readOnly: true,
    signed: true,
  }),
  flow: defineGatewayMethod({
    args: Type.Object({ flowId: FlowId }),
    result: Type.Object({ flow: Type.Unknown(), flowVersion: FlowVersion }),
    doc: "A running flow's document and version, to draw a run on. Signed: it is the site's installed design.",
    readOnly: true,
    signed: true,
  }),
  live: defineGatewayMethod({
    args: Type.Object(
      {
        seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
        /** To poll (over HTTP): the first batch seq not had yet; the answer carries the kept batches from it. */
        since: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    result: Type.Object({
      topic: Type.String(),
      intervalMs: Type.Integer(),
      until: Type.Number(),
      batches: Type.Optional(Type.Array(LiveBatch)),
      next: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
    doc: 'Opens or extends a lease on the live stream (steps, ended runs, log lines batched on …/live); `next` is the seq of the next batch. With `since`, also answers the last few batches from that seq on, for a watcher polling over HTTP. Signed: it carries site data.',
    readOnly: true,
    signed: true,
  }),
  run: defineGatewayMethod({
    args: Type.Object({
      flowId: FlowId,
      payload: Type.Optional(Type.Unknown()),
      /** Which Manual trigger, when the flow has several (the first otherwise). */
      nodeId: Type.Optional(FlowId),
    }),
    result: Type.Object({ runId: Type.Union([Type.String(), Type.Null()]) }),
    doc: 'Starts a run of a flow by hand (its manual trigger, or the one named) with an optional payload.',
    readOnly: false,
    signed: true,
  }),
  rollback: defineGatewayMethod({
    args: Type.Object({}),
    result: InstallResult,
    doc: 'Switches back to the newest kept previous version.',
    readOnly: false,
    signed: true,
  }),
  trustedKeys: defineGatewayMethod({
    args: Type.Object({}),
    result: TrustList,
    doc: 'The installer keys this gateway trusts and those it revoked (public keys only).',
    readOnly: true,
    signed: false,
  }),
  rotateKey: defineGatewayMethod({
    args: Type.Object({ rotation: KeyRotationSchema }),
    result: Type.Object({ trusted: Text(64), keys: TrustList }),
    doc: 'Applies a rotation statement signed by a trusted key: trusts the new key, revokes the old one.',
    readOnly: false,
    signed: true,
  }),
  pair: defineGatewayMethod({
    args: Type.Object({ publicKey: Ed25519Key, label: Type.Optional(Text(100)) }),
    result: Type.Object({
      fingerprint: Text(64),
      gatewayFingerprint: Text(64),
      gateway: GatewayId,
      identity: Ed25519Key,
      publicKey: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    }),
    doc: "Enrols an installer key (signed by that key while pairing is open, or by a trusted key) and answers with the gateway's identity and sealing key, to pin.",
    readOnly: false,
    signed: true,
    enrols: true,
  }),
  unpair: defineGatewayMethod({
    args: Type.Object({ fingerprint: Text(64) }),
    result: Type.Object({ keys: TrustList }),
    doc: 'Stops trusting an installer key (by fingerprint) without revoking it.',
    readOnly: false,
    signed: true,
  }),
};

/** The method table's type. */
export type GatewayMethods = typeof gatewayMethods;
/** Name of every gateway RPC method. */
export type GatewayMethodName = keyof GatewayMethods & string;
/** Arguments of method `M`. */
export type GatewayArgs<M extends GatewayMethodName> = Static<GatewayMethods[M]['args']>;
/** Answer of method `M`. */
export type GatewayAnswer<M extends GatewayMethodName> = Static<GatewayMethods[M]['result']>;

/** The spec of `name`, or undefined when the contract has no such method. */
export const gatewayMethodSpec = (name: string): GatewayMethodSpec | undefined =>
  Object.hasOwn(gatewayMethods, name) ? gatewayMethods[name as GatewayMethodName] : undefined;

/** Names of every method, sorted. */
export const gatewayMethodNames = (): GatewayMethodName[] =>
  (Object.keys(gatewayMethods) as GatewayMethodName[]).sort();
