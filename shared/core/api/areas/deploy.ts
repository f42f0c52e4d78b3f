import { Type } from '@sinclair/typebox';
import { defineEvent, defineMethod } from '../contract';

const Url = Type.String({ minLength: 1, maxLength: 2048 });
const Id = Type.String({ minLength: 1, maxLength: 128 });
const Dir = Type.String({ minLength: 1, maxLength: 4096 });
const SecretRef = Type.String({ minLength: 1, maxLength: 200 });

/**
 * The secret-store reference the Deploy view stores a gateway's HTTP deploy token under. Only
 * the reference crosses the API; the node side reads the value when it delivers.
 */
export const gatewayTokenRef = (gatewayId: string): string => `gateway/${gatewayId}/http-token`;

/**
 * The secret-store references a site broker's TLS files are kept under, by the broker's address
 * (`broker/<host>_<port>/tls-ca`, `…/tls-cert`, `…/tls-key`, PEM text): every conversation the
 * app has with gateways on an `mqtts://` or `wss://` broker presents that client certificate.
 */
export const brokerTlsRefs = (brokerUrl: string): { ca: string; cert: string; key: string } => {
  // shared/core has no URL class: scheme, optional user info, host (IPv6 in brackets), port.
  const parts = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)(?::(\d+))?(?:[/?#]|$)/i.exec(
    brokerUrl,
  );
  const host = parts?.[2] ? parts[2].replace(/^\[|\]$/g, '').toLowerCase() : 'invalid';
  const port = parts?.[3] ?? (parts?.[1]?.toLowerCase() === 'wss' ? '443' : '8883');
  const base = `broker/${host.replace(/[^A-Za-z0-9.-]/g, '-')}_${port.replace(/^0+(?=\d)/, '')}`;
  return { ca: `${base}/tls-ca`, cert: `${base}/tls-cert`, key: `${base}/tls-key` };
};

/** Whom a package is addressed to. */
export const PackageFor = Type.Union([
  Type.Object({ kind: Type.Literal('gateway'), id: Id }),
  Type.Object({ kind: Type.Literal('group'), id: Id }),
]);

/** One place to deliver to, as the Deploy view picks it. */
export const DeployTargetSpec = Type.Union([
  Type.Object({ kind: Type.Literal('mqtt-gateway'), brokerUrl: Url, gatewayId: Id }),
  Type.Object({
    kind: Type.Literal('http-gateway'),
    /** The gateway's HTTP endpoint, `http://host:port`. */
    url: Url,
    gatewayId: Id,
    /** Where the deploy token is kept in the secret store: always `gateway/<gatewayId>/http-token` (see gatewayTokenRef). */
    tokenRef: SecretRef,
  }),
  Type.Object({
    kind: Type.Literal('mqtt-group'),
    brokerUrl: Url,
    group: Id,
    expect: Type.Array(Id, { maxItems: 1000 }),
  }),
  Type.Object({ kind: Type.Literal('usb'), dir: Dir, packageFor: PackageFor }),
  Type.Object({ kind: Type.Literal('s3'), url: Url, packageFor: PackageFor }),
]);

/** How a gateway was found: mDNS `_fieldgraph._tcp`, its retained MQTT status, or an HTTP address typed in. */
export const GatewayFoundBy = Type.Union([Type.Literal('mdns'), Type.Literal('mqtt'), Type.Literal('http')]);

/**
 * A gateway the Deploy view can deliver to: the union, by gateway id, of those announcing over
 * mDNS (address, HTTP port, key fingerprint), those with a retained status on the site broker
 * (version, state, what it has installed) and HTTP endpoints typed in.
 */
export const DeployGateway = Type.Object({
  id: Type.String(),
  state: Type.String(),
  foundBy: Type.Array(GatewayFoundBy),
  version: Type.Optional(Type.String()),
  fingerprint: Type.Optional(Type.String()),
  addresses: Type.Array(Type.String()),
  /** The gateway's HTTP endpoint (`http://host:port`) when it serves one. */
  httpUrl: Type.Optional(Type.String()),
  /** The secret reference its HTTP deploy token is stored under, and whether one is stored. */
  tokenRef: Type.String(),
  tokenStored: Type.Boolean(),
  running: Type.Union([Type.Integer(), Type.Null()]),
  previous: Type.Array(Type.Integer()),
  packageId: Type.Union([Type.String(), Type.Null()]),
  /**
   * The gateway's identity against the one this app pinned when it paired: `paired` (the status
   * is signed by the pinned identity), `unpaired` (signed, never paired), `changed` (signed by
   * another identity: `pinned` and `fingerprint` differ, re-pair only after comparing them) or
   * `unsigned` (no valid signature: an old gateway, or a forgery). Absent when no status was read.
   */
  identity: Type.Optional(
    Type.Object({
      state: Type.Union([
        Type.Literal('paired'),
        Type.Literal('unpaired'),
        Type.Literal('changed'),
        Type.Literal('unsigned'),
      ]),
      /** Fingerprint of the identity the gateway announces now. */
      fingerprint: Type.Optional(Type.String()),
      /** Fingerprint of the identity pinned at pairing. */
      pinned: Type.Optional(Type.String()),
    }),
  ),
});

/** Flow changes a deployment makes on one gateway. */
export const DeployPreview = Type.Object({
  gatewayId: Type.String(),
  running: Type.Union([Type.Integer(), Type.Null()]),
  added: Type.Array(Type.String()),
  changed: Type.Array(Type.String()),
  removed: Type.Array(Type.String()),
  unchanged: Type.Array(Type.String()),
  /** How the comparison was made when it could not use the gateway's own file list. */
  note: Type.Optional(Type.String()),
});

/** One gateway's final answer. */
export const DeployGatewayOutcome = Type.Object({
  gateway: Type.String(),
  ok: Type.Boolean(),
  step: Type.String(),
  version: Type.Optional(Type.Integer()),
  running: Type.Union([Type.Integer(), Type.Null()]),
  code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

/** The result of delivering to one target. */
export const DeployTargetResult = Type.Object({
  target: Type.String(),
  ok: Type.Boolean(),
  gateways: Type.Array(DeployGatewayOutcome),
  location: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
});

/** One deployment in the history. */
export const DeploymentRecord = Type.Object({
  id: Type.String(),
  at: Type.String(),
  site: Type.String(),
  version: Type.Integer(),
  ok: Type.Boolean(),
  results: Type.Array(DeployTargetResult),
  /** Set for a rollback: `version` is what the gateway runs after it. Absent for a delivery. */
  kind: Type.Optional(Type.Literal('rollback')),
});

/** The `deploy` area: the installer key, gateways, change preview, delivery, history, rollback. */
export const deployMethods = {
  key: defineMethod(
    Type.Object({}),
    Type.Object({ fingerprint: Type.String(), publicKey: Type.String() }),
    'The installer signing key (made on first use, kept in the secret store): its fingerprint to compare with a gateway.',
  ),
  sites: defineMethod(
    Type.Object({ projectDir: Dir }),
    Type.Array(Type.String()),
    'Site ids of the project (sites/<id>.json as saved on disk), the units a package is made of.',
  ),
  gateways: defineMethod(
    Type.Object({
      brokerUrl: Type.Optional(Url),
      /** Gateway HTTP endpoints typed in (`http://host:port`), asked for their status. */
      httpUrls: Type.Optional(Type.Array(Url, { maxItems: 50 })),
    }),
    Type.Array(DeployGateway),
    'Gateways found by mDNS (the running discovery), by their retained status on the broker and at typed HTTP addresses, merged by id, with the version each runs.',
  ),
  preview: defineMethod(
    Type.Object({
      projectDir: Dir,
      site: Id,
      /** Asked over MQTT (the `installed` RPC) for every gateway without an HTTP address below. */
      brokerUrl: Type.Optional(Url),
      gatewayIds: Type.Array(Id, { maxItems: 1000 }),
      /** Gateways to ask over HTTP instead, by id. */
      httpUrls: Type.Optional(Type.Record(Type.String(), Url)),
    }),
    Type.Array(DeployPreview),
    'Flows a deployment would add, change and remove on each gateway.',
  ),
  run: defineMethod(
    Type.Object({
      projectDir: Dir,
      site: Id,
      targets: Type.Array(DeployTargetSpec, { minItems: 1, maxItems: 100 }),
      expiresDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    }),
    DeploymentRecord,
    'Packs the site, signs it with the installer key and delivers it to every target; progress arrives as onDeployProgress.',
  ),
  history: defineMethod(Type.Object({}), Type.Array(DeploymentRecord), 'Past deployments, newest first.'),
  pair: defineMethod(
    Type.Object({
      brokerUrl: Url,
      gatewayId: Id,
      /** Re-pair: replace a pinned identity that changed (only after comparing both fingerprints). */
      replace: Type.Optional(Type.Boolean()),
    }),
    Type.Object({ fingerprint: Type.String(), gatewayFingerprint: Type.String() }),
    "Sends the installer public key to a gateway whose pairing is open (or that trusts it already) and pins the gateway's identity; compare both fingerprints with the gateway console.",
  ),
  rollback: defineMethod(
    Type.Object({ brokerUrl: Type.Optional(Url), gatewayId: Id }),
    Type.Object({
      running: Type.Union([Type.Integer(), Type.Null()]),
      message: Type.Optional(Type.String()),
    }),
    'Asks a gateway to switch back to its previous version (the rollback RPC).',
  ),
};

/** Events of the `deploy` area. */
export const deployEvents = {
  onDeployProgress: defineEvent(
    Type.Object({
      deploymentId: Type.String(),
      target: Type.String(),
      step: Type.String(),
      gateway: Type.Optional(Type.String()),
      message: Type.Optional(Type.String()),
      at: Type.String(),
    }),
    'A step of a running deployment (per target and gateway).',
  ),
};
