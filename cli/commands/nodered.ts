import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Flow } from '../../shared/core/flow/schema';
import { covers } from '../../shared/core/nodered/convert-ha-entities';
import { importNodeRed, NodeRedImportError, type ImportNote } from '../../shared/core/nodered/import';
import { stableStringify } from '../../shared/core/project/serialize';
import { writeFileDurable } from '../../shared/node/project/atomic';
import { UsageError, type Command } from '../command';

/** Largest export read; real flows.json files are a few MB. */
const MAX_EXPORT_BYTES = 32 * 1024 * 1024;

const problemOf = (n: ImportNote) => ({
  ...(n.nodeId ? { node: n.nodeId } : {}),
  ...(n.nodeType ? { type: n.nodeType } : {}),
  ...(n.nodeName ? { name: n.nodeName } : {}),
  severity: n.severity,
  message: n.message,
});

/** `fieldgraph nodered`: Node-RED flow exports in. */
export const noderedCommand: Command = {
  name: 'nodered',
  summary: 'Import a Node-RED flow export into a project',
  usage: `Usage: fieldgraph nodered import FILE --project DIR [--json]

  import   reads a Node-RED export (Menu → Export, or a flows.json) and writes one flow per tab
           into DIR/flows/. Nodes that do the same as a Fieldgraph node are converted; the others
           become placeholders that keep their settings and wires (a flow with one cannot be
           deployed until it is rebuilt). Link nodes become direct wires, subflow instances
           copies of the subflow. Home Assistant nodes on one switch, light, fan, cover, lock
           or valve entity become roles, added to fieldgraph.json (as do binary sensors,
           sensors, trackers and notify services, on generic capabilities). A role the project
           has already keeps its capability when it offers what the nodes need (a dimmer for
           a switch); otherwise it is reported.
  --json   print {"nodes","converted","placeholders","wires","wires_kept","problems":[…]}

Exit code 0 when the flows were written, 1 when the file is not a Node-RED export or the
project cannot take them, 2 on usage mistakes.`,
  async run(argv) {
    const [action, ...rest] = argv;
    if (action !== 'import')
      throw new UsageError(action ? `Unknown nodered action "${action}".` : 'Say what to do: import.');
    const { values, positionals } = parseArgs({
      args: rest,
      options: { project: { type: 'string' }, json: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError('Give one Node-RED export file.');
    if (!values.project)
      throw new UsageError('Give the project folder to write the flows into: --project DIR.');
    const project = resolve(values.project);
    if (!existsSync(join(project, 'fieldgraph.json'))) {
      console.error(
        `${project} is not a Fieldgraph project folder (no fieldgraph.json). Give the project folder.`,
      );
      return 1;
    }
    const projectFile = join(project, 'fieldgraph.json');
    let doc: Record<string, unknown>;
    try {
      const parsed = JSON.parse(await readFile(projectFile, 'utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('not a JSON object');
      doc = parsed as Record<string, unknown>;
    } catch (error) {
      console.error(
        `${projectFile}: cannot be read (${(error as Error).message}). Fix it with fieldgraph validate first.`,
      );
      return 1;
    }
    const path = resolve(positionals[0]!);
    let text: string;
    try {
      const info = await stat(path);
      if (info.size > MAX_EXPORT_BYTES) {
        console.error(
          `${path}: is ${(info.size / 1048576).toFixed(1)} MB; a Node-RED export is at most 32 MB here.`,
        );
        return 1;
      }
      text = await readFile(path, 'utf8');
    } catch (error) {
      console.error(`${path}: cannot be read: ${(error as Error).message}`);
      return 1;
    }
    let result: ReturnType<typeof importNodeRed>;
    try {
      result = importNodeRed(text);
    } catch (error) {
      if (!(error instanceof NodeRedImportError)) throw error;
      console.error(`${path}: ${error.message}`);
      return 1;
    }
    const dir = join(project, 'flows');
    const taken = new Set(
      existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => f.endsWith('.json'))
            .map((f) => f.slice(0, -5))
        : [],
    );
    await mkdir(dir, { recursive: true });
    const written: string[] = [];
    for (const { flow, groups } of result.flows) {
      let id = flow.id;
      for (let i = 2; taken.has(id); i++) id = `${flow.id.slice(0, 58)}-${i}`;
      taken.add(id);
      const groupOf = new Map(groups.flatMap((g) => g.nodes.map((n) => [n, g.id] as const)));
      const doc: Flow = {
        ...flow,
        id,
        nodes: flow.nodes.map((n) => (groupOf.has(n.id) ? { ...n, group: groupOf.get(n.id)! } : n)),
        ...(groups.length ? { groups: groups.map((g) => ({ id: g.id, label: g.label })) } : {}),
      };
      const file = join(dir, `${id}.json`);
      // Project files: sorted keys and atomic writes, like every other file in the project folder.
      await writeFileDurable(file, stableStringify(doc));
      written.push(file);
    }
    // Roles the converted nodes talk to (Home Assistant entities) join the design; a role of the
    // same name keeps its capability when that offers what the nodes need (a dimmer is a switch),
    // else it is left as it is and reported.
    const roleProblems: ReturnType<typeof problemOf>[] = [];
    const added: string[] = [];
    if (result.roles.length) {
      const roles = Array.isArray(doc.roles) ? (doc.roles as { id?: unknown; capability?: unknown }[]) : [];
      for (const need of result.roles) {
        const have = roles.find((r) => r.id === need.id);
        if (!have) {
          roles.push({
            id: need.id,
            title: need.title,
            capability: need.capability,
          } as (typeof roles)[number]);
          added.push(`${need.id} (${need.capability})`);
        } else if (!covers(String(have.capability), need.capability))
          roleProblems.push({
            severity: 'unsupported',
            message: `The project's role “${need.id}” is a ${String(have.capability)}; the imported nodes need a ${need.capability}. Change one of them.`,
          });
      }
      if (added.length) await writeFileDurable(projectFile, stableStringify({ ...doc, roles }));
    }
    const summary = {
      nodes: result.total,
      converted: result.converted,
      placeholders: result.placeholders,
      wires: result.wires,
      wires_kept: result.wiresKept,
      problems: [...result.notes.map(problemOf), ...roleProblems],
    };
    if (values.json) {
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      return 0;
    }
    for (const file of written) console.error(`Wrote ${file}.`);
    if (added.length) console.error(`Added roles to fieldgraph.json: ${added.join(', ')}.`);
    console.log(
      `${result.converted} of ${result.total} nodes converted, ${result.placeholders} kept as placeholders; ${result.wiresKept} of ${result.wires} wires kept.`,
    );
    for (const p of summary.problems)
      console.log(
        `${p.severity}: ${[p.type, p.name ? `“${p.name}”` : '', p.node].filter(Boolean).join(' ')}: ${p.message}`,
      );
    if (result.placeholders)
      console.log(
        'Rebuild each placeholder with Fieldgraph nodes and delete it; until then its flow cannot be deployed.',
      );
    return 0;
  },
};
