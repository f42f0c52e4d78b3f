/**
 * The gateway's install pipeline: verify → stage → switch → start → health check → commit,
 * or roll back to the previous version on its own. One install at a time; every step is
 * reported (the receivers publish the reports on `…/deploy/result`). A refused package never
 * touches the install folder, so the running version stays exactly as it was.
 */
import { createHash } from 'node:crypto';
import { FieldgraphError, type ErrorCode } from '../../../core/errors';
import { MANIFEST_FILE, SIGNATURE_FILE } from '../../../core/package/manifest';
import { verifyPackage, type VerifiedPackage } from '../../../core/package/verify';
import { useNodePackageCrypto } from '../../keys/node-crypto';
import { InstallStore, type InstallHistoryEntry, type InstallState } from './store';
import type { GatewayStatus } from '../../../core/gateway';

import type { InstallReport, InstallResult, InstallSource, InstallStep } from '../../../core/gateway';

/** The install report, result, source and step types of the gateway protocol (shared/core/gateway). */
export type { InstallReport, InstallResult, InstallSource, InstallStep };

/** How a rollback is told: live in its result, and after a restart from the install history. */
export const rollbackMessage = (from: number | null | undefined, to: number): string =>
  from === null || from === undefined
    ? `Rolled back to version ${to}.`
    : `Rolled back from version ${from} to ${to}.`;

/**
 * The status's last deploy as the install history's newest entry tells it, for a gateway that
 * restarted: a rollback still says it rolled back (from what to what), and a failed install
 * still says which version was refused and which runs, as their live reports did.
 */
export const lastDeployOfHistory = (
  entry: InstallHistoryEntry,
  running: number | null,
): NonNullable<GatewayStatus['lastDeploy']> => {
  const about = { packageId: entry.packageId, version: entry.version, running, at: entry.at };
  switch (entry.outcome) {
    case 'rollback':
      return { ok: true, step: 'committed', ...about, message: rollbackMessage(entry.from, entry.version) };
    case 'rolled_back':
      return {
        ok: false,
        step: 'rolled_back',
        ...about,
        ...(entry.code ? { code: entry.code } : {}),
        message: `Version ${entry.version} was rolled back; version ${running ?? 'none'} was restored.`,
      };
    case 'committed':
      return { ok: true, step: 'committed', ...about };
  }
};

/** How the installer starts and checks the runtime; the gateway runtime plugs in here. */
export interface InstallRuntime {
  /**
   * Loads and starts the flows of the version in `dir` (the `current` link's target). A
   * `warning` (sealed secrets that do not open, say) does not fail the install; it travels
   * with the result so the person deploying sees it.
   */
  start(dir: string, version: number | null): Promise<void | { warning?: string }>;
  /** True when the started version is healthy (flows loaded, broker reachable, …). */
  healthCheck(): Promise<boolean>;
}

/** A runtime that starts nothing and is always healthy: the installer on its own. */
export const idleRuntime: InstallRuntime = { start: async () => {}, healthCheck: async () => true };

/** What an installer needs. */
export interface InstallerOptions {
  readonly root: string;
  readonly gatewayId: string;
  readonly groups?: readonly string[];
  readonly engineVersion: string;
  /** Current trust (read at every install, so enrolment and revocation apply at once). */
  readonly trust: () => { trusted: readonly Uint8Array[]; revoked: readonly string[] };
  readonly runtime?: InstallRuntime;
  /** Versions kept besides the committed one (rollback targets). */
  readonly keep?: number;
  readonly now?: () => number;
  readonly report?: (report: InstallReport) => void;
}

/** A gateway's installer. */
export interface Installer {
  readonly store: InstallStore;
  /** Verifies and installs package bytes; resolves with the final step (never rejects for a bad package). */
  install(bytes: Uint8Array, source: InstallSource): Promise<InstallResult>;
  /** Reports a package a receiver refused before the installer saw it (too large, not a regular file). */
  refuse(source: InstallSource, code: ErrorCode, message: string): InstallResult;
  /** Switches back to the newest kept previous version (the `rollback` RPC). */
  rollback(): Promise<InstallResult>;
  /** The committed state. */
  state(): InstallState;
}

/** Creates an installer over `options.root`, first repairing whatever a crash left behind. */
export const createInstaller = (options: InstallerOptions): Installer => {
  useNodePackageCrypto();
  const store = new InstallStore(options.root);
  store.recover();
  const runtime = options.runtime ?? idleRuntime;
  const keep = options.keep ?? 2;
  const now = options.now ?? Date.now;
  let queue: Promise<unknown> = Promise.resolve();

  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const emit = (source: InstallSource, step: InstallStep, extra: Partial<InstallReport> = {}): void => {
    const final = ['committed', 'unchanged', 'rejected', 'rolled_back', 'failed'].includes(step);
    options.report?.({
      gateway: options.gatewayId,
      step,
      ok: !['rejected', 'rolled_back', 'failed'].includes(step),
      final,
      source,
      running: store.currentVersion(),
      at: new Date(now()).toISOString(),
      ...extra,
    });
  };

  const end = (
    source: InstallSource,
    step: InstallStep,
    extra: { version?: number; packageId?: string; code?: ErrorCode | string; message?: string } = {},
  ): InstallResult => {
    emit(source, step, extra);
    return {
      ok: !['rejected', 'rolled_back', 'failed'].includes(step),
      step,
      running: store.currentVersion(),
      ...(extra.version !== undefined ? { version: extra.version } : {}),
      ...(extra.code ? { code: extra.code } : {}),
      ...(extra.message ? { message: extra.message } : {}),
    };
  };

  const filesToStore = (pkg: VerifiedPackage): Map<string, Uint8Array> => {
    const files = new Map<string, Uint8Array>([
      [MANIFEST_FILE, pkg.manifestBytes],
      [SIGNATURE_FILE, pkg.signatureBytes],
    ]);
    for (const [path, data] of pkg.files) files.set(path, data);
    return files;
  };

  const restore = async (state: InstallState): Promise<void> => {
    store.switchTo(state.committed);
    await runtime.start(store.currentLink, state.committed);
  };

  const install = async (bytes: Uint8Array, source: InstallSource): Promise<InstallResult> => {
    const state = store.readState();
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (state.committedSha256 === sha) {
      return end(source, 'unchanged', {
        version: state.committed ?? undefined,
        message: 'This package is already installed.',
      });
    }
    emit(source, 'received');
    const { trusted, revoked } = options.trust();
    let pkg: VerifiedPackage;
    try {
      pkg = verifyPackage(bytes, {
        trusted,
        revoked,
        now: now(),
        gateway: { id: options.gatewayId, groups: options.groups ?? [] },
        engineVersion: options.engineVersion,
        installedVersion: state.highest,
      });
    } catch (error) {
      if (error instanceof FieldgraphError)
        return end(source, 'rejected', { code: error.code, message: error.message });
      throw error;
    }
    const { version, packageId } = pkg.manifest;
    const about = { version, packageId };
    emit(source, 'verified', about);
    try {
      store.stage(version, bytes, filesToStore(pkg));
    } catch (error) {
      store.recover();
      return end(source, 'failed', {
        ...about,
        code: 'install.failed',
        message: `Staging failed: ${(error as Error).message}`,
      });
    }
    emit(source, 'staged', about);
    store.switchTo(version);
    emit(source, 'switched', about);
    let failure: { code: ErrorCode; message: string } | undefined;
    let warning: { message: string } | undefined;
    try {
      const started = await runtime.start(store.currentLink, version);
      if (started?.warning) warning = { message: started.warning };
      emit(source, 'started', { ...about, ...warning });
      if (!(await runtime.healthCheck())) {
        failure = {
          code: 'install.health_check_failed',
          message: `Version ${version} failed its health check; version ${state.committed ?? 'none'} was restored.`,
        };
      }
    } catch (error) {
      failure = {
        code: 'install.start_failed',
        message: `Version ${version} did not start (${(error as Error).message}); version ${state.committed ?? 'none'} was restored.`,
      };
    }
    if (failure) {
      await restore(state);
      store.removeVersion(version);
      store.writeState({
        ...state,
        history: [
          ...state.history,
          {
            version,
            packageId,
            outcome: 'rolled_back',
            at: new Date(now()).toISOString(),
            code: failure.code,
          },
        ],
      });
      return end(source, 'rolled_back', { ...about, ...failure });
    }
    emit(source, 'healthy', about);
    const previous = [...(state.committed !== null ? [state.committed] : []), ...state.previous].slice(
      0,
      keep,
    );
    store.writeState({
      schemaVersion: 1,
      committed: version,
      committedSha256: sha,
      previous,
      highest: Math.max(state.highest, version),
      history: [
        ...state.history,
        { version, packageId, outcome: 'committed', at: new Date(now()).toISOString() },
      ],
    });
    store.recover();
    return end(source, 'committed', { ...about, ...warning });
  };

  const rollback = async (): Promise<InstallResult> => {
    const state = store.readState();
    const target = state.previous[0];
    if (target === undefined || state.committed === null) {
      throw new FieldgraphError(
        'install.nothing_to_roll_back',
        'There is no previous version on this gateway to roll back to.',
      );
    }
    store.switchTo(target);
    const started = await runtime.start(store.currentLink, target);
    const packageId = store.manifestOf(target)?.packageId ?? '';
    store.writeState({
      ...state,
      committed: target,
      committedSha256: null,
      previous: state.previous.slice(1),
      history: [
        ...state.history,
        {
          version: target,
          packageId,
          outcome: 'rollback',
          at: new Date(now()).toISOString(),
          from: state.committed,
        },
      ],
    });
    store.recover();
    return end('local', 'committed', {
      version: target,
      packageId,
      message: `${rollbackMessage(state.committed, target)}${started?.warning ? ` ${started.warning}` : ''}`,
    });
  };

  return {
    store,
    install: (bytes, source) => serial(() => install(bytes, source)),
    refuse: (source, code, message) => end(source, 'rejected', { code, message }),
    rollback: () => serial(rollback),
    state: () => store.readState(),
  };
};
