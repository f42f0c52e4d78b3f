/**
 * The gateway protocol: one contract between the app (or CLI) and a site gateway, as the API
 * contract (shared/core/api) is between the UI and the services.
 *
 * - `topics.ts` — every MQTT topic, the fleet group topic included.
 * - `schemas.ts` — TypeBox schemas of the retained status, the install reports on
 *   `…/deploy/result`, the install result and the RPC request and reply envelopes.
 * - `methods.ts` — the RPC methods as data: argument and answer schemas, `readOnly`, `signed`.
 *   The gateway's RPC server (shared/node/gateway/rpc.ts) checks every call against this table
 *   the way shared/core/api/dispatch.ts checks the UI's calls; the installer-side client
 *   (shared/node/deploy/gateway-client.ts) signs what the table says must be signed.
 * - `reach.ts` — from where a gateway's HTTP endpoint answers, by the address it listens on.
 * - `signing.ts` — what is signed and how: requests by an installer key (method, arguments,
 *   gateway id, nonce, time), the status and replies by the gateway's identity key.
 *
 * To add a method: add one entry to `gatewayMethods` in methods.ts (name, args, result, doc,
 * readOnly, signed — sign it if it changes anything or returns site data), then register its
 * handler on the gateway with `gateway.rpc.register('<name>', handler)`; callers use
 * `client.call('<name>', args)` and get the answer typed from the same entry.
 */
export * from './topics';
export * from './schemas';
export * from './methods';
export * from './signing';
export * from './summary';
export * from './reach';
