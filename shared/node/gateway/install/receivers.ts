/**
 * The ways a package reaches a gateway: MQTT (`…/deploy`, and the retained fleet topic
 * `fieldgraph/v1/group/<group>/package`), HTTP (`POST /v1/packages` with a bearer token) and a
 * watched folder (USB stick). Each hands the bytes to the installer; every report is
 * published on `…/deploy/result`. Also registers the `rollback` and `installed` RPC methods.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FieldgraphError, isErrorCode } from '../../../core/errors';
import { MAX_PACKAGE_BYTES, groupPackageTopic } from '../../../core/gateway';
import type { Logger } from '../../log';
import type { MqttLink } from '../../mqtt/link';
import type { GatewayHttp } from '../http';
import type { RpcServer } from '../rpc';
import { gatewayTopics } from '../topics';
import type { InstallReport, InstallResult, InstallSource, Installer } from './installer';

export { groupPackageTopic };

/** Where a gateway listens for packages. */
export interface ReceiverOptions {
  readonly installer: Installer;
  readonly gatewayId: string;
  readonly link?: MqttLink;
  readonly groups?: readonly string[];
  readonly http?: GatewayHttp;
  /** Bearer token required by `POST /v1/packages`; without one the route is not offered. */
  readonly token?: string;
  readonly rpc?: RpcServer;
  readonly watchDir?: string;
  /** How often the watched folder is scanned (ms). */
  readonly watchIntervalMs?: number;
  /** Largest package accepted on every receiver (default MAX_PACKAGE_BYTES). */
  readonly maxPackageBytes?: number;
  readonly log: Logger;
}

/** Publishes an install report on `…/deploy/result` (QoS 1); a lost broker only loses the report, never the install. */
export const publishReport = (link: MqttLink, report: InstallReport, log: Logger): void => {
  link
    .publish(gatewayTopics(report.gateway).deployResult, JSON.stringify(report), { qos: 1 })
    .catch((error: unknown) =>
      log.warn('could not publish a deploy result', { step: report.step, error: String(error) }),
    );
};

const sameToken = (given: string, expected: string): boolean => {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
};

/**
 * Reads a package file from the watched folder without ever blocking the event loop: only a
 * regular file (lstat, then fstat on the opened descriptor — no FIFO, device, socket or
 * symbolic link), opened non-blocking, at most `max` bytes. Undefined with a reason otherwise.
 */
export const readPackageFile = async (
  path: string,
  max: number,
): Promise<{ bytes: Uint8Array } | { refused: string; tooLarge?: boolean }> => {
  const before = await lstat(path);
  if (!before.isFile()) return { refused: `${path} is not a regular file` };
  if (before.size > max)
    return {
      refused: `${path} is ${before.size} bytes, more than the ${max} a package may be`,
      tooLarge: true,
    };
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.ino !== before.ino) return { refused: `${path} changed while it was opened` };
    const buffer = Buffer.alloc(Math.min(st.size, max) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > max)
        return { refused: `${path} grew past ${max} bytes while it was read`, tooLarge: true };
      if (length === buffer.length) break;
    }
    return { bytes: buffer.subarray(0, length) };
  } finally {
    await handle.close();
  }
};

/** Starts every configured receiver; returns the function that stops them. */
export const listenForPackages = (options: ReceiverOptions): (() => void) => {
  const { installer, log } = options;
  const maxBytes = options.maxPackageBytes ?? MAX_PACKAGE_BYTES;
  const stops: Array<() => void> = [];
  // Refused before the installer sees it: reported like any other refusal.
  const tooLarge = (source: InstallSource, size: number): void => {
    installer.refuse(
      source,
      'gateway.too_large',
      `The package is ${size} bytes; a gateway accepts at most ${maxBytes}.`,
    );
  };
  const run = (bytes: Uint8Array, source: InstallSource): Promise<InstallResult> =>
    installer.install(bytes, source).catch((error: unknown) => {
      log.error('install failed unexpectedly', { source, error: String(error) });
      return {
        ok: false,
        step: 'failed',
        running: installer.store.currentVersion(),
        code: 'install.failed',
        message: String(error),
      } as InstallResult;
    });

  if (options.link) {
    const link = options.link;
    stops.push(
      link.subscribe(
        gatewayTopics(options.gatewayId).deploy,
        (_topic, payload) =>
          payload.length > maxBytes ? tooLarge('mqtt', payload.length) : void run(payload, 'mqtt'),
        1,
      ),
    );
    for (const group of options.groups ?? []) {
      stops.push(
        link.subscribe(
          groupPackageTopic(group),
          (_topic, payload) => {
            // An empty retained message clears the group's package: nothing to install.
            if (payload.length > maxBytes) tooLarge('group', payload.length);
            else if (payload.length) void run(payload, 'group');
          },
          1,
        ),
      );
    }
  }

  if (options.http && options.token) {
    const token = options.token;
    // The token is checked on the headers, before a byte of the body is read.
    const authorize = (request: { headers: { authorization?: string } }): void => {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (!given || !sameToken(given, token)) {
        throw new FieldgraphError(
          'install.unauthorized',
          'Send the gateway deploy token as "Authorization: Bearer <token>".',
        );
      }
    };
    options.http.route(
      'POST',
      '/v1/packages',
      async (_request, _url, body) => {
        const result = await run(body, 'http');
        if (!result.ok) {
          throw new FieldgraphError(
            isErrorCode(result.code) ? result.code : 'install.failed',
            result.message ?? 'The package was not installed.',
            result,
          );
        }
        return result;
      },
      { authorize, maxBody: maxBytes },
    );
  }

  if (options.rpc) {
    options.rpc.register('rollback', () => installer.rollback());
    options.rpc.register('installed', () => {
      const state = installer.state();
      const manifest = state.committed !== null ? installer.store.manifestOf(state.committed) : undefined;
      return {
        ...state,
        previous: [...state.previous],
        history: state.history.map((h) => ({ ...h })),
        files: manifest?.files ?? [],
        packageId: manifest?.packageId ?? null,
      };
    });
  }

  if (options.watchDir) {
    const dir = options.watchDir;
    // Polling, not fs.watch: removable drives and network folders do not deliver inotify events.
    // A file is taken once its size and mtime are unchanged between two scans (copy finished).
    const seen = new Map<string, string>();
    const handled = new Set<string>();
    let busy = false;
    const scan = async () => {
      if (busy) return;
      busy = true;
      try {
        let names: string[] = [];
        try {
          names = (await readdir(dir)).filter((n) => n.endsWith('.fgpkg'));
        } catch {
          return; // the stick is not plugged in
        }
        for (const name of names.sort()) {
          const path = join(dir, name);
          let stamp: string;
          try {
            const st = await lstat(path);
            stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
          } catch {
            continue;
          }
          if (handled.has(`${path}@${stamp}`)) continue;
          if (seen.get(path) !== stamp) {
            seen.set(path, stamp);
            continue;
          }
          handled.add(`${path}@${stamp}`);
          let read: Awaited<ReturnType<typeof readPackageFile>>;
          try {
            read = await readPackageFile(path, maxBytes);
          } catch (error) {
            log.warn('a file in the watched folder cannot be read', { path, error: String(error) });
            continue;
          }
          if ('refused' in read) {
            log.warn('a file in the watched folder is not taken', { path, reason: read.refused });
            installer.refuse(
              'folder',
              read.tooLarge ? 'gateway.too_large' : 'install.failed',
              `Not installed: ${read.refused}.`,
            );
            continue;
          }
          await run(read.bytes, 'folder');
        }
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void scan(), options.watchIntervalMs ?? 1000);
    stops.push(() => clearInterval(timer));
  }

  return () => {
    for (const stop of stops.splice(0)) stop();
  };
};
