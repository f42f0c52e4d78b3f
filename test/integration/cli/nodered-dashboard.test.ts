/**
 * `fieldgraph nodered import` of a real Dashboard 2 flow (test/fixtures/field/nodered/seen, see
 * SOURCES.md) writes panel nodes that `fieldgraph validate` accepts: no panel problem, no edge to
 * a missing node or port; only its templates stay placeholders.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/fieldgraph.js', ...args], { encoding: 'utf8', timeout: 60_000 });
const work = mkdtempSync(join(tmpdir(), 'fg-nodered-dashboard-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Node {
  id: string;
  kind: string;
  config: Record<string, unknown>;
}

describe('fieldgraph nodered import of a dashboard flow', () => {
  it('gives Panel control and Show on panel nodes that validate, every wire kept', () => {
    const project = join(work, 'home');
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 'fieldgraph.json'),
      JSON.stringify({ schemaVersion: 1, id: 'home', name: 'home' }),
    );
    const file =
      'test/fixtures/field/nodered/seen/DigitalHome-cloud+digitalhome-edge-nodered-flows/flows.json';
    const r = cli('nodered', 'import', file, '--project', project, '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      nodes: number;
      placeholders: number;
      wires: number;
      wires_kept: number;
      problems: { type?: string; severity: string; message: string }[];
    };
    expect(out.wires_kept).toBe(out.wires);
    // Its only dashboard placeholder is the ui-template (its own HTML and script).
    const dashboardPlaceholders = out.problems.filter(
      (p) => p.severity === 'placeholder' && /^ui-/.test(p.type ?? ''),
    );
    expect(dashboardPlaceholders.map((p) => p.type)).toEqual(['ui-template']);

    const flows = readdirSync(join(project, 'flows')).map(
      (f) =>
        JSON.parse(readFileSync(join(project, 'flows', f), 'utf8')) as {
          nodes: Node[];
          edges: { from: { node: string }; to: { node: string } }[];
        },
    );
    const nodes = flows.flatMap((f) => f.nodes);
    const controls = nodes.filter((n) => n.kind === 'trigger.panel');
    const shows = nodes.filter((n) => n.kind === 'action.panel-show');
    expect(controls.map((n) => n.config.control).sort()).toEqual([
      ...Array<string>(6).fill('button'),
      ...Array<string>(6).fill('switch'),
    ]);
    expect(shows.map((n) => n.config.display).sort()).toEqual(['notice', 'text']);
    expect(new Set(controls.map((n) => n.config.widget)).size).toBe(controls.length);
    // The switches fed the lights' flows: each control's wire out is an edge.
    for (const c of controls) expect(flows.some((f) => f.edges.some((e) => e.from.node === c.id))).toBe(true);

    const v = cli('validate', project, '--json');
    const problems = (
      JSON.parse(v.stdout) as { problems: { code: string; severity: string; message: string }[] }
    ).problems;
    const wrong = problems.filter(
      (p) =>
        /panel|invalid_config|missing_config|unknown_port|unknown_node|unknown_kind|invalid_document/.test(
          p.code,
        ) && !(p.code === 'flow.panel_without_token' && p.severity === 'warning'),
    );
    expect(wrong).toEqual([]);
  });
});
