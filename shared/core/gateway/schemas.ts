/**
 * The documents of the gateway protocol as TypeBox schemas: the retained status, the install
 * reports on `…/deploy/result`, and the RPC request and reply envelopes. Both sides check what
 * they receive against these before using it.
 */
import { Type, type Static } from '@sinclair/typebox';

/** A gateway id as a schema (see GATEWAY_ID_PATTERN). */
export const GatewayId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' });

/** An Ed25519 public key in text form. */
export const Ed25519Key = Type.String({ pattern: '^ed25519:[0-9a-f]{64}$' });

/** Hex of a 64-byte Ed25519 signature. */
export const SignatureHex = Type.String({ pattern: '^[0-9a-f]{128}$' });

/** A package version: a positive safe integer. */
export const PackageVersion = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

const Text = (maxLength = 500) => Type.String({ maxLength });

/** What a gateway runs. */
export const GatewaySource = Type.Union([
  Type.Object({ kind: Type.Literal('none') }),
  Type.Object({ kind: Type.Literal('project'), dir: Text(4096) }),
  Type.Object({
    kind: Type.Literal('package'),
    installDir: Text(4096),
    version: Type.Optional(PackageVersion),
  }),
]);

/**
 * The retained status on `…/status`. `identity` is the gateway's Ed25519 key and `signature`
 * its signature over the rest of the document (see `statusSigningBytes`), so whoever pinned the
 * identity can tell the gateway's own status — and its X25519 `publicKey` — from a forgery.
 */
export const GatewayStatus = Type.Object({
  schemaVersion: Type.Literal(1),
  id: GatewayId,
  state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
  version: Type.Optional(Text(64)),
  /** Fingerprint of the X25519 sealing key (what the site file may pin). */
  fingerprint: Type.Optional(Text(64)),
  /** Hex of the X25519 key package secrets are sealed to. */
  publicKey: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  /** The gateway's Ed25519 identity, pinned by pairing. */
  identity: Type.Optional(Ed25519Key),
  startedAt: Type.Optional(Text(64)),
  /** Why the gateway went offline: `shutdown` (clean stop) or `connection lost` (Last Will). */
  reason: Type.Optional(Text(200)),
  source: Type.Optional(GatewaySource),
  flows: Type.Optional(
    Type.Array(Type.Object({ id: Text(200), name: Type.Optional(Text(500)) }), { maxItems: 10_000 }),
  ),
  broker: Type.Optional(Type.Union([Type.Literal('site'), Type.Literal('embedded')])),
  http: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  /**
   * The address the HTTP endpoint listens on: `0.0.0.0` or `::` for every interface, a loopback
   * address when only this machine can reach it. Left out by gateways older than this field.
   */
  httpHost: Type.Optional(Text(255)),
  /** The flow engine version the gateway runs (what a package's engine range is checked against). */
  engine: Type.Optional(Text(64)),
  /** The installed package, null when none is installed (a project folder, or nothing). */
  package: Type.Optional(Type.Union([Type.Object({ id: Text(128), version: PackageVersion }), Type.Null()])),
  /** Flows of what it runs that could not start, and why. */
  flowsFailed: Type.Optional(
    Type.Array(Type.Object({ id: Text(200), reason: Text(500) }), { maxItems: 1000 }),
  ),
  /** The devices its flows use, by what their availability last said (unknown: nothing heard yet). */
  devices: Type.Optional(
    Type.Object({
      online: Type.Integer({ minimum: 0 }),
      offline: Type.Integer({ minimum: 0 }),
      unknown: Type.Integer({ minimum: 0 }),
    }),
  ),
  /** How the last install or rollback ended (its final report), null before the first. */
  lastDeploy: Type.Optional(
    Type.Union([
      Type.Object({
        ok: Type.Boolean(),
        step: Text(32),
        packageId: Type.Optional(Text(128)),
        version: Type.Optional(PackageVersion),
        running: Type.Union([PackageVersion, Type.Null()]),
        code: Type.Optional(Text(100)),
        message: Type.Optional(Text(2000)),
        at: Text(64),
      }),
      Type.Null(),
    ]),
  ),
  signature: Type.Optional(SignatureHex),
});
export type GatewayStatus = Static<typeof GatewayStatus>;

/** Counts of the inbound message queue. */
export const InboundStats = Type.Object({
  queued: Type.Integer({ minimum: 0 }),
  peak: Type.Integer({ minimum: 0 }),
  dropped: Type.Integer({ minimum: 0 }),
});

/** The `status` RPC's answer: the status document plus what the process measures now. */
export const StatusReport = Type.Composite([
  GatewayStatus,
  Type.Object({
    uptimeS: Type.Number({ minimum: 0 }),
    rssMb: Type.Number({ minimum: 0 }),
    outboxPending: Type.Integer({ minimum: 0 }),
    runs: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())),
    flowStats: Type.Record(Type.String(), Type.Unknown()),
    inbound: InboundStats,
  }),
]);
export type StatusReport = Static<typeof StatusReport>;

/** Where a package came from. */
export const InstallSource = Type.Union([
  Type.Literal('mqtt'),
  Type.Literal('group'),
  Type.Literal('http'),
  Type.Literal('folder'),
  Type.Literal('local'),
]);
export type InstallSource = Static<typeof InstallSource>;

/** The steps an install goes through, in order; `rejected`, `rolled_back` and `failed` end it unsuccessfully. */
export const InstallStep = Type.Union([
  Type.Literal('received'),
  Type.Literal('verified'),
  Type.Literal('staged'),
  Type.Literal('switched'),
  Type.Literal('started'),
  Type.Literal('healthy'),
  Type.Literal('committed'),
  Type.Literal('unchanged'),
  Type.Literal('rejected'),
  Type.Literal('rolled_back'),
  Type.Literal('failed'),
]);
export type InstallStep = Static<typeof InstallStep>;

/** One progress report of an install, as published on `…/deploy/result` (the deploy result). */
export const InstallReport = Type.Object({
  gateway: GatewayId,
  step: InstallStep,
  /** True on every step of a good install; false on the final step of a refused or failed one. */
  ok: Type.Boolean(),
  /** True on the last report of an install. */
  final: Type.Boolean(),
  source: InstallSource,
  packageId: Type.Optional(Text(128)),
  version: Type.Optional(PackageVersion),
  /** The version running after this step. */
  running: Type.Union([PackageVersion, Type.Null()]),
  code: Type.Optional(Text(100)),
  message: Type.Optional(Text(2000)),
  at: Text(64),
});
export type InstallReport = Static<typeof InstallReport>;

/** The outcome of one install or rollback (the HTTP upload's and the `rollback` RPC's answer). */
export const InstallResult = Type.Object({
  ok: Type.Boolean(),
  step: InstallStep,
  version: Type.Optional(PackageVersion),
  running: Type.Union([PackageVersion, Type.Null()]),
  code: Type.Optional(Text(100)),
  message: Type.Optional(Text(2000)),
});
export type InstallResult = Static<typeof InstallResult>;

/**
 * The signature on a request: by an installer key, over the method, the canonical arguments, the
 * gateway id, a fresh nonce and the time (see `requestSigningBytes`).
 */
export const RequestAuth = Type.Object(
  {
    key: Ed25519Key,
    /** 16–64 hex digits, never used twice with the same key. */
    nonce: Type.String({ pattern: '^[0-9a-f]{16,64}$' }),
    /** When the request was signed (RFC 3339, UTC). */
    at: Type.String({ maxLength: 40 }),
    signature: SignatureHex,
  },
  { additionalProperties: false },
);
export type RequestAuth = Static<typeof RequestAuth>;

/** A request on `…/rpc/<method>` (or `POST /v1/rpc/<method>`). */
export const RpcRequest = Type.Object(
  {
    id: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Integer()])),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    auth: Type.Optional(RequestAuth),
  },
  { additionalProperties: false },
);
export type RpcRequest = Static<typeof RpcRequest>;

/** The error part of a failed reply. */
export const RpcError = Type.Object({ code: Text(100), message: Text(4000) });

/**
 * A reply on `…/rpc/result`: `ok` with the method's answer in `value`, or an `error`. Signed by
 * the gateway's identity (`signature` over `replySigningBytes`), so a client that pinned it knows
 * the answer is the gateway's.
 */
export const RpcReply = Type.Object({
  id: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Integer()])),
  method: Text(100),
  ok: Type.Boolean(),
  value: Type.Optional(Type.Unknown()),
  error: Type.Optional(RpcError),
  identity: Type.Optional(Ed25519Key),
  signature: Type.Optional(SignatureHex),
});
export type RpcReply = Static<typeof RpcReply>;
