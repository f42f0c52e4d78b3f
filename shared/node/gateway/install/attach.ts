/**
 * Plugs the installer into a running gateway: the committed version is what the gateway runs
 * (through its `load` seam), packages arrive through every receiver the gateway offers, and
 * trust comes from `--trust` keys plus the trust list in the gateway's data folder.
 */
import { join } from 'node:path';
import { FieldgraphError } from '../../../core/errors';
import { decodeKey } from '../../../core/package/keys';
import type { KeyRotation } from '../../../core/package/rotation';
import { openTrustStore, type TrustStore } from '../../keys/trust';
import type { Logger } from '../../log';
import { loadProjectFlowSet } from '../project';
import type { FlowSet } from '../runner';
import type { RunningSecrets } from '../secrets';
import type { Gateway } from '../runtime';
import { createInstaller, type InstallRuntime, type Installer } from './installer';
import { listenForPackages, publishReport } from './receivers';

/**
 * Reads an installed version (a project folder plus manifest) as the FlowSet the gateway runs,
 * with its sealed secrets opened by `openSecrets` (the gateway's key never leaves the runtime).
 */
export const flowSetFromInstall = (
  dir: string,
  installDir: string,
  version: number | null,
  log: Logger,
  openSecrets?: (dir: string) => RunningSecrets,
): FlowSet => {
  if (version === null)
    return { source: { kind: 'package', installDir }, flows: [], roles: [], models: [], sites: [] };
  return {
    ...loadProjectFlowSet(dir, log),
    source: { kind: 'package', installDir, version },
    ...(openSecrets ? { secrets: openSecrets(dir) } : {}),
  };
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
  const trust = openTrustStore(
    join(gateway.options.dataDir, 'trust.json'),
    (gateway.options.trust ?? []).map((hex) =>
      decodeKey('ed25519', hex.startsWith('ed25519:') ? hex : `ed25519:${hex}`),
    ),
  );
  let loaded = 0;
  const runtime: InstallRuntime = {
    async start(dir, version) {
      // At start and after every install or rollback: the secrets of exactly the version that runs.
      const set = flowSetFromInstall(dir, gateway.installDir, version, options.log, gateway.openSecrets);
      loaded = set.flows.length;
      await gateway.load(set);
      const problem = set.secrets?.problem;
      return problem
        ? {
            warning: `Its sealed secrets do not open on this gateway (${problem}); devices that log in will fail.`,
          }
        : undefined;
    },
    // Healthy: every flow of the package is running and the broker session is up.
    healthCheck: async () => (gateway.status().flows?.length ?? 0) === loaded && gateway.link.connected(),
  };
  const installer = createInstaller({
    root: gateway.installDir,
    gatewayId: gateway.id,
    groups: options.groups,
    engineVersion: options.engineVersion,
    keep: options.keep,
    trust: () => trust.policy(),
    runtime,
    report: (report) => publishReport(gateway.link, report, options.log),
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
  // Key rotation needs no visit: the statement is signed by a key this gateway already trusts.
  gateway.rpc.register('rotateKey', (args) => {
    const entry = trust.rotate(args.rotation as KeyRotation);
    return { trusted: entry.fingerprint, keys: trust.read() };
  });
  gateway.rpc.register('trustedKeys', () => trust.read());
  gateway.rpc.register('pair', (args) => {
    if (!options.pairingUntil || Date.now() > options.pairingUntil) {
      throw new FieldgraphError(
        'keys.pairing_closed',
        `Gateway ${gateway.id} is not accepting pairing requests. Restart it with pairing open, or enrol the key with --trust.`,
      );
    }
    const key = decodeKey('ed25519', typeof args.publicKey === 'string' ? args.publicKey : '');
    const label = typeof args.label === 'string' ? args.label.slice(0, 100) : 'installer';
    const entry = trust.trust(key, label);
    // The person pairing compares this line on the gateway's console with what the app shows.
    options.log.info('paired with an installer key', { fingerprint: entry.fingerprint, label });
    return { fingerprint: entry.fingerprint, gatewayFingerprint: gateway.fingerprint };
  });
  return { installer, trust, close: stop };
};
