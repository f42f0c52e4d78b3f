import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';

test('a Set variable shows its scope in the inspector; a read of a gateway-wide name no flow sets is a warning naming it', async ({
  page,
  pageErrors,
}) => {
  const canvas = new CanvasPage(page);
  await canvas.open();
  await canvas.quickAdd({ x: 60, y: 60 }, 'trigger.manual');
  await canvas.quickAdd({ x: 60, y: 220 }, 'logic.set-variable');
  await canvas.quickAdd({ x: 340, y: 380 }, 'logic.if');
  const [trigger, set, branch] = await canvas.nodeIds();
  await canvas.connect([trigger!, 'out'], [set!, 'in']);
  await canvas.connect([set!, 'out'], [branch!, 'in']);

  await canvas.select(branch!);
  await canvas.field('condition').fill('has(global.mode) && global.mode == "away"');
  await canvas.select(set!);
  await expect(canvas.field('scope')).toHaveValue('flow');
  await canvas.field('name').fill('mode');
  await expect(canvas.problems).toContainText('global.mode, which no flow of the package sets');

  await canvas.field('scope').selectOption('gateway');
  await expect(canvas.problems).not.toContainText('global.mode, which no flow of the package sets');
  await screenshot(page, 'set-variable-scope');
  expect(pageErrors).toEqual([]);
});
