/**
 * The gateway protocol's topics and status document live in the contract
 * (shared/core/gateway); this module keeps the names the gateway's own code imports.
 */
export { GATEWAY_ID_PATTERN, gatewayTopics, groupPackageTopic, type GatewayStatus } from '../../core/gateway';
