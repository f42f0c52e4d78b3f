/**
 * Deploy targets: one interface, one file per way of delivering a package (gateway over MQTT
 * or HTTP, fleet group, S3-compatible storage, USB folder), one contract test suite for all.
 */
import { FieldgraphError } from '../../core/errors';
import { fromUtf8 } from '../../core/package/bytes';
import { MANIFEST_FILE, type Manifest } from '../../core/package/manifest';
import { readZip } from '../../core/package/zip';
import type { InstallReport, InstallStep } from '../../core/gateway';

/** One progress event of a delivery (plain JSON, shown in the UI and printed by the CLI). */
export interface DeployProgress {
  readonly target: string;
  /** Gateway-side install steps, or the sender's own: `connecting`, `sent`, `broker_lost`, `retrying`, `written`, `read_back`. */
  readonly step:
    InstallStep | 'connecting' | 'sent' | 'broker_lost' | 'retrying' | 'written' | 'read_back' | 'uploaded';
  readonly gateway?: string;
  readonly message?: string;
  readonly at: string;
}

/** The final word of one gateway on a package. */
export interface GatewayOutcome {
  readonly gateway: string;
  readonly ok: boolean;
  readonly step: InstallStep;
  readonly version?: number;
  readonly running: number | null;
  readonly code?: string;
  readonly message?: string;
}

/** The result of one delivery. */
export interface DeployOutcome {
  readonly target: string;
  /** True when the package arrived and every gateway that answered installed it (or already had it). */
  readonly ok: boolean;
  /** Per-gateway outcomes (empty for USB and storage targets). */
  readonly gateways: readonly GatewayOutcome[];
  /** Where the package now is (file path, URL), for USB and storage targets. */
  readonly location?: string;
  readonly message?: string;
}

/** Options for one delivery. */
export interface DeliverOptions {
  readonly onProgress?: (progress: DeployProgress) => void;
  /** How long to wait for the far end's final answer (ms). */
  readonly timeoutMs?: number;
}

/** A place packages can be delivered to. */
export interface DeployTarget {
  readonly kind: 'mqtt-gateway' | 'mqtt-group' | 'http' | 'usb' | 's3';
  /** Human label ("gateway gw-1 via mqtt://…"), never containing credentials. */
  readonly label: string;
  /** Delivers package bytes; rejects with a FieldgraphError (deploy.*) when it cannot. */
  deliver(bytes: Uint8Array, options?: DeliverOptions): Promise<DeployOutcome>;
}

/** The manifest of package bytes, read without verifying (the receiver verifies). */
export const peekManifest = (bytes: Uint8Array): Manifest => {
  const manifest = readZip(bytes).get(MANIFEST_FILE);
  if (!manifest)
    throw new FieldgraphError(
      'package.invalid_manifest',
      'This file has no manifest.json; is it a .fgpkg made by `fieldgraph pack`?',
    );
  try {
    return JSON.parse(fromUtf8(manifest)) as Manifest;
  } catch {
    throw new FieldgraphError(
      'package.invalid_manifest',
      'manifest.json is not valid JSON; pack the package again.',
    );
  }
};

/** The outcome a gateway's final report stands for. */
export const outcomeOf = (report: InstallReport): GatewayOutcome => ({
  gateway: report.gateway,
  ok: report.ok,
  step: report.step,
  running: report.running,
  ...(report.version !== undefined ? { version: report.version } : {}),
  ...(report.code ? { code: report.code } : {}),
  ...(report.message ? { message: report.message } : {}),
});

/** A progress event stamped now. */
export const progress = (
  target: string,
  step: DeployProgress['step'],
  extra: Partial<DeployProgress> = {},
): DeployProgress => ({
  target,
  step,
  at: new Date().toISOString(),
  ...extra,
});
