import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, screenshot, startWebApp, test } from './fixtures';
import { ProjectUi } from './pages/project';

let work: string;
test.beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'fg-e2e-project-'));
});
test.afterAll(() => rmSync(work, { recursive: true, force: true }));

test('create a project from the start page, rename and save it, close it, reopen it from recent', async ({
  page,
  pageErrors,
}) => {
  const ui = new ProjectUi(page);
  const folder = join(work, 'corner-shop');
  await ui.create('Corner Shop', folder);
  await expect(ui.name).toHaveText('Corner Shop');
  await expect(ui.status).toHaveText('No unsaved changes');
  expect(JSON.parse(readFileSync(join(folder, 'fieldgraph.json'), 'utf8'))).toMatchObject({
    name: 'Corner Shop',
    schemaVersion: 2,
  });

  await ui.rename('Corner Shop (ground floor)');
  await expect(ui.status).toContainText('Unsaved changes');
  await screenshot(page, 'project-unsaved');
  await ui.save();
  await expect(ui.status).toContainText('Saved');
  expect(JSON.parse(readFileSync(join(folder, 'fieldgraph.json'), 'utf8')).name).toBe(
    'Corner Shop (ground floor)',
  );

  await ui.close();
  await expect(ui.bar).toHaveCount(0);
  await ui.recent('Corner Shop \\(ground floor\\)').click();
  await expect(ui.name).toHaveText('Corner Shop (ground floor)');
  await screenshot(page, 'project-reopened');
  expect(pageErrors).toEqual([]);
});

test('closing with unsaved changes asks first', async ({ page }) => {
  const ui = new ProjectUi(page);
  await ui.create('Scratch', join(work, 'scratch'));
  await ui.rename('Scratch 2');
  await ui.close();
  await expect(page.getByRole('alert')).toContainText('unsaved changes');
  await page.getByRole('button', { name: 'Discard changes and close' }).click();
  await expect(ui.bar).toHaveCount(0);
  expect(JSON.parse(readFileSync(join(work, 'scratch', 'fieldgraph.json'), 'utf8')).name).toBe('Scratch');
});

test('open by path shows damaged files as problems with their paths, and a newer project read-only', async ({
  page,
}) => {
  const ui = new ProjectUi(page);
  const damaged = join(work, 'damaged');
  mkdirSync(join(damaged, 'flows'), { recursive: true });
  writeFileSync(
    join(damaged, 'fieldgraph.json'),
    JSON.stringify({ schemaVersion: 2, id: 'damaged', name: 'Damaged', roles: [] }),
  );
  writeFileSync(join(damaged, 'flows', 'broken.json'), '{"id": "broken", <img src=x onerror=alert(1)>');
  await ui.openByPath(damaged);
  await expect(ui.name).toHaveText('Damaged');
  await ui.bar.getByRole('button', { name: /1 error/ }).click();
  const problems = ui.bar.getByRole('list', { name: 'Project problems' });
  await expect(problems).toContainText('flows/broken.json');
  await expect(problems).toContainText('not valid JSON');
  await expect(page.locator('img')).toHaveCount(0);
  await screenshot(page, 'project-problems');
  await ui.close();

  const newer = join(work, 'newer');
  mkdirSync(newer);
  writeFileSync(
    join(newer, 'fieldgraph.json'),
    JSON.stringify({ schemaVersion: 99, id: 'newer', name: 'From the future', roles: [] }),
  );
  await ui.openByPath(newer);
  await expect(ui.status).toHaveText('Read-only');
  await expect(ui.bar).toContainText('written by a newer Fieldgraph');
  await expect(ui.bar.getByRole('button', { name: 'Save' })).toBeDisabled();
  await screenshot(page, 'project-read-only');
});

test('opening a folder that is not a project says so and how to fix it', async ({ page }) => {
  const ui = new ProjectUi(page);
  const empty = join(work, 'empty');
  mkdirSync(empty, { recursive: true });
  await ui.openByPath(empty);
  await expect(ui.dialog.getByRole('alert')).toContainText('fieldgraph.json');
  await expect(ui.bar).toHaveCount(0);
});

test('work autosaved before a crash is offered on the next open and restored', async ({ browser }) => {
  const dataDir = join(work, 'data');
  const folder = join(work, 'crashy');
  const env = { FIELDGRAPH_DATA_DIR: dataDir, FIELDGRAPH_AUTOSAVE_MS: '200' };
  const first = await startWebApp(env);
  try {
    const page = await browser.newPage();
    await page.goto(first.url);
    const ui = new ProjectUi(page);
    await ui.create('Crashy', folder);
    await ui.rename('Crashy, renamed before the crash');
    await expect(ui.status).toContainText('Unsaved changes');
    // Two autosave periods, then the process dies without saving.
    await page.waitForTimeout(600);
    first.process.kill('SIGKILL');
    await page.close();
  } finally {
    await first.stop();
  }
  expect(JSON.parse(readFileSync(join(folder, 'fieldgraph.json'), 'utf8')).name).toBe('Crashy');

  const second = await startWebApp(env);
  try {
    const page = await browser.newPage();
    await page.goto(second.url);
    const ui = new ProjectUi(page);
    await ui.recent('Crashy').click();
    await expect(ui.name).toHaveText('Crashy');
    const offer = page.getByTestId('recovery-offer');
    await expect(offer).toContainText('Autosaved work');
    await screenshot(page, 'project-recovery-offer');
    await offer.getByRole('button', { name: 'Restore it' }).click();
    await expect(ui.name).toHaveText('Crashy, renamed before the crash');
    await expect(ui.status).toContainText('Unsaved changes');
    await expect(offer).toHaveCount(0);
    await ui.save();
    await expect(ui.status).toContainText('Saved');
    expect(JSON.parse(readFileSync(join(folder, 'fieldgraph.json'), 'utf8')).name).toBe(
      'Crashy, renamed before the crash',
    );
    await page.close();
  } finally {
    await second.stop();
  }
});

test('the folder field suggests folders as a path is typed and marks projects', async ({ page }) => {
  const ui = new ProjectUi(page);
  const parent = join(work, 'suggest');
  mkdirSync(join(parent, 'warehouse'), { recursive: true });
  mkdirSync(join(parent, 'workshop'), { recursive: true });
  writeFileSync(
    join(parent, 'workshop', 'fieldgraph.json'),
    JSON.stringify({ schemaVersion: 2, id: 'workshop', name: 'Workshop', roles: [] }),
  );
  await page.getByRole('button', { name: 'Open project…' }).click();
  await ui.dialog.getByLabel(/^Project folder/).fill(join(parent, 'w'));
  const suggestions = ui.dialog.getByRole('list', { name: 'Folder suggestions' });
  await expect(suggestions.getByRole('button')).toHaveCount(2);
  // The badge, not the path (temp folder names contain "project" too).
  const badge = (name: RegExp) =>
    suggestions.getByRole('button', { name }).getByText('project', { exact: true });
  await expect(badge(/workshop/)).toHaveCount(1);
  await expect(badge(/warehouse/)).toHaveCount(0);
  await screenshot(page, 'project-open-dialog');
  await suggestions.getByRole('button', { name: /workshop/ }).click();
  await expect(ui.dialog.getByLabel(/^Project folder/)).toHaveValue(join(parent, 'workshop') + '/');
  await ui.dialog.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(ui.name).toHaveText('Workshop');
});
