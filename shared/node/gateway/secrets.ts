/**
 * The secrets of the version a gateway runs, in memory only: secrets.sealed is opened with the
 * gateway's own X25519 key each time a version starts (at start, after an install, after a
 * rollback) and dropped with the runner it was given to. Nothing here writes or logs a value:
 * logs and errors name the reference (`shelly/admin`) and who needs it, nothing more.
 */
import { FieldgraphError } from '../../core/errors';
import type { Logger } from '../log';
import { readInstalledSecrets } from './install/secrets';

/** Secrets a running version may use, looked up by reference name. */
export interface RunningSecrets {
  /**
   * The value of reference `name`, needed by `usedBy` (e.g. `device shelly1`). Throws
   * `gateway.secret_unavailable` when the package does not carry it or its seal did not open.
   */
  resolve(name: string, usedBy: string): string;
  /** The reference names held (never the values), sorted. */
  names(): string[];
  /** Why the version's sealed secrets did not open, when they did not. */
  readonly problem?: string;
}

const holding = (
  values: ReadonlyMap<string, string>,
  missing: (name: string) => string,
  log: Logger,
  problem?: string,
) => {
  const reported = new Set<string>();
  const secrets: RunningSecrets = {
    ...(problem ? { problem } : {}),
    resolve(name, usedBy) {
      const value = values.get(name);
      if (value !== undefined) return value;
      const message = `${usedBy} needs the secret "${name}", ${missing(name)}`;
      // Once per reference and version: a flow that runs every second must not flood the log.
      if (!reported.has(name)) {
        reported.add(name);
        log.warn('a device needs a secret this gateway does not have', { secret: name, usedBy });
      }
      throw new FieldgraphError('gateway.secret_unavailable', message, { secret: name });
    },
    names: () => [...values.keys()].sort(),
  };
  return secrets;
};

const FIX = 'Store it in the app (Secrets) and deploy to this gateway again.';

/** Secrets for a gateway that runs a project folder (`--project`): packages carry secrets, folders do not. */
export const noSecrets = (log: Logger): RunningSecrets =>
  holding(
    new Map(),
    () =>
      'but this gateway runs a project folder, and secrets reach a gateway only sealed inside a deployed package. Deploy the site to it.',
    log,
  );

/**
 * Opens the sealed secrets of the installed version in `versionDir`. A seal that does not open
 * (sealed to another gateway, damaged) is logged with its reason and leaves every lookup failing
 * with that reason; the flows still start, and devices without logins keep working.
 */
export const openRunningSecrets = (
  versionDir: string,
  gatewaySecretKeyHex: string,
  log: Logger,
): RunningSecrets => {
  let values: Record<string, string>;
  try {
    values = readInstalledSecrets(versionDir, gatewaySecretKeyHex);
  } catch (error) {
    const reason =
      error instanceof FieldgraphError
        ? error.message
        : `secrets.sealed cannot be read (${(error as Error).message})`;
    log.warn(
      'the installed package carries secrets this gateway cannot open; devices that need them will fail',
      {
        code: error instanceof FieldgraphError ? error.code : 'package.secrets_unreadable',
        reason,
      },
    );
    return holding(
      new Map(),
      () => `but the package's secrets do not open on this gateway: ${reason}`,
      log,
      reason,
    );
  }
  const map = new Map(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string'));
  if (map.size) log.info('secrets opened', { secrets: [...map.keys()].sort() });
  return holding(map, () => `which the installed package does not carry. ${FIX}`, log);
};
