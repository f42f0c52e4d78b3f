import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';
import { LivePage } from './pages/live';

test('a Panel control and Show on panel are drawn from the palette and set in the inspector; the validator checks their names; Try it says the panel is not served there', async ({
  page,
  pageErrors,
}) => {
  const canvas = new CanvasPage(page);
  await canvas.open();
  await canvas.quickAdd({ x: 140, y: 160 }, 'trigger.panel');
  await canvas.quickAdd({ x: 460, y: 160 }, 'action.panel-show');
  const [control, show] = await canvas.nodeIds();
  await expect(canvas.node(control!)).toContainText('Panel control');
  await expect(canvas.node(show!)).toContainText('Show on panel');
  await canvas.connect([control!, 'out'], [show!, 'in']);

  // The control needs a name; its kind and placement have defaults.
  await canvas.select(control!);
  await expect(canvas.problems).toContainText('"widget" is required');
  await canvas.field('widget').fill('Porch/light');
  await expect(canvas.fieldError('widget')).toBeVisible();
  await canvas.field('widget').fill('Porch light');
  await expect(canvas.fieldError('widget')).toHaveCount(0);
  await expect(canvas.field('control')).toHaveValue('button');
  await expect(canvas.field('page')).toHaveValue('Home');
  await expect(canvas.field('group')).toHaveValue('Controls');

  // A show that sets a control's state: a button has none, a switch has.
  await canvas.select(show!);
  await canvas.field('widget').fill('Porch light');
  await canvas.field('display').selectOption('control');
  await expect(canvas.problems).toContainText('is a button, which has no state to set');
  await canvas.select(control!);
  await canvas.field('control').selectOption('switch');
  await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');
  await screenshot(page, 'panel-nodes-inspector');

  // Try it's gateway has no HTTP port: a notice says the panel is not served there.
  test.setTimeout(150_000);
  await page.getByTestId('start-demo').click();
  await expect(page.locator('[data-testid="palette"] [data-device="mac:b4e62d112233"]')).toBeEnabled({
    timeout: 30_000,
  });
  await new LivePage(page).tryIt();
  const notices = page.getByTestId('try-it-notices');
  await expect(notices).toHaveAccessibleName('1 Try it notice: The panel is not served in Try it');
  await notices.click();
  await expect(page.getByTestId('try-it-no-panel')).toContainText('open /panel there');
  await screenshot(page, 'panel-try-it-notice');
  expect(pageErrors).toEqual([]);
});
