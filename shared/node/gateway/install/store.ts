/**
 * The install folder of a gateway and the only code that changes it. Layout:
 *
 *   versions/<n>/   one folder per kept version: manifest.json, manifest.sig and its files
 *   staging/        half-written versions; anything here after a crash is garbage
 *   current         symlink to versions/<n>: what runs (switched by rename, atomic on POSIX)
 *   state.json      the committed version, kept versions, highest version seen, history
 *
 * state.json is the commit point. A crash before it is written leaves the old version
 * committed, and `recover()` points `current` back at it; a crash after it leaves the new one.
 * Every file and folder is fsynced before the step that makes it reachable.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../../../core/package/bytes';
import { verifySignature, decodeKey } from '../../../core/package/keys';
import type { Manifest, ManifestSignature } from '../../../core/package/manifest';

/** One entry of the install history, newest last. */
export interface InstallHistoryEntry {
  readonly version: number;
  readonly packageId: string;
  readonly outcome: 'committed' | 'rolled_back' | 'rollback';
  readonly at: string;
  readonly code?: string;
}

/** state.json: what is committed and what is kept. */
export interface InstallState {
  readonly schemaVersion: 1;
  /** The version `current` must point at; null before the first install. */
  readonly committed: number | null;
  /** SHA-256 of the committed package file, to recognise a re-sent copy. */
  readonly committedSha256: string | null;
  /** Kept older versions, newest first (rollback targets). */
  readonly previous: readonly number[];
  /** Highest version ever committed: packages must be newer (TUF rollback protection). */
  readonly highest: number;
  readonly history: readonly InstallHistoryEntry[];
}

const EMPTY: InstallState = {
  schemaVersion: 1,
  committed: null,
  committedSha256: null,
  previous: [],
  highest: 0,
  history: [],
};
const HISTORY_LIMIT = 50;

const fsyncPath = (path: string): void => {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

const writeDurable = (path: string, data: Uint8Array): void => {
  const fd = openSync(path, 'wx', 0o644);
  try {
    let at = 0;
    while (at < data.length) at += writeSync(fd, data, at, data.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** The install folder of one gateway. */
export class InstallStore {
  constructor(readonly root: string) {
    mkdirSync(join(root, 'versions'), { recursive: true });
    mkdirSync(join(root, 'staging'), { recursive: true });
  }

  /** Folder of a version. */
  versionDir(version: number): string {
    return join(this.root, 'versions', String(version));
  }

  /** The `current` symlink path (what the runtime loads). */
  get currentLink(): string {
    return join(this.root, 'current');
  }

  /** Reads state.json (the empty state before the first install). */
  readState(): InstallState {
    try {
      return JSON.parse(readFileSync(join(this.root, 'state.json'), 'utf8')) as InstallState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
      throw error;
    }
  }

  /** Writes state.json atomically and durably (temp file, fsync, rename, folder fsync): the commit point. */
  writeState(state: InstallState): void {
    const trimmed = { ...state, history: state.history.slice(-HISTORY_LIMIT) };
    const tmp = join(this.root, `state.json.${process.pid}.tmp`);
    rmSync(tmp, { force: true });
    writeDurable(tmp, Buffer.from(JSON.stringify(trimmed, null, 2) + '\n'));
    renameSync(tmp, join(this.root, 'state.json'));
    fsyncPath(this.root);
  }

  /** The version `current` points at, or null when there is none. */
  currentVersion(): number | null {
    try {
      const target = readlinkSync(this.currentLink);
      const version = Number(target.split('/').pop());
      return Number.isInteger(version) ? version : null;
    } catch {
      return null;
    }
  }

  /**
   * Writes a verified package's files into staging, fsyncs them, then moves the folder to
   * versions/<n> in one rename; a leftover versions/<n> from a crashed attempt is replaced.
   */
  stage(version: number, files: ReadonlyMap<string, Uint8Array>): string {
    const staging = join(this.root, 'staging', `${version}-${process.pid}-${Date.now()}`);
    mkdirSync(staging);
    const dirs = new Set<string>([staging]);
    for (const [path, data] of files) {
      const target = join(staging, path);
      const parent = dirname(target);
      if (!dirs.has(parent)) {
        mkdirSync(parent, { recursive: true });
        dirs.add(parent);
      }
      writeDurable(target, data);
    }
    for (const dir of [...dirs].sort((a, b) => b.length - a.length)) fsyncPath(dir);
    const final = this.versionDir(version);
    if (this.currentVersion() === version)
      throw new Error(`version ${version} is running; it cannot be staged again`);
    rmSync(final, { recursive: true, force: true });
    renameSync(staging, final);
    fsyncPath(join(this.root, 'versions'));
    fsyncPath(join(this.root, 'staging'));
    return final;
  }

  /** Points `current` at a version (or removes it for null) by renaming a fresh symlink over it. */
  switchTo(version: number | null): void {
    if (version === null) {
      rmSync(this.currentLink, { force: true });
    } else {
      const tmp = join(this.root, `current.${process.pid}.tmp`);
      rmSync(tmp, { force: true });
      symlinkSync(join('versions', String(version)), tmp);
      renameSync(tmp, this.currentLink);
    }
    fsyncPath(this.root);
  }

  /** Removes a version folder. */
  removeVersion(version: number): void {
    rmSync(this.versionDir(version), { recursive: true, force: true });
  }

  /**
   * Brings the folder back to its last commit after a crash: `current` → the committed version,
   * staging emptied, version folders that are neither committed nor kept removed.
   */
  recover(): InstallState {
    const state = this.readState();
    if (this.currentVersion() !== state.committed) this.switchTo(state.committed);
    for (const name of readdirSync(this.root)) {
      if (/^(current|state\.json)\.\d+\.tmp$/.test(name)) rmSync(join(this.root, name), { force: true });
    }
    for (const name of readdirSync(join(this.root, 'staging')))
      rmSync(join(this.root, 'staging', name), { recursive: true, force: true });
    const keep = new Set(
      [state.committed, ...state.previous].filter((v): v is number => v !== null).map(String),
    );
    for (const name of readdirSync(join(this.root, 'versions'))) {
      if (!keep.has(name)) rmSync(join(this.root, 'versions', name), { recursive: true, force: true });
    }
    return state;
  }

  /**
   * Re-checks an installed version against its own signed manifest (signature by the stored
   * key, then every file's length and SHA-256); returns the problems found, empty when intact.
   */
  reverify(version: number): string[] {
    const dir = this.versionDir(version);
    const problems: string[] = [];
    if (!existsSync(join(dir, 'manifest.json'))) return [`version ${version} has no manifest.json`];
    const manifestBytes = readFileSync(join(dir, 'manifest.json'));
    const sig = JSON.parse(readFileSync(join(dir, 'manifest.sig'), 'utf8')) as ManifestSignature;
    if (!verifySignature(Buffer.from(sig.signature, 'hex'), manifestBytes, decodeKey('ed25519', sig.key))) {
      problems.push('manifest signature does not verify');
    }
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    if (manifest.version !== version) problems.push(`manifest says version ${manifest.version}`);
    for (const file of manifest.files) {
      try {
        const data = readFileSync(join(dir, file.path));
        if (data.length !== file.length || sha256Hex(data) !== file.sha256)
          problems.push(`${file.path} differs from the manifest`);
      } catch {
        problems.push(`${file.path} is missing`);
      }
    }
    return problems;
  }

  /** Reads the stored manifest of an installed version, or undefined. */
  manifestOf(version: number): Manifest | undefined {
    try {
      return JSON.parse(readFileSync(join(this.versionDir(version), 'manifest.json'), 'utf8')) as Manifest;
    } catch {
      return undefined;
    }
  }
}
