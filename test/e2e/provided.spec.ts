/**
 * "Passes every check, deploys healthy, never runs": the ESPHome-like demo sensor reports only
 * the motion property, yet its motion capability has a `detected` event the editor offers. A
 * trigger on that event must show in the live problems panel, naming the property to use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, screenshot, test } from './fixtures';
import { CanvasPage } from './pages/canvas';
import { ProjectUi } from './pages/project';

test('a trigger on an event the bound device never sends is a live problem; the property it reports is not', async ({
  page,
  pageErrors,
}) => {
  const work = mkdtempSync(join(tmpdir(), 'fg-e2e-provided-'));
  try {
    const project = new ProjectUi(page);
    await project.create('Hallway', join(work, 'hallway'));
    const canvas = new CanvasPage(page);
    await canvas.open();
    await page.getByTestId('start-demo').click();
    const sensor = page.locator('[data-testid="palette"] [data-device="mac:b4e62d112233"]');
    await expect(sensor).toBeEnabled({ timeout: 30_000 });

    // The property trigger first: the sensor reports motion, so nothing is wrong.
    await canvas.dropDevice('mac:b4e62d112233', 'When Demo sensor Motion detected changes', {
      x: 80,
      y: 120,
    });
    await expect(canvas.nodes).toHaveCount(1);
    await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings');

    // The event trigger the capability offers for the same role: the bound device never sends it.
    await canvas.dropDevice('mac:b4e62d112233', 'When Demo sensor: Motion detected', {
      x: 80,
      y: 300,
    });
    await expect(canvas.nodes).toHaveCount(2);
    const ids = await canvas.nodeIds();
    await expect(page.getByTestId('problem-count')).toHaveText('1 error, 0 warnings', { timeout: 15_000 });
    const problem = canvas.problems.locator('button.error');
    await expect(problem).toHaveCount(1);
    await expect(problem).toContainText(
      '“Demo sensor” does not send the event “detected”; it reports the property “motion”',
    );
    await expect(problem).toContainText('never run');
    const eventNode = await problem.getAttribute('data-node');
    expect(ids).toContain(eventNode);
    await screenshot(page, 'provided-problem');

    // Readiness says the same about the binding, since the flows use the event.
    await canvas.openRoles();
    await expect(page.getByTestId('readiness-missing')).toContainText('does not send the event “detected”');
    // …and so does the role's own line, which used to say "✓ implements motion@1".
    await expect(canvas.bindingReason('demo-sensor-motion')).toHaveText(
      /^✗ implements motion@1, but a flow needs what it does not provide: “Demo sensor” does not send the event “detected”/,
    );
    await screenshot(page, 'provided-roles');

    // Removing the event trigger clears the problem.
    await canvas.leaveFields();
    await canvas.press('Control+z');
    await expect(canvas.nodes).toHaveCount(1);
    await expect(page.getByTestId('problem-count')).toHaveText('0 errors, 0 warnings', { timeout: 15_000 });
    await expect(canvas.bindingReason('demo-sensor-motion')).toHaveText('✓ implements motion@1');
    expect(pageErrors).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
