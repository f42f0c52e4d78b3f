import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblem } from '../../shared/core/model/problems';
import { modelToThingDescription } from '../../shared/core/model/wot/export';
import { importThingDescription } from '../../shared/core/model/wot/import';
import { stableStringify } from '../../shared/core/project/serialize';
import { readThingDescription } from '../../shared/node/library/thing-description';
import { writeFileDurable } from '../../shared/node/project/atomic';
import { libraryFor } from '../../shared/node/services/library';
import { UsageError, type Command } from '../command';

const pretty = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

const parseVars = (list: readonly string[]): Record<string, string> =>
  Object.fromEntries(
    list.map((item) => {
      const at = item.indexOf('=');
      if (at < 1) throw new UsageError(`--var wants NAME=VALUE, not "${item}".`);
      return [item.slice(0, at), item.slice(at + 1)];
    }),
  );

/** `fieldgraph td`: W3C Web of Things Thing Descriptions in and out. */
export const tdCommand: Command = {
  name: 'td',
  summary: 'Export a device model as a W3C Thing Description, or import one',
  usage: `Usage: fieldgraph td export MODEL_ID [--broker mqtt://HOST:PORT] [--var NAME=VALUE]… [--out FILE] [--project DIR]
       fieldgraph td import FILE|URL [--base URL] [--project DIR]

  export   prints (or writes to FILE) the Thing Description of a device model; with --var the
           device's instance variables (topic, prefix, host…) are filled in, otherwise they stay
           as Thing Model placeholders {{name}}
  import   reads a TD or Thing Model (.td.json / .tm.json, a file or an http(s) URL) and prints
           what it imported and what it skipped and why, and the device model and capabilities
           it becomes; with --project DIR it writes them into DIR/models/. Thing Models it
           extends or refers to (tm:extends, tm:ref) are read from the same folder (or URL).
  --base URL     resolve relative hrefs against URL when the TD has no base (default: the URL
                 it was fetched from)
  --project DIR  also use (import: write to) the project's models folder

Exit code 0 on success, 1 when the input has problems (listed with their JSON paths), 2 on usage mistakes.`,
  async run(argv) {
    const [action, ...rest] = argv;
    if (action === 'export') {
      const { values, positionals } = parseArgs({
        args: rest,
        options: {
          broker: { type: 'string' },
          var: { type: 'string', multiple: true, default: [] },
          out: { type: 'string' },
          project: { type: 'string' },
        },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length !== 1) throw new UsageError('Give one device model id, e.g. tasmota-relay.');
      if (values.broker && !/^mqtts?:\/\/[^/\s]+$/.test(values.broker)) {
        throw new UsageError(`--broker wants mqtt://HOST:PORT, not "${values.broker}".`);
      }
      const { library, project } = await libraryFor(values.project ? resolve(values.project) : undefined);
      const catalog = (project ?? library).catalog;
      const model = catalog.models.get(positionals[0]!);
      if (!model) {
        console.error(
          `No device model has the id "${positionals[0]}". \`fieldgraph library list\` shows them all.`,
        );
        return 1;
      }
      const variables = parseVars(values.var);
      const td = modelToThingDescription(model, catalog, {
        ...(values.broker ? { broker: values.broker } : {}),
        ...(Object.keys(variables).length ? { variables } : {}),
      });
      if (values.out) {
        await writeFile(resolve(values.out), pretty(td));
        console.error(`Wrote ${resolve(values.out)}.`);
      } else process.stdout.write(pretty(td));
      return 0;
    }
    if (action === 'import') {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { project: { type: 'string' }, base: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length !== 1) throw new UsageError('Give one Thing Description file or URL.');
      if (values.base !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//i.test(values.base))
        throw new UsageError(
          `--base wants an absolute URL such as http://192.168.1.20/, not "${values.base}".`,
        );
      const source = positionals[0]!;
      const read = await readThingDescription(source);
      if ('error' in read) {
        console.error(read.error);
        return 1;
      }
      const projectDir = values.project ? resolve(values.project) : undefined;
      const { library, project } = await libraryFor(projectDir);
      const result = importThingDescription(read.json, (project ?? library).catalog, {
        file: read.file,
        ...(values.base ? { base: values.base } : read.url ? { base: read.url } : {}),
        load: read.load,
      });
      for (const p of result.problems.filter((x) => x.severity === 'error')) console.error(formatProblem(p));
      if (!result.ok) return 1;
      // The report goes where the person reads it: stdout with --project, stderr beside the JSON otherwise.
      const say = (line: string) => (projectDir ? console.log(line) : console.error(line));
      say(
        `Imported ${read.file} as device model "${result.model.id}"${result.capabilities.length ? ` with capability ${result.capabilities.map((c) => c.id).join(', ')}` : ''}: ${result.report.imported.length} ${result.report.imported.length === 1 ? 'affordance' : 'affordances'} bound, ${result.report.skipped.length} not.`,
      );
      for (const a of result.report.imported) say(`  imported ${a}`);
      for (const s of result.report.skipped) say(`  skipped  ${s.affordance}: ${s.reason}`);
      const settings = Object.keys(result.model.variables ?? {});
      if (settings.length) say(`  settings each device of it needs: ${settings.join(', ')}`);
      for (const p of result.problems.filter(
        (x) => x.severity !== 'error' && !x.path.match(/^(properties|actions|events)\.[^.]+$/),
      ))
        say(`  note: ${formatProblem(p)}`);
      if (!projectDir) {
        process.stdout.write(pretty({ model: result.model, capabilities: result.capabilities }));
        return 0;
      }
      const dir = join(projectDir, 'models');
      await mkdir(dir, { recursive: true });
      const entries = [...result.capabilities, result.model];
      for (const entry of entries) {
        const file = join(dir, `${entry.id}.json`);
        const exists = await access(file).then(
          () => true,
          () => false,
        );
        if (exists) {
          console.error(`${file} already exists; nothing was written. Remove it, or change the TD's title.`);
          return 1;
        }
      }
      // Project files: sorted keys and atomic writes, like every other file in the project folder.
      for (const entry of entries) {
        const file = join(dir, `${entry.id}.json`);
        await writeFileDurable(file, stableStringify(entry));
        console.error(`Wrote ${file}.`);
      }
      return 0;
    }
    throw new UsageError(action ? `Unknown td action "${action}".` : 'Say what to do: export or import.');
  },
};
