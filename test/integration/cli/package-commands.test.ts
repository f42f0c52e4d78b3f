/** `fieldgraph keys / pack / verify / deploy`, run as a user would (the built CLI, real files, a real broker). */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPublicKey } from '../../../shared/node/keys/files';
import { appVersion } from '../../../shared/node/paths';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';
import { startTestGateway, type TestGateway } from '../deploy/harness';
import { flow } from '../gateway/fixtures';

// The whole CLI bundled on its own (not dist/, which other builds replace while tests run).
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const bundle = join(repo, 'node_modules', '.cache', 'fieldgraph-test', 'cli-package.mjs');

const cli = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bundle, ...args], { cwd: repo, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });

let dir: string;
let project: string;
let broker: Mosquitto;
const gateways: TestGateway[] = [];
// Inside the test packages' validity: SOURCE_DATE_EPOCH makes packing reproducible.
const EPOCH = String(Math.floor(Date.now() / 1000));

beforeAll(async () => {
  await build({
    entryPoints: [join(repo, 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: bundle,
    logLevel: 'warning',
  });
  dir = mkdtempSync(join(tmpdir(), 'fg-cli-pkg-'));
  project = join(dir, 'project');
  for (const sub of ['flows', 'models', 'sites']) mkdirSync(join(project, sub), { recursive: true });
  writeFileSync(
    join(project, 'fieldgraph.json'),
    JSON.stringify({ schemaVersion: 1, id: 'plant', name: 'Plant' }),
  );
  // A project `validate` accepts: pack refuses one with error-level problems.
  writeFileSync(
    join(project, 'flows', 'lights.json'),
    JSON.stringify(flow('lights', [['t', 'trigger.gateway-started']], [])),
  );
  for (const site of ['north', 'south'])
    writeFileSync(
      join(project, 'sites', `${site}.json`),
      JSON.stringify({ id: site, name: site, rooms: [], devices: [], bindings: [], gateways: [] }),
    );
  broker = await startMosquitto();
});

afterAll(async () => {
  for (const g of gateways) await g.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('package commands', () => {
  it('keys generate writes a 0600 secret key and a public key, and never overwrites them', async () => {
    const r = await cli(['keys', 'generate', '--out', join(dir, 'keys')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Fingerprint: [0-9a-f]{4}(:[0-9a-f]{4}){7}/);
    expect(statSync(join(dir, 'keys', 'signing.key')).mode & 0o777).toBe(0o600);
    const again = await cli(['keys', 'generate', '--out', join(dir, 'keys')]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already exists');
    const fp = await cli(['keys', 'fingerprint', join(dir, 'keys', 'signing.pub')]);
    expect(r.stdout).toContain(fp.stdout.trim());
    const rotate = await cli([
      'keys',
      'rotate',
      '--key',
      join(dir, 'keys', 'signing.key'),
      '--out',
      join(dir, 'rotated'),
    ]);
    expect(rotate.status, rotate.stderr).toBe(0);
    const rotation = JSON.parse(readFileSync(join(dir, 'rotated', 'rotation.json'), 'utf8')) as {
      from: string;
      to: string;
    };
    expect(rotation.from).toBe(readFileSync(join(dir, 'keys', 'signing.pub'), 'utf8').trim());
    expect(rotation.to).toBe(readFileSync(join(dir, 'rotated', 'signing.pub'), 'utf8').trim());
  });

  it('pack is reproducible, verify accepts it with the right key and refuses it with a code otherwise', async () => {
    const pack = (out: string) =>
      cli(
        [
          'pack',
          project,
          '--site',
          'north',
          '--key',
          join(dir, 'keys', 'signing.key'),
          '--gateway',
          'gw-cli',
          '--out',
          out,
        ],
        {
          SOURCE_DATE_EPOCH: EPOCH,
        },
      );
    const a = await pack(join(dir, 'a.fgpkg'));
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toContain('for gateway gw-cli');
    await pack(join(dir, 'b.fgpkg'));
    expect(Buffer.compare(readFileSync(join(dir, 'a.fgpkg')), readFileSync(join(dir, 'b.fgpkg')))).toBe(0);

    const ok = await cli([
      'verify',
      join(dir, 'a.fgpkg'),
      '--trust',
      join(dir, 'keys', 'signing.pub'),
      '--json',
    ]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      packageId: 'plant-north',
      version: Number(EPOCH),
      files: 4,
    });

    await cli(['keys', 'generate', '--out', join(dir, 'other')]);
    const bad = await cli([
      'verify',
      join(dir, 'a.fgpkg'),
      '--trust',
      join(dir, 'other', 'signing.pub'),
      '--json',
    ]);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, code: 'package.untrusted_key' });

    const wrongGateway = await cli([
      'verify',
      join(dir, 'a.fgpkg'),
      '--trust',
      join(dir, 'keys', 'signing.pub'),
      '--gateway',
      'gw-other',
      '--json',
    ]);
    expect(JSON.parse(wrongGateway.stdout)).toMatchObject({ ok: false, code: 'package.wrong_target' });

    const noSite = await cli(['pack', project, '--site', 'west', '--key', join(dir, 'keys', 'signing.key')]);
    expect(noSite.status).toBe(1);
    expect(noSite.stderr).toContain('Sites: north, south');
    const usage = await cli(['verify', join(dir, 'a.fgpkg')]);
    expect(usage.status).toBe(2);
  });

  it('pack refuses impossible targets and ranges, and a project with errors unless forced', async () => {
    const key = join(dir, 'keys', 'signing.key');
    const base = ['pack', project, '--site', 'north', '--key', key, '--out', join(dir, 'refused.fgpkg')];
    for (const [flag, value, says] of [
      ['--engine', '*', /"\*" is not a comparator/],
      ['--engine', '>=2.0.0 <1.0.0', /no engine version satisfies/],
      ['--engine', '>1.0.0 <1.0.1', /no engine version satisfies/],
      ['--gateway', '../x', /--gateway must be a gateway or group id/],
      ['--group', 'a/b', /--group must be a gateway or group id/],
    ] as const) {
      const r = await cli([...base, flag, value]);
      expect(r.status, `${flag} ${value}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(says);
    }
    expect(existsSync(join(dir, 'refused.fgpkg'))).toBe(false);

    const broken = join(dir, 'broken-project');
    cpSync(project, broken, { recursive: true });
    writeFileSync(join(broken, 'sites', 'north.json'), JSON.stringify({ id: 'north', devices: [] }));
    const refused = await cli([
      'pack',
      broken,
      '--site',
      'north',
      '--key',
      key,
      '--out',
      join(dir, 'broken.fgpkg'),
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/sites\/north\.json.*rooms/);
    expect(refused.stderr).toMatch(/nothing was packed.*--force/);
    expect(existsSync(join(dir, 'broken.fgpkg'))).toBe(false);
    const forced = await cli([
      'pack',
      broken,
      '--site',
      'north',
      '--key',
      key,
      '--out',
      join(dir, 'broken.fgpkg'),
      '--force',
    ]);
    expect(forced.status, forced.stderr).toBe(0);
    expect(existsSync(join(dir, 'broken.fgpkg'))).toBe(true);
  });

  it('deploy delivers to a USB folder and to a gateway over MQTT and HTTP', async () => {
    const usb = await cli(['deploy', join(dir, 'a.fgpkg'), '--usb', join(dir, 'stick'), '--json']);
    expect(usb.status, usb.stderr).toBe(0);
    expect(JSON.parse(usb.stdout)).toMatchObject({
      ok: true,
      location: join(dir, 'stick', `plant-north-v${EPOCH}.fgpkg`),
    });
    expect(readFileSync(join(dir, 'stick', 'README.txt'), 'utf8')).toContain('gateway gw-cli');

    const trusted = readPublicKey(join(dir, 'keys', 'signing.pub'));
    const gw = await startTestGateway({
      id: 'gw-cli',
      brokerUrl: broker.url,
      http: { token: 'tok' },
      trusted,
      now: Date.now,
      engineVersion: appVersion,
    });
    gateways.push(gw);
    const mqtt = await cli([
      'deploy',
      join(dir, 'a.fgpkg'),
      '--mqtt',
      broker.url,
      '--gateway',
      'gw-cli',
      '--timeout',
      '20',
    ]);
    expect(mqtt.status, mqtt.stderr).toBe(0);
    expect(mqtt.stderr).toContain('[gw-cli] committed');
    expect(mqtt.stdout).toContain(`gw-cli: ok (committed), running version ${EPOCH}`);
    expect(gw.installer.state().committed).toBe(Number(EPOCH));

    // Same package again over HTTP: already installed. A wrong token is refused.
    const again = await cli(
      ['deploy', join(dir, 'a.fgpkg'), '--http', `http://127.0.0.1:${gw.http!.port}`, '--json'],
      { FIELDGRAPH_DEPLOY_TOKEN: 'tok' },
    );
    expect(again.status, again.stderr + again.stdout).toBe(0);
    expect(JSON.parse(again.stdout).gateways[0]).toMatchObject({ ok: true, step: 'unchanged' });
    const denied = await cli([
      'deploy',
      join(dir, 'a.fgpkg'),
      '--http',
      `http://127.0.0.1:${gw.http!.port}`,
      '--token',
      'nope',
      '--json',
    ]);
    expect(denied.status).toBe(1);
    expect(JSON.parse(denied.stdout)).toMatchObject({ ok: false, code: 'deploy.upload_failed' });
  });
});
