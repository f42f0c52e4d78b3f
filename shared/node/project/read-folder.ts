import { lstat, readdir, readFile, realpath, stat, unlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  DOCUMENT_KINDS,
  MAX_PROJECT_FILE_BYTES,
  PROJECT_FILE,
  type ProjectFileInput,
  type ProjectProblem,
} from '../../core/project';
import { isTempName } from './atomic';

/** Why a folder cannot be opened at all (as opposed to one damaged file inside it). */
export class UnreadableFolderError extends Error {
  override readonly name = 'UnreadableFolderError';
  constructor(readonly problem: ProjectProblem) {
    super(problem.message);
  }
}

const isInside = (root: string, target: string): boolean => {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
};

const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/**
 * Reads one project file with the guards every file gets: a symlink must stay inside the
 * project folder, the file must be a regular file no larger than MAX_PROJECT_FILE_BYTES.
 * Returns the text, or a problem naming the file and the fix.
 */
const readGuarded = async (root: string, rel: string): Promise<ProjectFileInput> => {
  const abs = join(root, rel);
  const fail = (code: string, message: string, hint: string): ProjectFileInput => ({
    path: rel,
    problem: { code, severity: 'error', path: rel, message, hint },
  });
  try {
    const link = await lstat(abs);
    if (link.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(abs);
      } catch {
        return fail(
          'project.invalid',
          'The file is a symbolic link whose target does not exist.',
          'Remove the link.',
        );
      }
      if (!isInside(root, target)) {
        return fail(
          'project.symlink_outside',
          `The file is a symbolic link to ${target}, outside the project folder; Fieldgraph does not follow it.`,
          'Copy the file into the project folder instead of linking to it.',
        );
      }
    }
    const info = await stat(abs);
    if (!info.isFile())
      return fail('project.invalid', 'Expected a file here, found something else.', 'Remove it.');
    if (info.size > MAX_PROJECT_FILE_BYTES) {
      return fail(
        'project.file_too_large',
        `The file is ${mb(info.size)}, larger than the ${mb(MAX_PROJECT_FILE_BYTES)} a project file may be; it was not loaded.`,
        'Project files are small JSON documents: check that the right file is here, or restore it from version control.',
      );
    }
    return { path: rel, text: await readFile(abs, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      'project.unreadable_file',
      `The file cannot be read (${code ?? String(error)}).`,
      code === 'EACCES' ? 'Give your user read permission on the file.' : 'Check the file and the disk.',
    );
  }
};

// Each read is a few async syscalls; overlapping a handful keeps opening a big project fast.
const READ_PARALLELISM = 16;

/** Reads `rels` with the guards, a few at a time, keeping their order. */
const readAll = async (root: string, rels: readonly string[]): Promise<ProjectFileInput[]> => {
  const out: ProjectFileInput[] = new Array(rels.length);
  let next = 0;
  const worker = async () => {
    while (next < rels.length) {
      const i = next++;
      out[i] = await readGuarded(root, rels[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_PARALLELISM, rels.length) }, worker));
  return out;
};

/** Lists `<kind>/*.json` names, skipping dot-files and temp files; removes stale temp files when asked. */
const listKind = async (
  root: string,
  kind: string,
  cleanTemp: boolean,
): Promise<string[] | ProjectProblem> => {
  let names: string[];
  try {
    const real = await realpath(join(root, kind));
    if (!isInside(root, real)) {
      return {
        code: 'project.symlink_outside',
        severity: 'error',
        path: `${kind}/`,
        message: `The ${kind} folder is a symbolic link to ${real}, outside the project folder; Fieldgraph does not follow it.`,
        hint: `Replace the link with a real ${kind} folder inside the project.`,
      };
    }
    names = await readdir(real);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    if (isTempName(name)) {
      // A temp file only survives a killed save; the rename never happened, so it holds nothing we need.
      if (cleanTemp) await unlink(join(root, kind, name)).catch(() => {});
      continue;
    }
    if (name.startsWith('.') || !name.endsWith('.json')) continue;
    out.push(`${kind}/${name}`);
  }
  return out;
};

/** The folder's resolved location and every project file in it, each read or reported. */
export interface FolderContents {
  root: string;
  files: ProjectFileInput[];
}

/**
 * Reads a project folder: fieldgraph.json and `<kind>/*.json` for every document kind.
 * Throws UnreadableFolderError when the folder itself is missing or not a folder; problems
 * with single files come back in `files` so the rest of the project still opens.
 */
export const readProjectFolder = async (
  dir: string,
  options: { cleanTemp?: boolean } = {},
): Promise<FolderContents> => {
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory())
      throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnreadableFolderError({
      code: 'project.not_found',
      severity: 'error',
      path: dir,
      message:
        code === 'ENOTDIR'
          ? `${dir} is a file, not a project folder.`
          : `The folder ${dir} does not exist or cannot be read.`,
      hint: 'Pick the folder that contains fieldgraph.json.',
    });
  }
  const files: ProjectFileInput[] = [];
  try {
    await lstat(join(root, PROJECT_FILE));
    files.push(await readGuarded(root, PROJECT_FILE));
  } catch {
    // A missing fieldgraph.json is reported by loadProject, which knows what it means.
  }
  if (options.cleanTemp) {
    for (const name of await readdir(root))
      if (isTempName(name)) await unlink(join(root, name)).catch(() => {});
  }
  for (const kind of DOCUMENT_KINDS) {
    const listed = await listKind(root, kind, options.cleanTemp ?? false);
    if (!Array.isArray(listed)) files.push({ path: `${kind}/`, problem: listed });
    else files.push(...(await readAll(root, listed)));
  }
  return { root, files };
};
