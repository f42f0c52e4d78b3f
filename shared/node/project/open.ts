/**
 * The one way a project folder is read: the project store, packing (deploy's collect) and the
 * gateway all come through `openProjectFolder`, so every reader gets the same guards (size,
 * JSON depth, symlinks, file names), the same migrations and the same located problems.
 */
import { FieldgraphError, type ErrorCode } from '../../core/errors';
import { loadProject, type LoadedProject, type ProjectValidator } from '../../core/project';
import { UnreadableFolderError, readProjectFolder } from './read-folder';

/** A project folder read and loaded: typed documents, the text of each loaded file, and where it is. */
export interface OpenedProjectFolder {
  /** The folder's resolved location. */
  readonly root: string;
  /** The migrated, validated documents, with every problem found in files and content. */
  readonly project: LoadedProject;
  /** The text on disk of every file that loaded, by project path (`flows/a.json`). */
  readonly texts: ReadonlyMap<string, string>;
}

/** How to open: the content validator, temp-file cleanup, and the code a refusal carries. */
export interface OpenProjectOptions {
  readonly validate?: ProjectValidator;
  /** Remove the temp files a killed save left (only a reader that may write should). */
  readonly cleanTemp?: boolean;
  /**
   * The error code when the folder cannot be opened at all (default: `project.not_found` for a
   * missing folder or fieldgraph.json, `project.invalid` otherwise).
   */
  readonly code?: ErrorCode;
}

/**
 * Reads and loads the project at `dir`. Throws a FieldgraphError (with `problems`) whose message
 * names the folder, the file and the fix when the folder is missing or fieldgraph.json cannot
 * be read; a damaged document is left out and reported in `project.problems` instead.
 */
export const openProjectFolder = async (
  dir: string,
  options: OpenProjectOptions = {},
): Promise<OpenedProjectFolder> => {
  let contents;
  try {
    contents = await readProjectFolder(dir, { cleanTemp: options.cleanTemp ?? false });
  } catch (error) {
    if (error instanceof UnreadableFolderError) {
      const { message, hint } = error.problem;
      throw new FieldgraphError(options.code ?? 'project.not_found', hint ? `${message} ${hint}` : message, {
        problems: [error.problem],
      });
    }
    throw error;
  }
  const outcome = loadProject(contents.files, options.validate);
  if (!outcome.ok) {
    const first = outcome.problems[0];
    throw new FieldgraphError(
      options.code ?? (first.code === 'project.not_found' ? 'project.not_found' : 'project.invalid'),
      `${contents.root} cannot be opened: ${first.path}: ${first.message}${first.hint ? ` ${first.hint}` : ''}`,
      { problems: outcome.problems },
    );
  }
  const texts = new Map<string, string>();
  for (const file of contents.files)
    if ('text' in file && !outcome.project.damaged.includes(file.path)) texts.set(file.path, file.text);
  return { root: contents.root, project: outcome.project, texts };
};
