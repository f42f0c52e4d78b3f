import { importNodeRed } from '../../shared/core/nodered/import';
import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';

// A node-red-dashboard 1.x export as Node-RED writes it: a tab and group, a switch that messages
// set (pass-through), a text and a gauge.
const dashboard = [
  { id: 'tab', type: 'tab', label: 'Boiler' },
  { id: 'home', type: 'ui_tab', name: 'Home' },
  { id: 'card', type: 'ui_group', name: 'Boiler', tab: 'home' },
  {
    id: 'state',
    type: 'inject',
    z: 'tab',
    x: 120,
    y: 80,
    payload: 'true',
    payloadType: 'bool',
    wires: [['sw']],
  },
  {
    id: 'sw',
    type: 'ui_switch',
    z: 'tab',
    x: 420,
    y: 80,
    group: 'card',
    name: 'Boiler',
    passthru: true,
    onvalue: 'true',
    onvalueType: 'bool',
    offvalue: 'false',
    offvalueType: 'bool',
    wires: [['log']],
  },
  { id: 'log', type: 'debug', z: 'tab', x: 700, y: 80, wires: [] },
  {
    id: 'temp',
    type: 'inject',
    z: 'tab',
    x: 120,
    y: 260,
    payload: '55',
    payloadType: 'num',
    wires: [['txt', 'g']],
  },
  {
    id: 'txt',
    type: 'ui_text',
    z: 'tab',
    x: 420,
    y: 240,
    group: 'card',
    label: 'Water',
    format: '{{msg.payload}} °C',
    wires: [],
  },
  {
    id: 'g',
    type: 'ui_gauge',
    z: 'tab',
    x: 420,
    y: 300,
    group: 'card',
    name: 'Gauge',
    min: 0,
    max: 90,
    units: '°C',
    wires: [],
  },
];

test('a Node-RED dashboard imported through the dialog shows its panel nodes on the canvas', async ({
  page,
  pageErrors,
}) => {
  const canvas = new CanvasPage(page);
  await canvas.open();
  await page.getByRole('button', { name: 'Import Node-RED…' }).click();
  const dialog = page.getByTestId('nodered-import');
  await dialog.getByLabel('Node-RED export file').setInputFiles({
    name: 'dashboard.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(dashboard)),
  });
  const summary = dialog.getByTestId('import-summary');
  await expect(summary).toContainText('6 of 6 nodes convert into 1 flow');
  await expect(summary).toContainText('4 of 4 wires kept');
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog).toHaveCount(0);
  // The switch that messages set is two nodes: Show on panel (display control) and the control.
  await expect(canvas.nodes.locator('[data-kind="trigger.panel"]')).toHaveCount(1);
  await expect(canvas.nodes.locator('[data-kind="action.panel-show"]')).toHaveCount(3);
  await expect(canvas.nodes.locator('[data-kind="nodered.unconverted"]')).toHaveCount(0);
  // Inject → show, show → log (pass-through), control → log, the two into text and gauge, and
  // each inject's own Manual → Transform.
  const [made] = importNodeRed(dashboard).flows;
  expect(made!.flow.edges).toHaveLength(7);
  await expect(canvas.edges).toHaveCount(7);
  // The panel nodes are valid as imported: the validator finds nothing to fix.
  await expect(page.getByTestId('problem-count')).toContainText('0 errors');
  await page
    .getByRole('button', { name: 'Fit view' })
    .click()
    .catch(() => undefined);
  await screenshot(page, 'nodered-dashboard-canvas');
  expect(pageErrors).toEqual([]);
});
