import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblem } from '../../shared/core/model/problems';
import { libraryFor, summarize } from '../../shared/node/services/library';
import { UsageError, type Command } from '../command';

/** `fieldgraph library`: the built-in capabilities and device models, plus a project's own. */
export const libraryCommand: Command = {
  name: 'library',
  summary: 'List the capabilities and device models Fieldgraph knows',
  usage: `Usage: fieldgraph library list [--json] [--project DIR]

  list           prints every capability and device model; problems found loading them go to stderr
  --json         prints {"capabilities":[{"id":…},…],"deviceModels":[{"id":…},…],"problems":[…]}
  --project DIR  also loads DIR/models/ (the project's own capabilities and models)

Exit code 0 when everything loaded, 1 when some files have errors (they are left out).`,
  async run(argv) {
    const [action, ...rest] = argv;
    if (action !== 'list') {
      throw new UsageError(action ? `Unknown library action "${action}".` : 'Say what to do: list.');
    }
    const { values, positionals } = parseArgs({
      args: rest,
      options: { json: { type: 'boolean', default: false }, project: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
    const { library, project } = await libraryFor(values.project ? resolve(values.project) : undefined);
    const { capabilities, deviceModels } = summarize(library, project);
    const problems = [...library.problems, ...(project?.problems ?? [])];
    const failed = problems.some((p) => p.severity === 'error');
    if (values.json) {
      console.log(JSON.stringify({ capabilities, deviceModels, problems }, null, 2));
      return failed ? 1 : 0;
    }
    const idWidth =
      Math.max(...capabilities.map((c) => c.id.length), ...deviceModels.map((m) => m.id.length), 10) + 2;
    console.log(`Capabilities (${capabilities.length})`);
    for (const c of capabilities) {
      const extra = c.extends.length ? ` (extends ${c.extends.join(', ')})` : '';
      console.log(`  ${c.id.padEnd(idWidth)}${c.title}${extra}${c.source === 'project' ? ' [project]' : ''}`);
    }
    console.log(`\nDevice models (${deviceModels.length})`);
    for (const m of deviceModels) {
      console.log(`  ${m.id.padEnd(idWidth)}${m.title}${m.source === 'project' ? ' [project]' : ''}`);
      console.log(`  ${''.padEnd(idWidth)}${m.protocols.join(', ')} · ${m.capabilities.join(', ')}`);
    }
    // Errors are listed; warnings (affordances a firmware lacks) only counted, --json has them all.
    for (const p of problems.filter((x) => x.severity === 'error')) console.error(formatProblem(p));
    const warnings = problems.filter((x) => x.severity === 'warning').length;
    if (warnings) console.error(`\n${warnings} warning(s) about models; --json lists them.`);
    return failed ? 1 : 0;
  },
};
