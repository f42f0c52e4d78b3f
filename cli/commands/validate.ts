import { parseArgs } from 'node:util';
import {
  createModelValidation,
  hasErrors,
  loadProject,
  type ProjectProblem,
  type ProjectValidator,
} from '../../shared/core/project';
import { loadLibrary } from '../../shared/node/library/load';
import { UnreadableFolderError, readProjectFolder } from '../../shared/node/project';
import { UsageError, type Command } from '../command';

const print = (problems: readonly ProjectProblem[], json: boolean): void => {
  if (json) {
    const plain = problems.map(({ code, severity, path, message }) => ({ code, severity, path, message }));
    console.log(JSON.stringify({ problems: plain }, null, 2));
    return;
  }
  for (const p of problems) {
    console.log(`${p.path}: ${p.severity}: ${p.message} [${p.code}]`);
    if (p.hint) console.log(`  fix: ${p.hint}`);
  }
};

/** `fieldgraph validate <projectDir>`: checks a whole project folder, as CI runs it. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check a project folder: every file, with located problems',
  usage: `Usage: fieldgraph validate <projectDir> [--json]

Reads fieldgraph.json and every file in flows/, models/ and sites/, migrates older formats in
memory (nothing is written), and checks each file against the file formats and the built-in
device-model library. Every problem names its file and JSON path, what is wrong and how to fix it.

  --json    print {"problems":[{"code","severity","path","message"}]} instead of text

Exit status: 0 valid (warnings allowed), 1 problems found, 2 the folder cannot be read as a project.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError('Give exactly one project folder.');
    const [dir] = positionals;
    let validate: ProjectValidator | undefined;
    try {
      validate = createModelValidation(await loadLibrary());
    } catch (error) {
      console.error(
        `The built-in device-model library did not load (${String(error)}); checking the file format only.`,
      );
    }
    let files;
    try {
      files = (await readProjectFolder(dir)).files;
    } catch (error) {
      if (!(error instanceof UnreadableFolderError)) throw error;
      print([error.problem], values.json);
      return 2;
    }
    const outcome = loadProject(files, validate);
    if (!outcome.ok) {
      print(outcome.problems, values.json);
      return 2;
    }
    const { problems } = outcome.project;
    print(problems, values.json);
    if (!values.json) {
      if (outcome.project.migrations.length > 0) {
        console.log(
          `note: written in format version ${outcome.project.diskSchemaVersion}; Fieldgraph migrates it when it saves the project.`,
        );
      }
      const errors = problems.filter((p) => p.severity === 'error').length;
      const warnings = problems.length - errors;
      const counts = Object.entries(outcome.project.documents)
        .map(([kind, docs]) => `${Object.keys(docs).length} ${kind}`)
        .join(', ');
      console.log(
        errors || warnings
          ? `${dir}: ${errors} error(s), ${warnings} warning(s) (${counts}).`
          : `${dir}: valid (${counts}).`,
      );
    }
    return hasErrors(problems) ? 1 : 0;
  },
};
