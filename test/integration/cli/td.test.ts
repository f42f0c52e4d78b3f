/** `fieldgraph td import` from a file with --base, and from a URL of a real local HTTP server. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, ['bin/fieldgraph.js', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => done({ status, stdout, stderr }));
  });

const work = mkdtempSync(join(tmpdir(), 'fg-td-cli-'));
const newProject = (name: string) => {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fieldgraph.json'), JSON.stringify({ schemaVersion: 1, id: name, name }));
  return dir;
};

// A Thing as a device serves it: relative hrefs, no base; a Thing Model extending another by URL.
const thing = {
  '@context': 'https://www.w3.org/2022/wot/td/v1.1',
  title: 'Plug 7',
  securityDefinitions: { n: { scheme: 'nosec' } },
  security: 'n',
  properties: {
    power: {
      type: 'number',
      readOnly: true,
      observable: true,
      forms: [
        { href: 'properties/power' },
        { href: 'properties/power/observe', op: 'observeproperty', subprotocol: 'sse' },
      ],
    },
  },
  actions: { toggle: { forms: [{ href: 'actions/toggle' }] } },
  events: { overload: { forms: [{ href: 'events/overload', subprotocol: 'webhook' }] } },
};
const models: Record<string, unknown> = {
  '/models/plug.tm.json': {
    '@context': 'https://www.w3.org/2022/wot/td/v1.1',
    '@type': 'tm:ThingModel',
    title: 'Metered plug',
    links: [{ rel: 'tm:extends', href: 'base.tm.json' }],
    properties: { energy: { type: 'number', forms: [{ href: 'http://{{HOST}}/energy' }] } },
  },
  '/models/base.tm.json': {
    '@context': 'https://www.w3.org/2022/wot/td/v1.1',
    '@type': 'tm:ThingModel',
    title: 'Plug',
    properties: { on: { type: 'boolean', forms: [{ href: 'http://{{HOST}}/on' }] } },
  },
};
let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const body = req.url === '/things/plug7' ? thing : models[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/td+json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

describe('fieldgraph td import', () => {
  it('imports a TD from its URL: relative hrefs resolve against it, and the report names what was skipped and why', async () => {
    const project = newProject('plugs');
    const r = await cli('td', 'import', `${origin}/things/plug7`, '--project', project);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /Imported .* as device model "plug-7" with capability plug-7@1: 2 affordances bound, 1 not\./,
    );
    expect(r.stdout).toMatch(/^ {2}imported properties\/power$/m);
    expect(r.stdout).toMatch(/^ {2}skipped {2}events\/overload: it is a webhook/m);
    const model = JSON.parse(readFileSync(join(project, 'models', 'plug-7.json'), 'utf8')) as {
      implements: {
        main: { properties: { power: { read: { url: string }; observe: { url: string; mode: string }[] } } };
      };
    };
    expect(model.implements.main.properties.power.read.url).toBe(`${origin}/things/properties/power`);
    expect(model.implements.main.properties.power.observe).toEqual([
      expect.objectContaining({
        kind: 'http',
        mode: 'sse',
        url: `${origin}/things/properties/power/observe`,
      }),
    ]);
  });

  it('follows tm:extends to a model beside it on the server; its placeholders become settings', async () => {
    const r = await cli('td', 'import', `${origin}/models/plug.tm.json`, '--project', newProject('tm'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/imported properties\/on/);
    expect(r.stdout).toMatch(/imported properties\/energy/);
    expect(r.stdout).toMatch(/settings each device of it needs: HOST/);
  });

  it('uses --base for a file without one, and says how to fix a relative href without it', async () => {
    const file = join(work, 'plug.td.json');
    writeFileSync(file, JSON.stringify(thing));
    const without = await cli('td', 'import', file, '--project', newProject('nobase'));
    expect(without.status).toBe(0);
    expect(without.stdout).toMatch(
      /skipped {2}properties\/power: its href “properties\/power” is relative and the TD has no base; import it from its URL or give --base URL/,
    );
    const withBase = await cli(
      'td',
      'import',
      file,
      '--base',
      'http://192.168.1.40/',
      '--project',
      newProject('base'),
    );
    expect(withBase.status, withBase.stderr).toBe(0);
    expect(withBase.stdout).toMatch(/2 affordances bound, 1 not/);
    expect((await cli('td', 'import', file, '--base', 'nope')).status).toBe(2);
    const missing = await cli('td', 'import', `${origin}/nothing`);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/HTTP 404/);
  });
});
