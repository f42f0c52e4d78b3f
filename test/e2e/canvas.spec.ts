import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';

test('build a motion → light flow against roles, with live type errors, undo/redo, copy/paste and auto-layout', async ({
  page,
  pageErrors,
}) => {
  const canvas = new CanvasPage(page);
  await canvas.open();
  await screenshot(page, 'canvas-empty');

  await canvas.addRole('Hallway motion', 'motion@1');
  await canvas.addRole('Hallway light', 'switch@1');

  await canvas.dropRole('hallway-motion', 'When Hallway motion Motion detected changes', { x: 150, y: 150 });
  await canvas.dropRole('hallway-light', 'Set Hallway light On', { x: 550, y: 170 });
  await expect(canvas.nodes).toHaveCount(2);
  const [trigger, action] = await canvas.nodeIds();
  await expect(canvas.node(trigger!)).toContainText('Property change');
  await expect(canvas.node(trigger!)).toContainText('Hallway motion');

  await canvas.connect([trigger!, 'out'], [action!, 'in']);
  await expect(canvas.edges).toHaveCount(1);
  await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');
  await screenshot(page, 'canvas-motion-light');

  // A condition that compares the motion boolean with a number is a type error, shown inline.
  await canvas.select(trigger!);
  await canvas.field('condition').fill('payload > 25');
  await expect(canvas.fieldError('condition')).toContainText('bool');
  await expect(canvas.node(trigger!).getByTestId('problem-badge')).toBeVisible();
  await expect(page.getByTestId('problem-count')).toHaveText('1 errors, 0 warnings');
  await screenshot(page, 'canvas-type-error');
  await canvas.field('condition').fill('payload == true');
  await expect(canvas.fieldError('condition')).toHaveCount(0);
  await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');

  expect(pageErrors).toEqual([]);
});
