import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp files written next to their target start with this, so folder listings can skip them. */
export const TEMP_PREFIX = '.fg-tmp-';

/** True for a file name that is one of our temp files (left behind only when a process was killed). */
export const isTempName = (name: string): boolean => name.startsWith(TEMP_PREFIX);

// The rename is only durable once the folder's own entry table is on disk.
const fsyncDir = async (dir: string): Promise<void> => {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * Replaces `path` with `text` so that, after a crash or SIGKILL at any moment, the file holds
 * either the complete old content or the complete new one: write a temp file in the same
 * folder, fsync it, rename it over the target, fsync the folder. On failure the temp file is
 * removed and the old file is untouched. `mode` applies to the new file (0o600 for secrets).
 */
export const writeFileDurable = async (path: string, text: string, mode = 0o644): Promise<void> => {
  const dir = dirname(path);
  const temp = join(dir, `${TEMP_PREFIX}${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  let handle;
  try {
    handle = await open(temp, 'wx', mode);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
  await fsyncDir(dir);
};

/** Removes `path` (if present) and makes the removal durable. */
export const removeFileDurable = async (path: string): Promise<void> => {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await fsyncDir(dirname(path));
};
