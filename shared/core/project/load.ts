import { MAX_JSON_DEPTH, parseJsonWithin } from '../json/bounded';
import { jsonErrorPosition } from './json-position';
import { DOCUMENT_KINDS, PROJECT_FILE, parseDocumentPath } from './layout';
import { CURRENT_SCHEMA_VERSION, migrateProject, readSchemaVersion, type RawProject } from './migrations';
import type { ProjectProblem } from './problems';
import { findSecretProblems } from './secret-ref';
import type { JsonObject } from './serialize';

/** One file as the platform layer read it: its text, or the problem that stopped reading it. */
export type ProjectFileInput = { path: string; text: string } | { path: string; problem: ProjectProblem };

/** Checks a whole migrated project (the device-model validators plug in here: see model-validators.ts). */
export type ProjectValidator = (project: RawProject) => ProjectProblem[];

/** A project that opened, possibly with problems in some of its files. */
export interface LoadedProject extends RawProject {
  /** The version on disk before migration. */
  diskSchemaVersion: number;
  /** True when the project comes from a newer Fieldgraph: it must not be saved. */
  readOnly: boolean;
  /** Migration steps applied in memory (the files change on the next save). */
  migrations: string[];
  problems: ProjectProblem[];
  /** The part of `problems` about files (damaged, unreadable, newer format), not their content. */
  fileProblems: ProjectProblem[];
  /** Files that could not be loaded; saving leaves them untouched. */
  damaged: string[];
}

/** The outcome of loading: a project, or the problems that make the folder unreadable. */
export type LoadOutcome = { ok: true; project: LoadedProject } | { ok: false; problems: ProjectProblem[] };

const describeJsonError = (text: string, error: unknown): string => {
  const reason = (error instanceof Error ? error.message : String(error))
    .split(/[,\n]/)[0]
    .replace(/ in JSON at position \d+.*$/, '');
  const at = jsonErrorPosition(text);
  return at ? `${reason} at line ${at.line}, column ${at.column}` : reason;
};

/** Parses one file's text into an object, or a located problem. */
export const parseProjectFile = (
  path: string,
  text: string,
): { value: JsonObject } | { problem: ProjectProblem } => {
  // Depth first: a deeply nested file is refused here, with its place, instead of crashing
  // whatever walks it later ("Maximum call stack size exceeded") and leaving the project unopenable.
  const deep = parseJsonWithin(text, { maxDepth: MAX_JSON_DEPTH });
  if (!deep.ok && deep.problem.reason === 'depth') {
    return {
      problem: {
        code: 'project.invalid',
        severity: 'error',
        path,
        message: `The file ${deep.problem.message.replace(/^it /, '')}.`,
        hint: `No Fieldgraph document nests that deep; fix the file by hand or restore it from version control.`,
      },
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      problem: {
        code: 'project.malformed_json',
        severity: 'error',
        path,
        message: `The file is not valid JSON: ${describeJsonError(text, error)}.`,
        hint: 'Fix the JSON by hand (git diff shows what changed), or restore the file from version control.',
      },
    };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      problem: {
        code: 'project.invalid',
        severity: 'error',
        path,
        message: 'The file must hold one JSON object.',
        hint: 'Wrap the content in { … } or restore the file from version control.',
      },
    };
  }
  return { value: value as JsonObject };
};

const checkDocument = (id: string, doc: JsonObject, file: string): ProjectProblem[] => {
  const problems: ProjectProblem[] = [];
  if (doc.id !== id) {
    problems.push({
      code: 'project.id_mismatch',
      severity: 'error',
      path: `${file}: id`,
      message: `The document id ${JSON.stringify(doc.id)} does not match its file name "${id}".`,
      hint: `Set "id" to "${id}", or rename the file to match the id.`,
    });
  }
  problems.push(...findSecretProblems(doc, file));
  return problems;
};

/**
 * Turns the files of a project folder into a project: parses each file, migrates older
 * versions step by step, marks newer versions read-only, and validates every document.
 * A damaged document is reported with its path and left out while the rest still opens;
 * only a missing or damaged fieldgraph.json makes the folder unreadable.
 */
export const loadProject = (files: readonly ProjectFileInput[], validate?: ProjectValidator): LoadOutcome => {
  const problems: ProjectProblem[] = [];
  const damaged: string[] = [];
  const metaFile = files.find((f) => f.path === PROJECT_FILE);
  if (!metaFile) {
    return {
      ok: false,
      problems: [
        {
          code: 'project.not_found',
          severity: 'error',
          path: PROJECT_FILE,
          message: `This folder has no ${PROJECT_FILE}, so it is not a Fieldgraph project.`,
          hint: 'Pick the folder that contains fieldgraph.json, or create a new project.',
        },
      ],
    };
  }
  if ('problem' in metaFile) return { ok: false, problems: [metaFile.problem] };
  const parsedMeta = parseProjectFile(PROJECT_FILE, metaFile.text);
  if ('problem' in parsedMeta) return { ok: false, problems: [parsedMeta.problem] };
  const diskSchemaVersion = readSchemaVersion(parsedMeta.value);
  if (diskSchemaVersion === null) {
    return {
      ok: false,
      problems: [
        {
          code: 'project.invalid',
          severity: 'error',
          path: `${PROJECT_FILE}: schemaVersion`,
          message: 'schemaVersion is missing or is not a positive whole number.',
          hint: `Set "schemaVersion": ${CURRENT_SCHEMA_VERSION} if the project was written by this version of Fieldgraph.`,
        },
      ],
    };
  }

  const raw: RawProject = {
    meta: parsedMeta.value,
    documents: { flows: {}, models: {}, sites: {} },
  };
  for (const file of files) {
    if (file.path === PROJECT_FILE) continue;
    if ('problem' in file) {
      problems.push(file.problem);
      damaged.push(file.path);
      continue;
    }
    const where = parseDocumentPath(file.path);
    if (!where) {
      // A .json file in a document folder whose name cannot be an id: say so rather than skip it silently.
      problems.push({
        code: 'project.bad_document_id',
        severity: 'warning',
        path: file.path,
        message: 'The file name cannot be a document id, so the file was not loaded.',
        hint: 'Rename it to <id>.json using letters, digits, ".", "_", "-" or "@", starting with a letter or digit.',
      });
      damaged.push(file.path);
      continue;
    }
    const parsed = parseProjectFile(file.path, file.text);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      damaged.push(file.path);
      continue;
    }
    raw.documents[where.kind][where.id] = parsed.value;
  }

  const readOnly = diskSchemaVersion > CURRENT_SCHEMA_VERSION;
  if (readOnly) {
    problems.push({
      code: 'project.newer_version',
      severity: 'warning',
      path: `${PROJECT_FILE}: schemaVersion`,
      message: `The project uses format version ${diskSchemaVersion}, newer than this Fieldgraph understands (${CURRENT_SCHEMA_VERSION}); it is open read-only.`,
      hint: 'Update Fieldgraph to edit this project; saving is disabled so nothing newer gets lost.',
    });
    return {
      ok: true,
      project: {
        ...raw,
        diskSchemaVersion,
        readOnly,
        migrations: [],
        problems,
        fileProblems: problems,
        damaged,
      },
    };
  }

  const { project, applied } = migrateProject(raw, diskSchemaVersion);
  return {
    ok: true,
    project: {
      ...project,
      diskSchemaVersion,
      readOnly,
      migrations: applied,
      problems: [...problems, ...checkProjectContent(project, validate)],
      fileProblems: problems,
      damaged,
    },
  };
};

/**
 * The problems in a project's content (as opposed to its files): a name, ids that match file
 * names, no secret values, and whatever `validate` adds. Run at open and after every edit.
 */
export const checkProjectContent = (project: RawProject, validate?: ProjectValidator): ProjectProblem[] => {
  const problems: ProjectProblem[] = [];
  if (typeof project.meta.name !== 'string' || project.meta.name.trim() === '') {
    problems.push({
      code: 'project.invalid',
      severity: 'error',
      path: `${PROJECT_FILE}: name`,
      message: 'The project has no name.',
      hint: 'Add "name": "<project name>" to fieldgraph.json.',
    });
  }
  for (const kind of DOCUMENT_KINDS) {
    for (const [id, doc] of Object.entries(project.documents[kind]))
      problems.push(...checkDocument(id, doc, `${kind}/${id}.json`));
  }
  // Other validators may quote the offending value; where that value is a secret, only our
  // secret problem (which never quotes it) is kept.
  const secretPaths = new Set(problems.filter((p) => p.code === 'project.secret_in_file').map((p) => p.path));
  problems.push(...(validate?.(project) ?? []).filter((p) => !secretPaths.has(p.path)));
  return problems;
};

/** A new, empty project in the current format. */
export const newProject = (id: string, name: string, createdAt: string): RawProject => ({
  meta: { schemaVersion: CURRENT_SCHEMA_VERSION, id, name, createdAt, roles: [] },
  documents: { flows: {}, models: {}, sites: {} },
});
