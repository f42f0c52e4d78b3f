import { readFileSync } from 'node:fs';
import { join } from 'node:path';
/**
 * Plugs the installer into a running gateway: the committed version is what the gateway runs
 * (through its `load` seam), packages arrive through every receiver the gateway offers, and
 * trust comes from `--trust` keys plus the trust list in the gateway's data folder.
 */
import { FieldgraphError } from '../../../core/errors';
import { decodeKey } from '../../../core/package/keys';
import type { TrustStore } from '../../keys/trust';
import type { Logger } from '../../log';
import { loadProjectFlowSet } from '../project';
import type { FlowSet } from '../runner';
import type { RunningSecrets } from '../secrets';
import type { Gateway } from '../runtime';
import { fingerprint as fingerprintOf } from '../../../core/package/keys';
import { MANIFEST_FILE } from '../../../core/package/manifest';
import { createInstaller, lastDeployOfHistory, type InstallRuntime, type Installer } from './installer';
import { listenForPackages, publishReport } from './receivers';

/**
 * Reads an installed version (a project folder plus manifest) as the FlowSet the gateway runs,
 * with its sealed secrets opened by `openSecrets` (the gateway's key never leaves the runtime).
 */
export const flowSetFromInstall = async (
  dir: string,
  installDir: string,
  version: number | null,
  log: Logger,
  openSecrets?: (dir: string) => RunningSecrets,
): Promise<FlowSet> => {
  if (version === null)
    return { source: { kind: 'package', installDir }, flows: [], roles: [], models: [], sites: [] };
  return {
    ...(await loadProjectFlowSet(dir, log)),
    source: { kind: 'package', installDir, version },
    ...(openSecrets ? { secrets: openSecrets(dir) } : {}),
  };
};

/** Ids of the flows an installed version's manifest lists (`flows/<id>.json`). */
const listedFlowIds = (dir: string): string[] => {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as {
      files?: Array<{ path?: unknown }>;
    };
    return (manifest.files ?? [])
      .map((f) => (typeof f.path === 'string' ? /^flows\/([^/]+)\.json$/.exec(f.path)?.[1] : undefined))
      .filter((id): id is string => id !== undefined);
  } catch {
    return [];
  }
};

/** What `attachInstaller` adds to a gateway. */
export interface AttachedInstaller {
  readonly installer: Installer;
  readonly trust: TrustStore;
  close(): void;
}

/** Options beyond what the gateway already has. */
export interface AttachOptions {
  readonly engineVersion: string;
  readonly groups?: readonly string[];
  /** Token for `POST /v1/packages`. */
  readonly token?: string;
  readonly keep?: number;
  /**
   * Accept `pair` requests (an installer key sent over the site broker) until this time (ms
   * since 1970). Both sides show the key's fingerprint; the person pairing compares them.
   */
  readonly pairingUntil?: number;
  readonly log: Logger;
}

/** Attaches the installer to `gateway` and loads the committed version, if any. */
export const attachInstaller = async (
  gateway: Gateway,
  options: AttachOptions,
): Promise<AttachedInstaller> => {
  const trust = gateway.trust;
  // The flow ids the installed version's manifest lists: every one must be running to be healthy.
  let expected: string[] = [];
  const runtime: InstallRuntime = {
    async start(dir, version) {
      // At start and after every install or rollback: the secrets of exactly the version that runs.
      const set = await flowSetFromInstall(
        dir,
        gateway.installDir,
        version,
        options.log,
        gateway.openSecrets,
      );
      expected = version === null ? [] : listedFlowIds(dir);
      await gateway.load(set);
      const problem = set.secrets?.problem;
      return problem
        ? {
            warning: `Its sealed secrets do not open on this gateway (${problem}); devices that log in will fail.`,
          }
        : undefined;
    },
    // Healthy: every flow the manifest lists is running (one that failed to load or deploy is
    // missing from the status) and the broker session is up.
    healthCheck: async () => {
      const running = new Set((gateway.status().flows ?? []).map((f) => f.id));
      const missing = expected.filter((id) => !running.has(id));
      if (missing.length)
        options.log.warn('flows of the new version are not running', { missing: missing.slice(0, 20) });
      return missing.length === 0 && gateway.link.connected();
    },
  };
  const installer = createInstaller({
    root: gateway.installDir,
    gatewayId: gateway.id,
    groups: options.groups,
    engineVersion: options.engineVersion,
    keep: options.keep,
    trust: () => trust.policy(),
    runtime,
    report: (report) => {
      // The status says what is installed and how the last install or rollback ended.
      if (report.final) {
        gateway.noteInstall({
          package: installedPackage(),
          lastDeploy: {
            ok: report.ok,
            step: report.step,
            running: report.running,
            at: report.at,
            ...(report.packageId ? { packageId: report.packageId } : {}),
            ...(report.version !== undefined ? { version: report.version } : {}),
            ...(report.code ? { code: report.code.slice(0, 100) } : {}),
            ...(report.message ? { message: report.message.slice(0, 2000) } : {}),
          },
        });
        void gateway.publishStatus().catch(() => {});
      }
      publishReport(gateway.link, report, options.log);
    },
  });
  const installedPackage = () => {
    const version = installer.state().committed;
    const manifest = version !== null ? installer.store.manifestOf(version) : undefined;
    return version !== null && manifest ? { id: manifest.packageId, version } : null;
  };
  // After a restart the last deploy is the install history's newest entry.
  const newest = installer.state().history.at(-1);
  gateway.noteInstall({
    package: installedPackage(),
    lastDeploy: newest ? lastDeployOfHistory(newest, installer.state().committed) : null,
  });
  const committed = installer.state().committed;
  if (committed !== null) await runtime.start(installer.store.currentLink, committed);
  const stop = listenForPackages({
    installer,
    gatewayId: gateway.id,
    link: gateway.link,
    groups: options.groups,
    http: gateway.http,
    token: options.token,
    rpc: gateway.rpc,
    watchDir: gateway.options.watchDir,
    log: options.log,
  });
  const trustList = () => {
    const file = trust.read();
    return { schemaVersion: 1 as const, trusted: [...file.trusted], revoked: [...file.revoked] };
  };
  // Key rotation needs no visit: the statement is signed by a key this gateway already trusts.
  gateway.rpc.register('rotateKey', (args) => {
    const entry = trust.rotate(args.rotation);
    return { trusted: entry.fingerprint, keys: trustList() };
  });
  gateway.rpc.register('trustedKeys', () => trustList());
  gateway.rpc.register('pair', (args, caller) => {
    const key = decodeKey('ed25519', args.publicKey);
    const alreadyTrusted = trust.policy().trusted.some((k) => fingerprintOf(k) === caller.signer);
    // Outside the window only a key the gateway already trusts may pair (to pin a replaced
    // gateway's identity again); inside it, the key being enrolled may sign for itself.
    if (!alreadyTrusted && (!options.pairingUntil || Date.now() > options.pairingUntil)) {
      throw new FieldgraphError(
        'keys.pairing_closed',
        `Gateway ${gateway.id} is not accepting pairing requests. Restart it with pairing open, or enrol the key with --trust.`,
      );
    }
    const label = args.label ?? 'installer';
    const entry = trust.trust(key, label);
    // The person pairing compares this line on the gateway's console with what the app shows.
    options.log.info('paired with an installer key', {
      fingerprint: entry.fingerprint,
      label,
      gatewayIdentity: gateway.identityFingerprint,
    });
    return {
      fingerprint: entry.fingerprint,
      gatewayFingerprint: gateway.identityFingerprint,
      gateway: gateway.id,
      identity: gateway.identity,
      publicKey: gateway.publicKey,
    };
  });
  gateway.rpc.register('unpair', (args) => {
    trust.untrust(args.fingerprint);
    return { keys: trustList() };
  });
  return { installer, trust, close: stop };
};
