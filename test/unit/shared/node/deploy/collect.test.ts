import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectSiteFiles } from '../../../../../shared/node/deploy/collect';

const dir = mkdtempSync(join(tmpdir(), 'fg-collect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('collecting a site for a package', () => {
  it('refuses a flow that still holds a Node-RED placeholder, naming it and the fix', async () => {
    mkdirSync(join(dir, 'flows'), { recursive: true });
    mkdirSync(join(dir, 'sites'), { recursive: true });
    writeFileSync(join(dir, 'fieldgraph.json'), JSON.stringify({ schemaVersion: 1, id: 'p', name: 'p' }));
    writeFileSync(
      join(dir, 'sites', 'home.json'),
      JSON.stringify({ schemaVersion: 1, id: 'home', name: 'Home', devices: [], bindings: [] }),
    );
    const broken = JSON.parse(readFileSync('test/fixtures/flows/broken/unconverted-node.json', 'utf8')) as {
      flow: unknown;
    };
    writeFileSync(join(dir, 'flows', 'unconverted-node.json'), JSON.stringify(broken.flow));
    await expect(collectSiteFiles(dir, 'home')).rejects.toThrow(
      /flows\/unconverted-node\.json still has 1 Node-RED node that did not convert \(Node-RED “function” node “scale” was not converted\..*Rebuild it with Fieldgraph nodes/,
    );
    // Without the placeholder the same project packs.
    const flow = broken.flow as { nodes: { kind: string }[]; edges: unknown[] };
    flow.nodes = flow.nodes.filter((n) => n.kind !== 'nodered.unconverted');
    flow.edges = [];
    writeFileSync(join(dir, 'flows', 'unconverted-node.json'), JSON.stringify(flow));
    expect(Object.keys((await collectSiteFiles(dir, 'home')).files)).toContain('flows/unconverted-node.json');
  });
});
