/**
 * The install folder of a gateway and the only code that changes it. Layout:
 *
 *   versions/<n>/   one folder per kept version: package.fgpkg (durable) and its files unpacked
 *   staging/        half-written versions; anything here after a crash is garbage
 *   current         symlink to versions/<n>: what runs (switched by rename, atomic on POSIX)
 *   state.json      the committed version, kept versions, highest version seen, history
 *
 * state.json is the commit point. A crash before it is written leaves the old version
 * committed, and `recover()` points `current` back at it; a crash after it leaves the new one.
 * The package file and every folder are fsynced before the step that makes them reachable;
 * unpacked files are checked against the signed manifest on every start and re-created from
 * the package file when a power cut lost them.
 */
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../../../core/package/bytes';
import { verifySignature, decodeKey } from '../../../core/package/keys';
import {
  MANIFEST_FILE,
  SIGNATURE_FILE,
  type Manifest,
  type ManifestSignature,
} from '../../../core/package/manifest';
import { verifyPackage } from '../../../core/package/verify';
import { readZip } from '../../../core/package/zip';
import { syncPath, writeFileDurably, writeSyncedFile } from '../../durable-file';

/** One entry of the install history, newest last. */
export interface InstallHistoryEntry {
  readonly version: number;
  readonly packageId: string;
  readonly outcome: 'committed' | 'rolled_back' | 'rollback';
  readonly at: string;
  readonly code?: string;
  /** For a rollback: the version it rolled back from (`version` is the one it went to). */
  readonly from?: number;
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

/** The durable copy of the installed package inside each version folder. */
export const PACKAGE_FILE = 'package.fgpkg';

const unpack = (dir: string, files: ReadonlyMap<string, Uint8Array>): void => {
  const made = new Set<string>([dir]);
  for (const [path, data] of files) {
    const target = join(dir, path);
    const parent = dirname(target);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(target, data, { flag: 'wx', mode: 0o644 });
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
    writeFileDurably(join(this.root, 'state.json'), JSON.stringify(trimmed, null, 2) + '\n');
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
   * Stages a verified package as versions/<n>: the package file itself, written durably
   * (fsynced) — the one copy that must survive a power cut — and its files unpacked beside it
   * without a per-file fsync, as a cache that `recover()` checks and re-creates from the package
   * file. One fsynced file per install instead of one per flow keeps installs fast on SD cards.
   * The folder is built in staging and moved in with one rename.
   */
  stage(version: number, archive: Uint8Array, files: ReadonlyMap<string, Uint8Array>): string {
    const staging = join(this.root, 'staging', `${version}-${process.pid}-${Date.now()}`);
    mkdirSync(staging);
    writeSyncedFile(join(staging, PACKAGE_FILE), archive);
    unpack(staging, files);
    syncPath(staging);
    const final = this.versionDir(version);
    if (this.currentVersion() === version)
      throw new Error(`version ${version} is running; it cannot be staged again`);
    rmSync(final, { recursive: true, force: true });
    renameSync(staging, final);
    syncPath(join(this.root, 'versions'));
    syncPath(join(this.root, 'staging'));
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
    syncPath(this.root);
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
    if (state.committed !== null && this.reverify(state.committed).length > 0) this.repair(state.committed);
    return state;
  }

  /**
   * Unpacks a version's files again from its durable package file (after a power cut lost
   * unsynced file data). The package file is re-checked against its own signature first.
   */
  repair(version: number): void {
    const dir = this.versionDir(version);
    const archive = readFileSync(join(dir, PACKAGE_FILE));
    const entries = readZip(archive);
    const sig = JSON.parse(
      Buffer.from(entries.get(SIGNATURE_FILE) ?? []).toString('utf8') || '{}',
    ) as Partial<ManifestSignature>;
    if (!sig.key) throw new Error(`the package file of version ${version} has no signature`);
    const pkg = verifyPackage(archive, { trusted: [decodeKey('ed25519', sig.key)], now: 0 });
    const files = new Map<string, Uint8Array>([
      [MANIFEST_FILE, pkg.manifestBytes],
      [SIGNATURE_FILE, pkg.signatureBytes],
      ...pkg.files,
    ]);
    for (const name of readdirSync(dir))
      if (name !== PACKAGE_FILE) rmSync(join(dir, name), { recursive: true, force: true });
    unpack(dir, files);
  }

  /**
   * Re-checks an installed version against its own signed manifest (signature by the stored
   * key, then every file's length and SHA-256); returns the problems found, empty when intact.
   */
  reverify(version: number): string[] {
    const dir = this.versionDir(version);
    let manifest: Manifest;
    const problems: string[] = [];
    try {
      const manifestBytes = readFileSync(join(dir, MANIFEST_FILE));
      const sig = JSON.parse(readFileSync(join(dir, SIGNATURE_FILE), 'utf8')) as ManifestSignature;
      if (!verifySignature(Buffer.from(sig.signature, 'hex'), manifestBytes, decodeKey('ed25519', sig.key))) {
        problems.push('manifest signature does not verify');
      }
      manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    } catch (error) {
      return [`version ${version} has no readable signed manifest (${(error as Error).message})`];
    }
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
