/**
 * One gateway at a glance, from its retained status: what `fieldgraph gateways --json` prints and
 * the Gateways view shows. A status from a gateway that predates a field (or the Last Will's
 * short form) gives that field's empty value, never a guess.
 */
import type { GatewayStatus } from './schemas';

/** A gateway's health in one plain object (the CLI's JSON shape). */
export interface GatewaySummary {
  readonly id: string;
  readonly online: boolean;
  /** The engine version it runs; null when its status does not say. */
  readonly engine: string | null;
  readonly package: { readonly id: string; readonly version: number } | null;
  readonly flows: { readonly running: number; readonly failed: number };
  readonly devices: { readonly online: number; readonly offline: number };
  readonly lastDeploy: NonNullable<GatewayStatus['lastDeploy']> | null;
}

/** Summarises one retained status. */
export const summarizeGateway = (status: GatewayStatus): GatewaySummary => {
  const online = status.state === 'online';
  return {
    id: status.id,
    online,
    engine: status.engine ?? status.version ?? null,
    package: status.package ?? null,
    // An offline gateway runs nothing, whatever its last status listed.
    flows: online
      ? { running: status.flows?.length ?? 0, failed: status.flowsFailed?.length ?? 0 }
      : { running: 0, failed: 0 },
    devices: online
      ? { online: status.devices?.online ?? 0, offline: status.devices?.offline ?? 0 }
      : { online: 0, offline: 0 },
    lastDeploy: status.lastDeploy ?? null,
  };
};
