/**
 * MQTT topics of the gateway protocol (v1). Every function is pure; the gateway, the
 * installer-side client and the tests build topic names only from here.
 */

/** Gateway ids become topic levels and mDNS names: letters, digits, `-` and `_`, 1–64 characters. */
export const GATEWAY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Fleet group names follow the same rule as gateway ids (they are one topic level). */
export const GROUP_PATTERN = GATEWAY_ID_PATTERN;

/** The root every gateway topic lives under. */
export const GATEWAY_TOPIC_ROOT = 'fieldgraph/v1';

/** The topics of one gateway; `gatewayTopics('+')` gives the filters that match every gateway. */
export const gatewayTopics = (gatewayId: string) => {
  const base = `${GATEWAY_TOPIC_ROOT}/gw/${gatewayId}`;
  return {
    base,
    /** Retained, signed by the gateway's identity; the Last Will sets it offline. */
    status: `${base}/status`,
    /** Requests arrive on `rpc/<method>`; `rpc/result` carries every reply. */
    rpcRequests: `${base}/rpc/+`,
    rpcResult: `${base}/rpc/result`,
    rpcPrefix: `${base}/rpc/`,
    /** Traces of finished runs as they happen (QoS 0, not retained, rate-capped). */
    traces: `${base}/traces`,
    /** The live stream (shared/core/engine/live.ts): batches while someone watches (QoS 0, not retained). */
    live: `${base}/live`,
    /** A package for this gateway (QoS 1, not retained). */
    deploy: `${base}/deploy`,
    /** Every install report of this gateway, whichever way its package came. */
    deployResult: `${base}/deploy/result`,
  };
};

/** The retained topic a fleet group's gateways pull packages from. */
export const groupPackageTopic = (group: string): string => `${GATEWAY_TOPIC_ROOT}/group/${group}/package`;

/** The RPC method a request topic names, or undefined when the topic is not a request of `gatewayId`. */
export const rpcMethodOf = (gatewayId: string, topic: string): string | undefined => {
  const prefix = gatewayTopics(gatewayId).rpcPrefix;
  if (!topic.startsWith(prefix)) return undefined;
  const method = topic.slice(prefix.length);
  return method === 'result' || method === '' || method.includes('/') ? undefined : method;
};

/**
 * The largest package file a gateway accepts, the same over MQTT, HTTP and the watched folder:
 * checked before the bytes are read (HTTP Content-Length, the folder file's size, the MQTT
 * payload's length), so an oversized upload costs the gateway no memory.
 */
export const MAX_PACKAGE_BYTES = 64 * 1024 * 1024;
