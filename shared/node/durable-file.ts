/**
 * Writes that survive a crash or a power cut at any instant: the one way Fieldgraph replaces a
 * file whose loss would cost something (the gateway's install state and QoS 1 outbox, a package
 * on a USB drive). Readers see the old file or the new one, never a torn one.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a durable write takes: the bytes, a text (UTF-8), or a sequence of chunks written in order. */
export type DurableData = Uint8Array | string | Iterable<Uint8Array | string>;

/** Flushes a file or a folder to the disk; a folder's entries (a new name, a rename) are made durable. */
export const syncPath = (path: string): void => {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

const writeAll = (fd: number, chunk: Uint8Array | string): void => {
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
};

/**
 * Creates a new file (refusing one that exists), writes every byte and flushes it to the disk
 * before returning. Its name is durable only once its folder is synced (`syncPath`).
 */
export const writeSyncedFile = (path: string, data: DurableData, mode = 0o644): void => {
  const fd = openSync(path, 'wx', mode);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) writeAll(fd, data);
    else for (const chunk of data) writeAll(fd, chunk);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** Where a durable write stages its bytes and with what permissions. */
export interface DurableWriteOptions {
  /** The temporary file beside the target (default `<path>.<pid>.tmp`); a leftover one is replaced. */
  readonly temp?: string;
  readonly mode?: number;
}

/**
 * Replaces `path` durably: writes a temporary file beside it, flushes it, renames it over
 * `path` and flushes the folder, so after a crash `path` holds the old content or the new, in
 * full. The temporary file is removed when the write fails.
 */
export const writeFileDurably = (
  path: string,
  data: DurableData,
  options: DurableWriteOptions = {},
): void => {
  const temp = options.temp ?? `${path}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  try {
    writeSyncedFile(temp, data, options.mode);
    renameSync(temp, path);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // the folder itself is unusable; the write's own error says why
    }
    throw error;
  }
  syncPath(dirname(path));
};
