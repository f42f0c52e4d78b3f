import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateFlow } from '../../../shared/core/flow/validate';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/fieldgraph.js', ...args], { encoding: 'utf8', timeout: 60_000 });
const work = mkdtempSync(join(tmpdir(), 'fg-nodered-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const newProject = (name: string) => {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fieldgraph.json'), JSON.stringify({ schemaVersion: 1, id: name, name }));
  return dir;
};

describe('fieldgraph nodered import', () => {
  it('writes a real flows.json into the project and prints the counts and problems as JSON', () => {
    const project = newProject('hue');
    // A real export: link nodes across tabs, function nodes, change/switch/delay (see SOURCES.md).
    const file =
      'test/fixtures/field/nodered/seen/andesse+HUE-CLIP-API.Node-RED-Flows/flows/motion_sensor_update.json';
    const r = cli('nodered', 'import', file, '--project', project, '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      nodes: number;
      converted: number;
      placeholders: number;
      wires: number;
      wires_kept: number;
      problems: { node?: string; type?: string; severity: string; message: string }[];
    };
    expect(Object.keys(out)).toEqual([
      'nodes',
      'converted',
      'placeholders',
      'wires',
      'wires_kept',
      'problems',
    ]);
    const expected = (
      JSON.parse(readFileSync('test/fixtures/field/nodered/expected.json', 'utf8')) as {
        file: string;
        nodes: number;
        subflowInstances: number;
        wires: number;
      }[]
    ).find((e) => file.endsWith(e.file))!;
    expect(out.nodes).toBe(expected.nodes + expected.subflowInstances);
    expect(out.wires).toBe(expected.wires);
    expect(out.wires_kept).toBe(out.wires);
    expect(out.converted + out.placeholders).toBe(out.nodes);
    expect(out.problems.filter((p) => p.severity === 'placeholder')).toHaveLength(out.placeholders);
    const files = readdirSync(join(project, 'flows'));
    expect(files.length).toBeGreaterThan(0);
    let edges = 0;
    let blocked = 0;
    for (const f of files) {
      const flow = JSON.parse(readFileSync(join(project, 'flows', f), 'utf8')) as { edges: unknown[] };
      edges += flow.edges.length;
      const broken = validateFlow(flow, []).filter((p) =>
        ['flow.unknown_port', 'flow.unknown_node', 'flow.invalid_document'].includes(p.code),
      );
      expect(broken).toEqual([]);
      blocked += validateFlow(flow, []).filter((p) => p.code === 'flow.unconverted_node').length;
    }
    // Each placeholder is a validation error that blocks the deploy.
    expect(blocked).toBe(out.placeholders);
    expect(edges).toBeGreaterThanOrEqual(out.wires_kept - 5);
    // Importing again keeps the first flows and writes new ids beside them.
    expect(cli('nodered', 'import', file, '--project', project).status).toBe(0);
    expect(readdirSync(join(project, 'flows'))).toHaveLength(files.length * 2);
  });

  it('explains a file that is not an export, and a folder that is not a project', () => {
    const project = newProject('empty');
    const notJson = join(work, 'x.json');
    writeFileSync(notJson, '{"flows": 3}');
    const r = cli('nodered', 'import', notJson, '--project', project);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/JSON list of nodes/);
    const r2 = cli('nodered', 'import', notJson, '--project', work);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(/not a Fieldgraph project folder/);
    expect(cli('nodered', 'import', notJson).status).toBe(2);
    expect(existsSync(join(project, 'flows'))).toBe(false);
  });
  it('adds the roles Home Assistant nodes became to fieldgraph.json, keeping a role it already has', () => {
    // light_garden is a dimmer, which has a switch's `on`: no conflict. cover_door is a switch,
    // which cannot close: a conflict, reported and left as it is.
    const project = newProject('ha');
    const projectFile = join(project, 'fieldgraph.json');
    writeFileSync(
      projectFile,
      JSON.stringify({
        schemaVersion: 1,
        id: 'ha',
        name: 'ha',
        roles: [
          { id: 'light_garden', capability: 'dimmer@1' },
          { id: 'cover_door', capability: 'switch@1' },
        ],
      }),
    );
    const file = join(work, 'ha.json');
    writeFileSync(
      file,
      JSON.stringify([
        { id: 'tab', type: 'tab', label: 'Porch' },
        {
          id: 'a',
          type: 'server-state-changed',
          z: 'tab',
          entityidfilter: 'switch.porch',
          entityidfiltertype: 'exact',
          wires: [['b', 'c']],
        },
        {
          id: 'b',
          type: 'api-call-service',
          z: 'tab',
          service_domain: 'homeassistant',
          service: 'toggle',
          entityId: 'light.garden',
          wires: [[]],
        },
        {
          id: 'c',
          type: 'api-call-service',
          z: 'tab',
          domain: 'cover',
          service: 'close_cover',
          entityId: 'cover.door',
          wires: [[]],
        },
      ]),
    );
    const r = cli('nodered', 'import', file, '--project', project, '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { converted: number; problems: { message: string }[] };
    expect(out.converted).toBe(3);
    const roleProblems = out.problems.filter((p) => /The project's role/.test(p.message));
    expect(roleProblems.map((p) => p.message)).toEqual([
      "The project's role “cover_door” is a switch@1; the imported nodes need a cover@1. Change one of them.",
    ]);
    const doc = JSON.parse(readFileSync(projectFile, 'utf8')) as { name: string; roles: unknown[] };
    expect(doc.name).toBe('ha');
    expect(doc.roles).toEqual([
      { id: 'light_garden', capability: 'dimmer@1' },
      { id: 'cover_door', capability: 'switch@1' },
      { id: 'switch_porch', title: 'switch.porch', capability: 'switch@1' },
    ]);
    const [flowFile] = readdirSync(join(project, 'flows'));
    const flow = JSON.parse(readFileSync(join(project, 'flows', flowFile!), 'utf8')) as { roles: string[] };
    expect(flow.roles).toEqual(['cover_door', 'light_garden', 'switch_porch']);
  });
});
