/**
 * Loads the built-in capability and device-model library (resources/library) and a project's
 * own models folder from disk, validates every file, and returns a catalog plus located
 * problems. One bad file is reported with its path; the rest still load.
 */
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseJsonWithin } from '../../core/json/bounded';
import { createCatalog, type Catalog } from '../../core/model/catalog';
import { problem, type Problem } from '../../core/model/problems';
import { libraryDocumentKind, type Capability, type DeviceModel } from '../../core/model/schemas';
import { validateCapability, validateCapabilitySet, validateDeviceModelSet } from '../../core/model/validate';
import { resourcesDir } from '../paths';

/** Files larger than this are refused rather than parsed: no model file is anywhere near it. */
export const MAX_MODEL_FILE_BYTES = 1024 * 1024;

/** What a load produced: the valid entries, the catalog built from them, and every problem found. */
export interface LoadedLibrary {
  readonly capabilities: readonly Capability[];
  readonly models: readonly DeviceModel[];
  readonly catalog: Catalog;
  readonly problems: readonly Problem[];
  /** File each entry came from, relative to its root, keyed `capability:<id>` / `model:<id>`. */
  readonly files: ReadonlyMap<string, string>;
}

/** Where the built-in library lives. */
export const builtinLibraryDir = join(resourcesDir, 'library');

/** One library or `models/` document, already read: its project-relative file and its value. */
export interface ModelDocument {
  readonly file: string;
  readonly value: unknown;
}

/** Reads every `*.json` in a folder (not recursing); unreadable, oversized, escaping or malformed files become problems. */
export const readJsonFolder = async (
  dir: string,
  root: string,
  problems: Problem[],
): Promise<ModelDocument[]> => {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    problems.push(
      problem(
        'json.malformed',
        'error',
        '',
        `cannot list the folder: ${(error as Error).message}`,
        'Check that the folder exists and is readable.',
        relative(root, dir) || '.',
      ),
    );
    return [];
  }
  const realRoot = await realpath(root).catch(() => root);
  const out: ModelDocument[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const file = relative(root, path).split(sep).join('/');
    try {
      const info = await lstat(path);
      if (info.isSymbolicLink()) {
        const target = await realpath(path);
        if (target !== realRoot && !target.startsWith(realRoot + sep)) {
          problems.push(
            problem(
              'json.malformed',
              'error',
              '',
              `is a symbolic link to ${target}, outside the folder`,
              'Copy the file into the folder instead of linking to it.',
              file,
            ),
          );
          continue;
        }
      }
      const size = info.isSymbolicLink() ? (await lstat(await realpath(path))).size : info.size;
      if (size > MAX_MODEL_FILE_BYTES) {
        problems.push(
          problem(
            'json.malformed',
            'error',
            '',
            `is ${(size / 1048576).toFixed(1)} MB; model files are at most ${MAX_MODEL_FILE_BYTES / 1048576} MB`,
            'Check that this is the right file; split it if it really is a model.',
            file,
          ),
        );
        continue;
      }
      const text = await readFile(path, 'utf8');
      // Bounded like every project file: a model nested thousands deep is a problem, not a crash.
      const parsed = parseJsonWithin(text);
      if (parsed.ok) out.push({ file, value: parsed.value });
      else
        problems.push(
          problem(
            'json.malformed',
            'error',
            '',
            // Read after the file's name: "models/x.json is not valid JSON (line 3, column 7)".
            parsed.problem.message.replace(/^it /, ''),
            parsed.problem.reason === 'depth'
              ? 'Flatten the document; no model or capability needs that much nesting.'
              : 'Fix the syntax (a JSON linter or editor shows the exact spot).',
            file,
          ),
        );
    } catch (error) {
      problems.push(
        problem(
          'json.malformed',
          'error',
          '',
          `cannot be read: ${(error as Error).message}`,
          'Check the file permissions.',
          file,
        ),
      );
    }
  }
  return out;
};

const hasErrorsFor = (problems: readonly Problem[], file: string) =>
  problems.some((p) => p.file === file && p.severity === 'error');

const assemble = (
  capFiles: readonly ModelDocument[],
  modelFiles: readonly ModelDocument[],
  base: { capabilities: readonly Capability[]; models: readonly DeviceModel[] },
  problems: Problem[],
): LoadedLibrary => {
  // Schema-valid capabilities first, so models are checked against the full set.
  const schemaOk = capFiles
    .filter((f) => validateCapability(f.value).length === 0)
    .map((f) => f.value as Capability);
  const capCatalog = createCatalog([...base.capabilities, ...schemaOk], []);
  const capProblems = validateCapabilitySet(capFiles, capCatalog);
  const capabilities = capFiles
    .filter((f) => !hasErrorsFor(capProblems, f.file))
    .map((f) => f.value as Capability);
  const catalogForModels = createCatalog([...base.capabilities, ...capabilities], []);
  const modelProblems = validateDeviceModelSet(modelFiles, catalogForModels);
  const models = modelFiles
    .filter((f) => !hasErrorsFor(modelProblems, f.file))
    .map((f) => f.value as DeviceModel);
  problems.push(...capProblems, ...modelProblems);
  const files = new Map<string, string>([
    ...capFiles.map((f): [string, string] => [`capability:${(f.value as { id?: string }).id}`, f.file]),
    ...modelFiles.map((f): [string, string] => [`model:${(f.value as { id?: string }).id}`, f.file]),
  ]);
  return {
    capabilities,
    models,
    catalog: createCatalog([...base.capabilities, ...capabilities], [...base.models, ...models]),
    problems,
    files,
  };
};

/** Loads and validates the built-in library (capabilities/ and models/ under `dir`). */
export const loadLibrary = async (dir: string = builtinLibraryDir): Promise<LoadedLibrary> => {
  const problems: Problem[] = [];
  const capFiles = await readJsonFolder(join(dir, 'capabilities'), dir, problems);
  const modelFiles = await readJsonFolder(join(dir, 'models'), dir, problems);
  return assemble(capFiles, modelFiles, { capabilities: [], models: [] }, problems);
};

/**
 * Checks a project's `models/` documents on top of a library, however they were read (this
 * folder reader, or the open project's store through openProjectFolder): documents whose id
 * looks like `name@1` are capabilities, the rest device models. Returns only the project's
 * valid entries, with a catalog that combines both (project entries override library ones
 * with the same id), and a located problem for each document left out.
 */
export const projectModelsFrom = (
  documents: readonly ModelDocument[],
  library: LoadedLibrary,
  problems: Problem[] = [],
): LoadedLibrary =>
  assemble(
    documents.filter((f) => libraryDocumentKind(f.value) === 'capability'),
    documents.filter((f) => libraryDocumentKind(f.value) === 'model'),
    { capabilities: library.capabilities, models: library.models },
    problems,
  );

/** Loads a project's own `models/` folder from disk on top of a library (see projectModelsFrom). */
export const loadProjectModels = async (
  projectDir: string,
  library: LoadedLibrary,
): Promise<LoadedLibrary> => {
  const problems: Problem[] = [];
  const raw = await readJsonFolder(join(projectDir, 'models'), projectDir, problems);
  return projectModelsFrom(raw, library, problems);
};
