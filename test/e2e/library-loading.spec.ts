/**
 * The window gets the library through the API (library.documents), not from its bundle: while
 * that answer is held back the Flows view says it is loading and checks nothing; once it
 * arrives, a project's own capability is known to the editor from the first frame it shows.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocketRoute } from '@playwright/test';
import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';
import { ProjectUi } from './pages/project';

/** The demo sample with a doorbell capability of its own, a role of it and a flow using it. */
const doorbellProject = (folder: string) => {
  cpSync('resources/samples/demo-site', folder, { recursive: true });
  writeFileSync(
    join(folder, 'models', 'doorbell@1.json'),
    JSON.stringify({
      schemaVersion: 1,
      id: 'doorbell@1',
      title: 'Doorbell',
      events: { rung: { title: 'Rung' } },
    }),
  );
  const meta = JSON.parse(readFileSync(join(folder, 'fieldgraph.json'), 'utf8')) as { roles: unknown[] };
  meta.roles.push({ id: 'front-door', capability: 'doorbell@1', title: 'Front door' });
  writeFileSync(join(folder, 'fieldgraph.json'), JSON.stringify(meta, null, 2));
  writeFileSync(
    join(folder, 'flows', 'doorbell.json'),
    JSON.stringify({
      schemaVersion: 1,
      id: 'doorbell',
      name: 'Doorbell',
      nodes: [
        {
          id: 'rung',
          kind: 'trigger.device-event',
          config: { role: 'front-door', event: 'rung' },
          position: { x: 0, y: 0 },
        },
        { id: 'pause', kind: 'logic.delay', config: { seconds: 1 }, position: { x: 300, y: 0 } },
      ],
      edges: [{ id: 'rung-pause', from: { node: 'rung', port: 'out' }, to: { node: 'pause', port: 'in' } }],
      roles: ['front-door'],
      runMode: { mode: 'single', max: 1 },
    }),
  );
};

test('the Flows view waits for the library from the API, then knows a project’s own capability', async ({
  context,
  webApp,
}) => {
  const work = mkdtempSync(join(tmpdir(), 'fg-e2e-library-'));
  try {
    // Between the page and the real server, hold back the answers to library.documents.
    const held: (() => void)[] = [];
    let holding = true;
    let asked = 0;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.routeWebSocket(/\/api(\?|$)/, (ws: WebSocketRoute) => {
      const server = ws.connectToServer();
      const libraryCalls = new Set<number>();
      ws.onMessage((message) => {
        const call = JSON.parse(String(message)) as { id?: number; method?: string };
        if (call.method === 'library.documents' && typeof call.id === 'number') {
          libraryCalls.add(call.id);
          asked++;
        }
        server.send(message);
      });
      server.onMessage((message) => {
        const reply = JSON.parse(String(message)) as { t?: string; id?: number };
        if (holding && reply.t === 'result' && libraryCalls.has(reply.id!)) held.push(() => ws.send(message));
        else ws.send(message);
      });
    });
    await page.goto(webApp.url);
    await page.waitForSelector('nav[aria-label="Main"]');
    const canvas = new CanvasPage(page);
    await page.locator('nav[aria-label="Main"] [data-view="flows"]').click();
    await expect(canvas.view).toBeVisible();
    await expect.poll(() => asked).toBeGreaterThan(0);
    await expect(page.getByTestId('library-loading')).toHaveText('Loading the device library…');
    await expect(canvas.canvas).toHaveCount(0);
    await expect(page.getByTestId('problem-count')).toHaveText('not checked yet');
    await screenshot(page, 'library-loading');

    holding = false;
    for (const release of held.splice(0)) release();
    await expect(page.getByTestId('library-loading')).toHaveCount(0);
    await expect(canvas.canvas.locator('.svelte-flow')).toBeVisible();

    // A project whose doorbell capability exists only in its models/: no unknown role, ever.
    const folder = join(work, 'doorbell');
    doorbellProject(folder);
    const seen: string[] = [];
    await page.exposeFunction('recordProblems', (text: string) => seen.push(text));
    await page.evaluate(() => {
      const record = () => {
        const panel = document.querySelector('[data-testid="problems-panel"]');
        if (panel)
          (window as unknown as { recordProblems(t: string): void }).recordProblems(panel.textContent ?? '');
      };
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    await page.locator('nav[aria-label="Main"] [data-view="home"]').click();
    const project = new ProjectUi(page);
    await project.openByPath(folder);
    await expect(project.name).toHaveText('Demo site');
    await canvas.open();
    await expect(page.getByRole('tab', { name: 'Doorbell' })).toHaveAttribute('aria-selected', 'true');
    await expect(canvas.nodes).toHaveCount(2);
    await expect(canvas.edges).toHaveCount(1);
    // The palette and the Roles tab name the role by the project's capability.
    await expect(page.getByTestId('palette').locator('[data-role="front-door"]')).toContainText('Doorbell');
    const roles = await canvas.openRoles();
    await expect(roles.locator('[data-role="front-door"]')).toContainText('Doorbell');
    await screenshot(page, 'library-project-capability');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((text) => /front-door|doorbell@1/i.test(text))).toEqual([]);
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
