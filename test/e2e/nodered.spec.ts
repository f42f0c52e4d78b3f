import { readFileSync } from 'node:fs';
import { importNodeRed } from '../../shared/core/nodered/import';
import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';

// A real export (see test/fixtures/field/nodered/SOURCES.md) and what its file holds.
const file = 'test/fixtures/field/nodered/seen/andesse+HUE-CLIP-API.Node-RED-Flows/flows/power_state.json';
const expected = (
  JSON.parse(readFileSync('test/fixtures/field/nodered/expected.json', 'utf8')) as {
    file: string;
    nodes: number;
    wires: number;
    types: Record<string, number>;
  }[]
).find((e) => file.endsWith(e.file))!;

test('a real Node-RED flow imported through the dialog shows every node, its placeholders and its wires', async ({
  page,
  pageErrors,
}) => {
  const canvas = new CanvasPage(page);
  await canvas.open();
  await page.getByRole('button', { name: 'Import Node-RED…' }).click();
  const dialog = page.getByTestId('nodered-import');
  await dialog.getByLabel('Node-RED export file').setInputFiles(file);
  const summary = dialog.getByTestId('import-summary');
  await expect(summary).toContainText(`of ${expected.nodes} nodes convert into 1 flow`);
  await expect(summary).toContainText(`${expected.wires} of ${expected.wires} wires kept`);
  const placeholders = Number(
    /(\d+)\s+nodes?\s+stays?\s+(a\s+)?placeholders?/.exec((await summary.textContent()) ?? '')?.[1],
  );
  expect(placeholders).toBeGreaterThanOrEqual(expected.types.function ?? 0);
  await expect(dialog.getByTestId('import-report')).toContainText('Its JavaScript was not translated');
  await screenshot(page, 'nodered-real-report');
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog).toHaveCount(0);

  // The canvas draws what the import made: every node and edge, at least one per Node-RED node and wire.
  const [made] = importNodeRed(readFileSync(file, 'utf8')).flows;
  expect(made!.flow.edges.length).toBeGreaterThanOrEqual(expected.wires);
  expect(made!.flow.nodes.length).toBeGreaterThanOrEqual(expected.nodes);
  await expect(page.locator('[data-kind="nodered.unconverted"]')).toHaveCount(placeholders);
  await expect(canvas.edges).toHaveCount(made!.flow.edges.length);
  await expect(canvas.nodes).toHaveCount(made!.flow.nodes.length);
  await expect(page.getByTestId('problem-count')).toContainText(`${placeholders} error`);
  // Node-RED names travel as labels: a debug node is drawn with its name, its kind as the tooltip.
  const named = canvas.nodes.filter({ hasText: '81-100' });
  await expect(named).toHaveCount(1);
  await expect(named.locator('.title')).toHaveText('81-100');
  await expect(named.locator('.title')).toHaveAttribute('title', 'Log');
  await page
    .getByRole('button', { name: 'Fit view' })
    .click()
    .catch(() => undefined);
  await screenshot(page, 'nodered-real-canvas');

  // The function placeholder shows its code read-only, and says why it blocks the deploy.
  const fn = page.locator('[data-kind="nodered.unconverted"]', { hasText: 'function' }).first();
  await fn.click();
  const detail = canvas.inspector.getByTestId('placeholder-detail');
  await expect(detail.getByTestId('placeholder-type')).toHaveText('function');
  await expect(detail.getByTestId('placeholder-code')).not.toBeEmpty();
  await expect(canvas.inspector).toContainText('was not converted');
  await expect(canvas.inspector.locator('textarea, input')).toHaveCount(0);
  await screenshot(page, 'nodered-real-placeholder');
  expect(pageErrors).toEqual([]);
});

test('Home Assistant nodes imported through the dialog become the roles of the design', async ({
  page,
  pageErrors,
}) => {
  const canvas = new CanvasPage(page);
  await canvas.open();
  await page.getByRole('button', { name: 'Import Node-RED…' }).click();
  const dialog = page.getByTestId('nodered-import');
  // The websocket nodes' own example: motion on, kitchen light on; no motion for 5 minutes, off.
  await dialog
    .getByLabel('Node-RED export file')
    .setInputFiles(
      'test/fixtures/field/nodered/seen/ha-websocket/cookbook/motion-triggered-light/example_02.json',
    );
  const summary = dialog.getByTestId('import-summary');
  // sensor.motion's device class is not in the flow: it becomes a role that claims no meaning
  // (reading@1), and the report says so instead of guessing motion from the name.
  await expect(summary).toContainText('3 of 4 nodes convert into 1 flow');
  await expect(summary).toContainText(
    'Home Assistant entities become roles: sensor_motion (reading@1), light_kitchen (switch@1).',
  );
  await expect(dialog.getByTestId('import-report')).toContainText(
    "The flow does not say sensor.motion's device class",
  );
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.locator('[data-kind="action.set-property"]', { hasText: 'Kitchen Light' })).toHaveCount(
    2,
  );
  await expect(canvas.nodes.filter({ hasText: 'Kitchen Light Off' })).toContainText('◎ light.kitchen');
  await expect(canvas.nodes.filter({ hasText: 'sensor.motion' }).first()).toBeVisible();
  await expect(page.getByTestId('roles-tab')).toHaveText('Roles (2)');
  await screenshot(page, 'nodered-home-assistant');
  expect(pageErrors).toEqual([]);
});
