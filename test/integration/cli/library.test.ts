import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTD } from '@node-wot/td-tools';
import { afterAll, describe, expect, it } from 'vitest';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/fieldgraph.js', ...args], { encoding: 'utf8', timeout: 30_000 });
const work = mkdtempSync(join(tmpdir(), 'fg-library-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('fieldgraph library', () => {
  it('lists capabilities and device models as JSON', () => {
    const r = cli('library', 'list', '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      capabilities: { id: string }[];
      deviceModels: { id: string; capabilities: string[] }[];
    };
    expect(out.capabilities.length).toBeGreaterThanOrEqual(20);
    expect(out.capabilities.map((c) => c.id)).toContain('switch@1');
    expect(out.deviceModels.find((m) => m.id === 'shelly-plus-1pm')?.capabilities).toContain('power-meter@1');
  });

  it('lists them as text, and refuses an unknown action with exit code 2', () => {
    const r = cli('library', 'list');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {2}dimmer@1\s+Dimmer \(extends switch@1\)$/m);
    expect(cli('library', 'frob').status).toBe(2);
  });

  it('reports a broken project model with its file and path, and still lists the rest', () => {
    const project = join(work, 'broken');
    mkdirSync(join(project, 'models'), { recursive: true });
    writeFileSync(join(project, 'models', 'bad.json'), '{"id": "bad", "title": 1');
    writeFileSync(
      join(project, 'models', 'my-relay.json'),
      JSON.stringify({
        id: 'my-relay',
        title: 'My relay',
        protocols: ['mqtt'],
        implements: { s: { capability: 'swich@1' } },
      }),
    );
    const r = cli('library', 'list', '--project', project);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^models\/bad\.json: is not valid JSON/m);
    expect(r.stderr).toContain(
      'models/my-relay.json: implements.s.capability: "swich@1" is not a capability',
    );
    expect(r.stdout).toContain('tasmota-relay');
  });
});

describe('fieldgraph td', () => {
  it('exports a device model as a TD node-wot parses, with instance values filled in', () => {
    const file = join(work, 'relay.td.json');
    const r = cli(
      'td',
      'export',
      'tasmota-relay',
      '--var',
      'topic=kitchen_relay',
      '--broker',
      'mqtt://127.0.0.1:1883',
      '--out',
      file,
    );
    expect(r.status, r.stderr).toBe(0);
    const thing = parseTD(readFileSync(file, 'utf8'));
    expect(JSON.stringify(thing.properties)).toContain('cmnd/kitchen_relay/POWER');
    expect(cli('td', 'export', 'no-such-model').status).toBe(1);
    expect(cli('td', 'export').status).toBe(2);
  });

  it('imports a TD into a project folder once, and refuses to overwrite', () => {
    const td = join(work, 'lamp.td.json');
    writeFileSync(
      td,
      JSON.stringify({
        '@context': 'https://www.w3.org/2022/wot/td/v1.1',
        title: 'Desk Lamp',
        securityDefinitions: { n: { scheme: 'nosec' } },
        security: 'n',
        properties: {
          on: {
            type: 'boolean',
            forms: [
              { href: 'mqtt://127.0.0.1:1883', op: 'writeproperty', 'mqv:topic': 'desk/lamp/set' },
              { href: 'mqtt://127.0.0.1:1883', op: 'observeproperty', 'mqv:filter': 'desk/lamp' },
            ],
          },
        },
      }),
    );
    const project = join(work, 'project');
    const r = cli('td', 'import', td, '--project', project);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(project, 'models', 'desk-lamp.json'))).toBe(true);
    const cap = JSON.parse(readFileSync(join(project, 'models', 'desk-lamp@1.json'), 'utf8')) as {
      id: string;
    };
    expect(cap.id).toBe('desk-lamp@1');
    const again = cli('td', 'import', td, '--project', project);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already exists');
    const listed = JSON.parse(cli('library', 'list', '--json', '--project', project).stdout) as {
      deviceModels: { id: string; source: string }[];
    };
    expect(listed.deviceModels).toContainEqual(
      expect.objectContaining({ id: 'desk-lamp', source: 'project' }),
    );
  });

  it('explains input that is not a TD', () => {
    const notJson = join(work, 'x.json');
    writeFileSync(notJson, '{ nope');
    expect(cli('td', 'import', notJson).stderr).toContain('cannot be read as JSON');
    writeFileSync(notJson, '{"title":"x"}');
    const r = cli('td', 'import', notJson);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/@context: this is not a Thing Description/);
  });
});
