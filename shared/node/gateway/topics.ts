/** MQTT topics of one gateway (ARCHITECTURE.md, "MQTT topics (v1)"); every function is pure. */
export const gatewayTopics = (gatewayId: string) => {
  const base = `fieldgraph/v1/gw/${gatewayId}`;
  return {
    base,
    /** Retained; the Last Will sets it offline. */
    status: `${base}/status`,
    /** Requests arrive on `rpc/<method>`; `rpc/result` carries every reply. */
    rpcRequests: `${base}/rpc/+`,
    rpcResult: `${base}/rpc/result`,
    rpcPrefix: `${base}/rpc/`,
    /** Traces of finished runs as they happen (QoS 0, not retained, rate-capped). */
    traces: `${base}/traces`,
    /** The live stream (shared/core/engine/live.ts): batches while someone watches (QoS 0, not retained). */
    live: `${base}/live`,
    deploy: `${base}/deploy`,
    deployResult: `${base}/deploy/result`,
  };
};

/** Gateway ids become topic levels and mDNS names: letters, digits, `-` and `_`, 1–64 characters. */
export const GATEWAY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The retained status document; the Last Will carries the `offline` form. */
export interface GatewayStatus {
  readonly schemaVersion: 1;
  readonly id: string;
  readonly state: 'online' | 'offline';
  readonly version?: string;
  readonly fingerprint?: string;
  readonly publicKey?: string;
  readonly startedAt?: string;
  /** Why the gateway went offline: `shutdown` (clean stop) or `connection lost` (Last Will). */
  readonly reason?: string;
  /** What the gateway runs. */
  readonly source?:
    | { kind: 'none' }
    | { kind: 'project'; dir: string }
    | { kind: 'package'; installDir: string; version?: number };
  readonly flows?: ReadonlyArray<{ id: string; name?: string }>;
  readonly broker?: 'site' | 'embedded';
  readonly http?: number;
}
